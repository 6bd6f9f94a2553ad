#!/bin/sh
# run.sh - end-to-end MLLP benchmark of socle (see bench/mllp/README.md).
#
#   sh bench/mllp/run.sh [BUILD_DIR]      (default build-bench)
#
# Builds nothing: BUILD_DIR must already hold socle and bench_mllp, e.g.
#   meson setup build-bench --buildtype=release -Dtests=false
#   ninja -C build-bench socle bench_mllp
#
# Two runs, each against a FRESH data dir and a fresh server (so that both
# start from an empty store with the bench establishment imported):
#   1 connection  x 1000 messages
#   16 connections x 500 messages
# bench_mllp also measures the fdatasync ceiling of the data dir's
# filesystem after each run. The data dirs live under $TMPDIR (default
# /tmp): point TMPDIR at the disk you want to measure; on a tmpfs the fsync
# figures mean nothing. Loopback only.
#
# Ends with a summary against the issue's targets, one PASS/FAIL line each:
#   1 connection    ratio messages/s / fsync ceiling >= 0.9
#   16 connections  >= 25,000 messages/s, and p99 < 20 ms
# Exit status: 1 if a message was not acknowledged AA, else 0 (a missed
# target is reported, not an error: the figures depend on the machine).
set -eu

BUILD=${1:-build-bench}
SOCLE=$BUILD/socle
BENCH=$BUILD/bench_mllp
for exe in "$SOCLE" "$BENCH"; do
    if [ ! -x "$exe" ]; then
        echo "run.sh: $exe not found; build it first:" >&2
        echo "  meson setup $BUILD --buildtype=release -Dtests=false && ninja -C $BUILD socle bench_mllp" >&2
        exit 2
    fi
done

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/socle-bench-mllp.XXXXXX")
SERVER_PID=

# shellcheck disable=SC2317  # both are called from the EXIT trap
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || :
        wait "$SERVER_PID" 2>/dev/null || :
        SERVER_PID=
    fi
}

# shellcheck disable=SC2317
cleanup() {
    stop_server
    rm -rf "$ROOT"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cat > "$ROOT/structures.csv" <<'EOF'
kind,code,label,parent_code,finess,oid,valid_from,valid_to
EJ,EJ1,CHU Bench,,750712184,1.2.250.1.999.1,,
EOF

# run_one NAME CONNECTIONS MESSAGES_PER_CONNECTION: import, serve, bench, stop.
# Not called in a || list, so that set -e still applies inside it.
run_one() {
    data=$ROOT/$1
    mkdir "$data"
    "$SOCLE" import structures --data "$data" "$ROOT/structures.csv" > /dev/null

    "$SOCLE" serve --data "$data" --http 0 --mllp 0 \
        > "$ROOT/$1.out" 2> "$ROOT/$1.log" &
    SERVER_PID=$!

    # Both "listening" lines are printed (and flushed) once both listeners
    # accept connections; wait up to about 10 s for them.
    port=
    tries=0
    while [ -z "$port" ]; do
        port=$(sed -n 's/^socle mllp listening on .*:\([0-9][0-9]*\)$/\1/p' "$ROOT/$1.out")
        if [ -n "$port" ]; then
            break
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null || [ "$tries" -ge 100 ]; then
            echo "run.sh: socle serve did not start; its log:" >&2
            cat "$ROOT/$1.log" >&2
            exit 1
        fi
        tries=$((tries + 1))
        sleep 0.1
    done

    echo "== $2 connection(s) x $3 messages (fresh data dir, MLLP port $port)"
    # A failed message makes bench_mllp exit 1: remember it, go on.
    "$BENCH" "$port" "$2" "$3" "$data" > "$ROOT/$1.txt" || rc=$?
    cat "$ROOT/$1.txt"
    stop_server
    # What the server did: messages per commit (its last log line but one).
    sed -n 's/^.* info store: /server            /p' "$ROOT/$1.log"
    echo
}

# field RUN LABEL N: the Nth word after LABEL in RUN's output ("" if none).
field() {
    awk -v label="$2" -v n="$3" 'index($0, label) == 1 { print $(n + 1); exit }' "$ROOT/$1.txt"
}


fstype=$(df -T "$ROOT" 2>/dev/null | awk 'NR == 2 { print $2 }') || :
echo "socle MLLP benchmark: $(nproc 2>/dev/null || echo '?') CPU(s)," \
     "data under $ROOT (${fstype:-unknown filesystem})"
echo
rc=0
run_one one 1 1000
run_one many 16 500

one_rate=$(field one throughput 1)
one_ceiling=$(field one "fsync ceiling" 2)
one_ratio=$(field one ratio 1)
many_rate=$(field many throughput 1)
many_p50=$(field many latency 2)
many_p99=$(field many latency 5)
echo "== summary against the targets"
if [ -z "$one_ratio" ] || [ -z "$many_rate" ] || [ -z "$many_p99" ]; then
    echo "run.sh: some figures are missing (see above)" >&2
    exit 1
fi
awk -v r="$one_ratio" -v rate="$one_rate" -v c="$one_ceiling" 'BEGIN {
    printf "1 connection    ratio %.2f (%s msg/s, fsync ceiling %s/s)  target >= 0.90  %s",
           r, rate, c, (r >= 0.9 ? "PASS" : "FAIL");
    if (r < 0.9) printf " (%.2fx the target)", r / 0.9;
    printf "\n" }'
awk -v rate="$many_rate" -v p50="$many_p50" 'BEGIN {
    printf "16 connections  %s msg/s (p50 %s ms)  target >= 25000  %s", rate, p50,
           (rate >= 25000 ? "PASS" : "FAIL");
    if (rate < 25000) printf " (%.2fx the target)", rate / 25000;
    printf "\n" }'
awk -v p99="$many_p99" 'BEGIN {
    printf "16 connections  p99 %s ms  target < 20 ms  %s\n", p99, (p99 < 20 ? "PASS" : "FAIL") }'
exit "$rc"
