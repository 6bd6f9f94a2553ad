#!/bin/sh
# run.sh - FHIR read and search throughput and latency under wrk (see
# bench/fhir/README.md).
#
#   sh bench/fhir/run.sh [BUILD_DIR] [N] [SECONDS] [CONNECTIONS]
#                          (default build-bench, 1000000, 20, 32)
#
# Builds nothing: BUILD_DIR must already hold socle and gen_records, e.g.
#   meson setup build-bench --buildtype=release -Dtests=false
#   ninja -C build-bench socle gen_records
#
# 1. gen_records writes about N synthetic records; those a local identity
#    accepts go into a new data dir with `socle import identities
#    --clusters` (the generator's truth as clusters: one GHT identity, one
#    Patient, per person), with the structures of bench/match_rt;
# 2. `socle serve --rate-limit 0` (the per-token limit would cap the one
#    benchmark token) on a free port; a lecteur token (all establishments);
# 3. wrk, CONNECTIONS connections on 2 threads for SECONDS each:
#    a. GET /fhir/Patient/{id}, ids drawn uniformly among all Patients;
#    b. GET /fhir/Patient?family=F&birthdate=D, 1,000 (F, D) pairs of loaded
#       records, in turn;
#    c. GET /fhir/Patient?identifier=urn:oid:OID|IPP, 1,000 loaded IPPs;
#    each prints requests/s and the latency percentiles (wrk --latency),
#    then PASS/FAIL against the targets (a: >= 50,000 req/s; b, c: p99 <=
#    10 ms). Non-2xx answers are counted by wrk and reported.
# Files live in a temporary directory under $TMPDIR (default /tmp), removed
# on exit (about 2 GB for N = 1000000), or in $BENCH_DIR, kept, where a
# store loaded by an earlier run (of this or of bench/match_rt) is reused. Exit status: 2 if a tool is missing,
# 1 if a step failed, else 0 (a missed target is reported, not an error).
set -eu

BUILD=${1:-build-bench}
N=${2:-1000000}
SECONDS_EACH=${3:-20}
CONNS=${4:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
SOCLE=$BUILD/socle
GEN=$BUILD/gen_records
for exe in "$SOCLE" "$GEN"; do
    if [ ! -x "$exe" ]; then
        echo "run.sh: $exe not found; build it first:" >&2
        echo "  meson setup $BUILD --buildtype=release -Dtests=false && ninja -C $BUILD socle gen_records" >&2
        exit 2
    fi
done
for tool in wrk sqlite3 awk; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found (scripts/setup.sh)" >&2; exit 2; }
done

# BENCH_DIR keeps the files, and a store already loaded there is reused
# (its load.csv and data/; a bench/match_rt BENCH_DIR qualifies too); by
# default a temporary directory, removed on exit.
if [ -n "${BENCH_DIR:-}" ]; then
    ROOT=$BENCH_DIR
    KEEP=1
    mkdir -p "$ROOT"
else
    ROOT=$(mktemp -d "${TMPDIR:-/tmp}/socle-bench-fhir.XXXXXX")
    KEEP=0
fi
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    [ "$KEEP" = 1 ] || rm -rf "$ROOT"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "FHIR benchmark: $N records, $CONNS connections, ${SECONDS_EACH}s per run, $(nproc 2>/dev/null || echo '?') CPU(s)"
echo
if [ -f "$ROOT/loaded" ]; then
    echo "== reusing the store loaded in $ROOT"
else
echo "== generate and load"
"$GEN" --records $((N * 103 / 100 + 100)) --seed 1 --out "$ROOT/all.csv" --truth "$ROOT/truth.csv"
awk -F, 'NR == 1 || ($3 != "" && $5 != "" && $6 != "")' "$ROOT/all.csv" | head -n $((N + 1)) \
    > "$ROOT/load.csv"
{ echo "source,local_id,cluster_id"; tail -n +2 "$ROOT/truth.csv" | sed 's/,P0*\([0-9]\)/,\1/'; } \
    > "$ROOT/clusters.csv"
awk -F, 'NR == FNR { if (FNR > 1) keep[$1 "," $2] = 1; next }
         FNR == 1 || keep[$1 "," $2]' "$ROOT/load.csv" "$ROOT/clusters.csv" > "$ROOT/load_clusters.csv"
"$SOCLE" init --data "$ROOT/data" > /dev/null
"$SOCLE" import structures --data "$ROOT/data" "$HERE/../match_rt/structures.csv" > /dev/null
START=$(date +%s)
"$SOCLE" import identities --data "$ROOT/data" --in "$ROOT/load.csv" \
    --clusters "$ROOT/load_clusters.csv"
echo "load: $(( $(date +%s) - START )) s"
touch "$ROOT/loaded"
fi
N=$(($(wc -l < "$ROOT/load.csv") - 1))
DB=$(ls "$ROOT"/data/*.db | head -n 1)
PATIENTS=$(sqlite3 "$DB" "SELECT count(*) FROM ght_identity WHERE state = 'ACTIVE'")
MAXID=$(sqlite3 "$DB" "SELECT max(id) FROM ght_identity")
echo "local identities $(($(wc -l < "$ROOT/load.csv") - 1)), Patients $PATIENTS"

# Query values: 1,000 loaded records spread over the file.
awk -F, -v n="$N" 'NR > 1 && (NR % int(n / 1000 + 1)) == 0 && c < 1000 { c++; print }' \
    "$ROOT/load.csv" > "$ROOT/sample.csv"
# The source is an EJ's OID or FINESS or code: the OID of its domain.
sqlite3 -separator , "$DB" "SELECT s.code, s.finess, d.oid FROM structure s JOIN id_domain d
    ON d.structure_id = s.id WHERE s.kind = 'EJ'" > "$ROOT/domains.csv"
TOKEN=$("$SOCLE" token issue --data "$ROOT/data" --role lecteur --sub bench --ttl 1d)

lua_list() {  # name, then lines on stdin -> a Lua table of quoted strings
    echo "$1 = {"
    sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/  "&",/'
    echo "}"
}
awk -F, '{ print "family=" $3 "&birthdate=" $6 }' "$ROOT/sample.csv" | sed 's/ /%20/g' \
    | lua_list queries > "$ROOT/family.lua"
awk -F, 'NR == FNR { oid[$1] = $3; oid[$2] = $3; oid[$3] = $3; next }
         { o = ($1 in oid) ? oid[$1] : $1; print "identifier=urn:oid:" o "%7C" $2 }' \
    "$ROOT/domains.csv" "$ROOT/sample.csv" | lua_list queries > "$ROOT/identifier.lua"
cat > "$ROOT/common.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Accept"] = "application/fhir+json"
LUA
cat > "$ROOT/read.lua" <<LUA
dofile("$ROOT/common.lua")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/fhir/Patient/" .. math.random(1, $MAXID))
end
LUA
for kind in family identifier; do
    cat > "$ROOT/$kind-run.lua" <<LUA
dofile("$ROOT/common.lua")
dofile("$ROOT/$kind.lua")
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/fhir/Patient?" .. queries[i])
end
LUA
done

echo
echo "== serve"
"$SOCLE" serve --data "$ROOT/data" --http 0 --mllp 0 --rate-limit 0 > "$ROOT/serve.out" 2>&1 &
SERVER=$!
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$ROOT/serve.out" | head -n 1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "run.sh: the server did not start:" >&2; cat "$ROOT/serve.out" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
# One request of each kind must succeed before measuring.
for q in "Patient/1" "Patient?$(sed -n 2p "$ROOT/family.lua" | tr -d ' ",')"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/fhir/$q")
    [ "$code" = 200 ] || { echo "run.sh: GET /fhir/$q answered $code" >&2; exit 1; }
done

run() {  # title, script, target kind (rps|p99)
    echo
    echo "== $1"
    wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" --latency -s "$2" "$URL" | tee "$ROOT/wrk.out"
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$ROOT/wrk.out")
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
               else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
               print v }' "$ROOT/wrk.out")
    if [ "$3" = rps ]; then
        awk -v r="$rps" -v p="$p99" 'BEGIN { printf "RESULT %.0f req/s (target >= 50000: %s, %.2f of it), p99 %.2f ms\n",
            r, (r >= 50000 ? "PASS" : "FAIL"), r / 50000, p }'
    else
        awk -v r="$rps" -v p="$p99" 'BEGIN { printf "RESULT p99 %.2f ms (target <= 10 ms: %s, %.2f of it), %.0f req/s\n",
            p, (p <= 10 ? "PASS" : "FAIL"), p / 10, r }'
    fi
}
run "read by id: GET /fhir/Patient/{id}" "$ROOT/read.lua" rps
run "search family + birthdate" "$ROOT/family-run.lua" p99
run "search by identifier (IPP)" "$ROOT/identifier-run.lua" p99
