#!/bin/sh
# Run every test of a build: unit tests, integration tests, the browser
# tests of the workbench, then a short fuzzing pass when fuzz targets were
# built.
#
#   sh tests/run.sh BUILD_DIR
#
# Each binary's output goes to BUILD_DIR/test-logs/NAME.log and is shown
# when it fails. The last line is always "tests: N passed, M failed", and
# the exit status is non-zero when anything failed.
#
# Environment: FUZZ_SECONDS (default 5, per fuzz target), TEST_TIMEOUT
# (default 900 seconds per test binary, when timeout(1) is available).
set -u

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: sh tests/run.sh BUILD_DIR" >&2
    exit 2
fi
BUILD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
LOGS=$BUILD/test-logs
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
export FUZZ_SECONDS

# User settings come last so that they win over ours.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS

passed=0
failed=0

skipped_corpus=0

finish() {
    if [ "$skipped_corpus" -eq 1 ]; then
        echo "note: ../shared/conformance is absent: the conformance tests were skipped"
    fi
    echo "tests: $passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

if [ ! -d "$BUILD" ]; then
    echo "run: $BUILD: no such build directory" >&2
    failed=$((failed + 1))
    finish
fi
mkdir -p "$LOGS" || { failed=$((failed + 1)); finish; }

if command -v timeout >/dev/null 2>&1; then
    TIMEOUT="timeout -k 10 $TEST_TIMEOUT"
else
    TIMEOUT=""
fi

show_log() {
    echo "---- $1 ----"
    cat "$2"
    echo "---- end of $1 ----"
}

# Runs one Criterion binary and adds its counts to the totals.
run_criterion() {
    bin=$1
    name=$(basename "$bin")
    log=$LOGS/$name.log
    # shellcheck disable=SC2086
    $TIMEOUT "$bin" --jobs 2 >"$log" 2>&1
    rc=$?
    # Colours, if any, would split the numbers from their labels.
    synth=$(sed 's/\x1b\[[0-9;]*m//g' "$log" |
            grep 'Synthesis: Tested:' | tail -n 1)
    if [ -z "$synth" ]; then
        echo "$name: FAILED (exit status $rc, no test summary)"
        show_log "$name" "$log"
        failed=$((failed + 1))
        return
    fi
    p=$(echo "$synth" | sed -n 's/.*Passing: *\([0-9][0-9]*\).*/\1/p')
    f=$(echo "$synth" | sed -n 's/.*Failing: *\([0-9][0-9]*\).*/\1/p')
    c=$(echo "$synth" | sed -n 's/.*Crashing: *\([0-9][0-9]*\).*/\1/p')
    p=${p:-0}
    f=${f:-0}
    c=${c:-0}
    passed=$((passed + p))
    failed=$((failed + f))
    # Criterion reports a test's result before the test process exits, so a
    # leak or error found by the sanitizers at exit does not fail the test:
    # read the sanitizers' own reports instead.
    if grep -q -E 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$log"; then
        echo "$name: $p passed, but the sanitizers reported errors"
        show_log "$name" "$log"
        failed=$((failed + 1))
    elif [ "$f" -gt 0 ]; then
        echo "$name: $p passed, $f failed ($c crashed)"
        show_log "$name" "$log"
    elif [ "$rc" -eq 1 ] && grep -q 'conformance corpus not found' "$log"; then
        # Criterion exits 1 when a test was skipped. The only tests that
        # skip are those needing ../shared/conformance: say so loudly.
        echo "$name: $p passed; SKIPPED the conformance tests: $(grep -m 1 'conformance corpus not found' "$log" | sed 's/^\[WARN\] //')"
        skipped_corpus=1
    elif [ "$rc" -ne 0 ]; then
        # Every test passed but the runner did not: a leak found at exit,
        # a timeout, a crash outside any test. That is a failure too.
        echo "$name: $p passed, but exited with status $rc"
        show_log "$name" "$log"
        failed=$((failed + 1))
    else
        echo "$name: $p passed"
    fi
}

# Executables only: meson keeps objects in NAME.p/ directories next to them.
run_group() {
    kind=$1
    found=0
    for bin in "$BUILD"/"$kind"_*; do
        case $(basename "$bin") in *.*) continue ;; esac
        if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
        found=1
        run_criterion "$bin"
    done
    if [ "$found" -eq 0 ]; then
        echo "run: no ${kind} test binaries in $BUILD (nothing built?)"
        failed=$((failed + 1))
    fi
}

run_group unit
run_group integration

# The workbench in headless Debian chromium (tests/web/), against this
# build's socle. Node's test runner ends with "# pass N" and "# fail M".
run_browser_tests() {
    log=$LOGS/web.log
    web=$HERE/web
    if ! command -v node >/dev/null 2>&1 || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ] \
       || [ ! -d "$web/node_modules/playwright-core" ]; then
        echo "web: FAILED (node, chromium or tests/web/node_modules missing: run scripts/setup.sh)"
        failed=$((failed + 1))
        return
    fi
    socle_bin=$(cd "$BUILD" && pwd)/socle
    # shellcheck disable=SC2086
    (cd "$web" && SOCLE_BIN=$socle_bin $TIMEOUT node --test workbench.test.mjs) >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$log" | tail -n 1)
    p=${p:-0}
    f=${f:-0}
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ] || [ "$p" -eq 0 ]; then
        echo "web: $p passed, $f failed (exit status $rc)"
        show_log web "$log"
        [ "$f" -eq 0 ] && failed=$((failed + 1))
    else
        echo "web: $p passed"
    fi
}
run_browser_tests

have_fuzz=0
for bin in "$BUILD"/fuzz_*; do
    case $(basename "$bin") in *.*) continue ;; esac
    [ -f "$bin" ] && [ -x "$bin" ] && have_fuzz=1
done
if [ "$have_fuzz" -eq 1 ]; then
    out=$LOGS/fuzz.log
    sh "$HERE/fuzz/run.sh" "$BUILD" >"$out" 2>&1
    rc=$?
    cat "$out"
    ok=$(grep -c '^fuzz [^ ]*: ok' "$out")
    bad=$(grep -c '^fuzz [^ ]*: FAILED' "$out")
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        echo "fuzz: exited with status $rc"
        failed=$((failed + 1))
    fi
fi

finish
