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
#   1 connection  x 500 messages
#   16 connections x 200 messages
# bench_mllp also measures the fdatasync ceiling of the data dir's
# filesystem after each run. The data dirs live under $TMPDIR (default
# /tmp): point TMPDIR at the disk you want to measure; on a tmpfs the fsync
# figures mean nothing. Loopback only.
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
    "$BENCH" "$port" "$2" "$3" "$data" || rc=$?
    stop_server
    echo
}

fstype=$(df -T "$ROOT" 2>/dev/null | awk 'NR == 2 { print $2 }') || :
echo "socle MLLP benchmark: $(nproc 2>/dev/null || echo '?') CPU(s)," \
     "data under $ROOT (${fstype:-unknown filesystem})"
echo
rc=0
run_one one 1 500
run_one many 16 200
exit "$rc"
