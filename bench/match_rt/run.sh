#!/bin/sh
# run.sh - real-time matching latency benchmark (see bench/match_rt/README.md).
#
#   sh bench/match_rt/run.sh [BUILD_DIR] [N] [INCOMING]
#                                   (default build-bench, 1000000, 2000)
#
# Builds nothing: BUILD_DIR must already hold socle, gen_records and
# bench_match_rt, e.g.
#   meson setup build-bench --buildtype=release -Dtests=false
#   ninja -C build-bench socle gen_records bench_match_rt
#
# 1. gen_records writes N + INCOMING synthetic records (seed 1, ~1.6 per
#    person) and their truth; records without a birth name, forenames or
#    birth date are left out (a local identity requires them);
# 2. the first N go into a new data dir with `socle import identities
#    --clusters` (the truth as clusters: the store holds each person once
#    linked, as after years of real-time linking), timed;
# 3. bench_match_rt creates the INCOMING others one by one through core
#    (matching, links, history, audit, durable commit) and prints
#    p50/p95/p99 per identity and PASS/FAIL against p99 <= 5 ms.
# Files live in a temporary directory under $TMPDIR (default /tmp), removed
# on exit (about 3 GB for N = 1000000). Exit status: 2 if a tool is missing,
# 1 if a step failed, else 0 (a missed target is reported, not an error).
set -eu

BUILD=${1:-build-bench}
N=${2:-1000000}
INCOMING=${3:-2000}
HERE=$(dirname "$0")
SOCLE=$BUILD/socle
GEN=$BUILD/gen_records
BENCH=$BUILD/bench_match_rt
for exe in "$SOCLE" "$GEN" "$BENCH"; do
    if [ ! -x "$exe" ]; then
        echo "run.sh: $exe not found; build it first:" >&2
        echo "  meson setup $BUILD --buildtype=release -Dtests=false && ninja -C $BUILD socle gen_records bench_match_rt" >&2
        exit 2
    fi
done

# BENCH_DIR keeps the files (and a loaded store is reused: only step 3
# runs again); by default a temporary directory, removed on exit.
if [ -n "${BENCH_DIR:-}" ]; then
    ROOT=$BENCH_DIR
    mkdir -p "$ROOT"
else
    ROOT=$(mktemp -d "${TMPDIR:-/tmp}/socle-bench-match-rt.XXXXXX")
    trap 'rm -rf "$ROOT"' EXIT
fi
trap 'exit 130' INT
trap 'exit 143' TERM

TOTAL=$(( (N + INCOMING) * 103 / 100 + 100 ))
if [ -f "$ROOT/loaded" ]; then
    echo "reusing the store loaded in $ROOT"
else
echo "real-time matching benchmark: $N stored, $INCOMING incoming, $(nproc 2>/dev/null || echo '?') CPU(s)"
echo
echo "== generate"
"$GEN" --records "$TOTAL" --seed 1 --out "$ROOT/all.csv" --truth "$ROOT/truth.csv"
# Keep the records a local identity accepts (birth name, forenames, date).
awk -F, 'NR == 1 || ($3 != "" && $5 != "" && $6 != "")' "$ROOT/all.csv" > "$ROOT/valid.csv"
head -n $((N + 1)) "$ROOT/valid.csv" > "$ROOT/load.csv"
{ head -n 1 "$ROOT/valid.csv"; tail -n +$((N + 2)) "$ROOT/valid.csv" | head -n "$INCOMING"; } \
    > "$ROOT/incoming.csv"
# The truth as socle dedupe's clusters: person P0000042 is cluster 42.
{ echo "source,local_id,cluster_id"; tail -n +2 "$ROOT/truth.csv" | sed 's/,P0*\([0-9]\)/,\1/'; } \
    > "$ROOT/clusters.csv"
echo "stored $(($(wc -l < "$ROOT/load.csv") - 1)), incoming $(($(wc -l < "$ROOT/incoming.csv") - 1))"

echo
echo "== load"
"$SOCLE" init --data "$ROOT/data" > /dev/null
"$SOCLE" import structures --data "$ROOT/data" "$HERE/structures.csv"
# The clusters file may name records that are not loaded: keep those that are.
awk -F, 'NR == FNR { if (FNR > 1) keep[$1 "," $2] = 1; next }
         FNR == 1 || keep[$1 "," $2]' "$ROOT/load.csv" "$ROOT/clusters.csv" > "$ROOT/load_clusters.csv"
"$SOCLE" import identities --data "$ROOT/data" --in "$ROOT/load.csv" --clusters "$ROOT/load_clusters.csv"
ls -l "$ROOT/data" | awk '/\.db/ { printf "store: %s %.0f MB\n", $NF, $5 / 1048576 }'
touch "$ROOT/loaded"
fi

echo
echo "== link $INCOMING incoming identities one by one"
"$BENCH" --data "$ROOT/data" --in "$ROOT/incoming.csv"
