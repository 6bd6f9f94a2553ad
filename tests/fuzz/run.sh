#!/bin/sh
# Run every libFuzzer target of a build for a while.
#
#   FUZZ_SECONDS=60 sh tests/fuzz/run.sh BUILD_DIR
#
# Each BUILD_DIR/fuzz_NAME runs for FUZZ_SECONDS (default 10) on the corpus
# BUILD_DIR/fuzz-corpus/NAME, which keeps growing from run to run and is
# seeded from tests/fuzz/seeds/NAME/. Crashing inputs land in
# BUILD_DIR/fuzz-artifacts/, the fuzzer's output in
# BUILD_DIR/test-logs/fuzz_NAME.log. Prints one line per target and exits
# non-zero when any target failed.
set -u

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: sh tests/fuzz/run.sh BUILD_DIR" >&2
    exit 2
fi
BUILD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
SECONDS_PER_TARGET=${FUZZ_SECONDS:-10}
ARTIFACTS=$BUILD/fuzz-artifacts
LOGS=$BUILD/test-logs

case $SECONDS_PER_TARGET in
    ''|*[!0-9]*)
        echo "fuzz: FUZZ_SECONDS must be a number of seconds" >&2
        exit 2 ;;
esac

mkdir -p "$ARTIFACTS" "$LOGS" || exit 1

status=0
found=0
for bin in "$BUILD"/fuzz_*; do
    base=$(basename "$bin")
    case $base in *.*) continue ;; esac  # meson's fuzz_NAME.p/ object dirs
    if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
    found=1
    name=${base#fuzz_}
    corpus=$BUILD/fuzz-corpus/$name
    log=$LOGS/$base.log
    mkdir -p "$corpus" || exit 1
    if [ -d "$HERE/seeds/$name" ]; then
        for seed in "$HERE/seeds/$name"/*; do
            [ -f "$seed" ] && cp "$seed" "$corpus/"
        done
    fi

    "$bin" "$corpus" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$ARTIFACTS/$name-" -print_final_stats=1 \
        >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
        echo "fuzz $name: ok ($runs runs)"
    else
        echo "fuzz $name: FAILED (see $log and $ARTIFACTS/$name-*)"
        status=1
    fi
done

if [ "$found" -eq 0 ]; then
    echo "fuzz: no fuzz targets in $BUILD (configure with -Dfuzz=true)" >&2
    exit 1
fi
exit $status
