#!/bin/sh
# run.sh - batch deduplication benchmark of socle (see bench/dedupe/README.md).
#
#   sh bench/dedupe/run.sh [BUILD_DIR] [N]     (default build-bench, 1000000)
#
# Builds nothing: BUILD_DIR must already hold socle, gen_records and
# eval_clusters, e.g.
#   meson setup build-bench --buildtype=release -Dtests=false
#   ninja -C build-bench socle gen_records eval_clusters
#
# 1. gen_records writes N synthetic records (seed 1) and their truth,
# 2. socle dedupe --threads 2 clusters them, under /usr/bin/time -v (wall
#    time and peak RSS of socle alone),
# 3. eval_clusters scores the clusters and the review against the truth,
# then one PASS/FAIL line per target of the issue:
#   wall <= 60 s, peak RSS <= 2 GB, precision >= 0.995, recall >= 0.95.
# Files live in a temporary directory under $TMPDIR (default /tmp), removed
# on exit. Exit status: 2 if a tool (or socle's dedupe command) is missing,
# 1 if a step failed, else 0: a missed target is reported, not an error
# (the figures depend on the machine).
set -eu

BUILD=${1:-build-bench}
N=${2:-1000000}
SEED=${SEED:-1}
SOCLE=$BUILD/socle
GEN=$BUILD/gen_records
EVAL=$BUILD/eval_clusters
for exe in "$SOCLE" "$GEN" "$EVAL"; do
    if [ ! -x "$exe" ]; then
        echo "run.sh: $exe not found; build it first:" >&2
        echo "  meson setup $BUILD --buildtype=release -Dtests=false && ninja -C $BUILD socle gen_records eval_clusters" >&2
        exit 2
    fi
done
if [ ! -x /usr/bin/time ]; then
    echo "run.sh: /usr/bin/time not found (Debian package 'time'; sh scripts/setup.sh installs it)" >&2
    exit 2
fi

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/socle-bench-dedupe.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Is there a dedupe command in this socle? An unknown command says so.
if "$SOCLE" dedupe --help > /dev/null 2> "$ROOT/help.err"; then
    :
elif grep -q "unknown command" "$ROOT/help.err"; then
    echo "run.sh: $SOCLE has no 'dedupe' command yet (the matching engine of issue 5);" >&2
    echo "        build a tree that has it, then run this again." >&2
    exit 2
fi

echo "socle dedupe benchmark: $N records, seed $SEED, $(nproc 2>/dev/null || echo '?') CPU(s)"
echo
echo "== generate"
"$GEN" --records "$N" --seed "$SEED" --out "$ROOT/records.csv" --truth "$ROOT/truth.csv"
echo

echo "== socle dedupe --threads 2"
rc=0
/usr/bin/time -v -o "$ROOT/time.txt" "$SOCLE" dedupe --in "$ROOT/records.csv" \
    --out "$ROOT/clusters.csv" --review "$ROOT/review.csv" --threads 2 || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "run.sh: socle dedupe failed (exit $rc)" >&2
    cat "$ROOT/time.txt" >&2 || :
    exit 1
fi
# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:41.27" -> seconds.
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' \
    "$ROOT/time.txt")
rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$ROOT/time.txt")
if [ -z "$wall" ] || [ -z "$rss_kb" ]; then
    echo "run.sh: could not read the time and memory figures:" >&2
    cat "$ROOT/time.txt" >&2
    exit 1
fi
awk -v w="$wall" -v k="$rss_kb" 'BEGIN { printf "wall %.2f s, peak RSS %.0f MiB\n", w, k / 1024 }'
echo

echo "== evaluation against the truth"
"$EVAL" --truth "$ROOT/truth.csv" --clusters "$ROOT/clusters.csv" --review "$ROOT/review.csv" \
    > "$ROOT/eval.txt" || { cat "$ROOT/eval.txt"; echo "run.sh: eval_clusters failed" >&2; exit 1; }
cat "$ROOT/eval.txt"
echo

# value KEY: KEY=VALUE from the evaluator's last line.
value() {
    tail -n 1 "$ROOT/eval.txt" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
precision=$(value precision)
recall=$(value recall)
f1=$(value f1)
false_merges=$(value false_merges)
review_share=$(value review_share)

echo "== summary against the targets"
awk -v w="$wall" -v k="$rss_kb" -v p="$precision" -v r="$recall" -v f="$f1" \
    -v fm="$false_merges" -v rs="$review_share" -v n="$N" 'BEGIN {
    gib = k / 1024 / 1024
    printf "wall time   %8.2f s     target <= 60 s     %s\n", w, (w <= 60 ? "PASS" : "FAIL")
    printf "peak RSS    %8.2f GiB   target <= 2 GiB    %s\n", gib, (gib <= 2 ? "PASS" : "FAIL")
    printf "precision   %8.4f       target >= 0.995    %s\n", p, (p >= 0.995 ? "PASS" : "FAIL")
    printf "recall      %8.4f       target >= 0.95     %s\n", r, (r >= 0.95 ? "PASS" : "FAIL")
    printf "f1          %8.4f, false merges %d, missed pairs in the review %.1f%%\n",
           f, fm, 100 * rs
    printf "records/s   %8.0f\n", (w > 0 ? n / w : 0)
}'
