#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh - what `make bench` runs: every benchmark, one table.
#
# Builds nothing (make does). Runs store-bench (the library beside raw
# LMDB), then serves its database through nginx and lmdbapi-worker and
# loads it with wrk next to three ceilings and one peer, all measured in
# this run on loopback:
#   nginx `return 200` with the same body     (bench/nginx-ceiling.conf.in)
#   bare-fcgi: libfcgi answering the same body behind the same nginx set-up
#   redis-server + webdis serving the same record JSON by key (the peer)
#   fastify + lmdb-js on the same permits (bench/fastify_peer: the peer a
#   JavaScript team would write instead; skipped without Node 20 or later)
# and durable inserts once more through a second worker on the same
# database with WRITE_BATCH_MAX=1 (one commit and fsync per request, the
# baseline group commit is measured against),
# then the original design's latency claims at their own rates, paced
# (bench/paced.h: open loop, latency from each request's due time), in
# process (paced-bench) and over HTTP (paced-http; inserts both through the
# sync worker and a third, DURABILITY=nosync, one), then records the
# worker's memory under a 60-second mixed load. Every
# process it starts is stopped on the way out, failure or not.
#
#   BUILD=build/permits     where the binaries are (make passes it)
#   BENCH_SECONDS=5         length of each wrk run
#   BENCH_RSS_SECONDS=60    length of the memory run
#   BENCH_KEEP=1            keep the temporary directory (data, logs)
#   PEER_MODULES=DIR        the fastify peer's node_modules (make bench
#                           installs it in build/fastify-peer)
#
# Output: progress on stderr; the table on stdout.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD:-$root/build/permits}
case $build in /*) ;; *) build=$root/$build ;; esac
secs=${BENCH_SECONDS:-5}
rss_secs=${BENCH_RSS_SECONDS:-60}
threads=32  # the worker's WORKER_THREADS default on 2 cores; bare-fcgi too

for b in "$build/store-bench" "$build/json-page-bench" "$build/bare-fcgi" \
         "$build/paced-bench" "$build/paced-http" "$build/lmdbapi-worker" \
         "$build/lmdbapi-admin"; do
    [ -x "$b" ] || { echo "run.sh: no $b (run make bench)" >&2; exit 1; }
done
for t in nginx wrk redis-server redis-cli webdis curl python3; do
    command -v $t >/dev/null 2>&1 ||
        { echo "run.sh: $t is not installed (make bench installs it)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/lmdbapi-bench.XXXXXX) || exit 1
chmod 755 "$tmp"   # nginx's worker processes may run as another user
figures=$tmp/figures
: > "$figures"
began=$(date +%s)

pids=
cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    # Up to 5 s to stop, then KILL: a run must never leave a process behind.
    n=0
    while [ $n -lt 50 ]; do
        alive=
        for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        n=$((n + 1))
        sleep 0.1
    done
    for p in $pids; do kill -KILL "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    pids=
    if [ -n "${BENCH_KEEP:-}" ]; then
        echo "run.sh: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

say() { echo "bench: $*" >&2; }
fail() { echo "run.sh: $*" >&2; exit 1; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for WHAT CMD...: retry CMD for up to 10 s.
wait_for() {
    what=$1; shift
    n=0
    until "$@" >/dev/null 2>&1; do
        n=$((n + 1))
        [ $n -gt 100 ] && fail "$what did not come up (logs in $tmp)"
        sleep 0.1
    done
}

# ---- 1. the library beside raw LMDB
say "library and raw LMDB (about 1 minute)"
"$build/store-bench" "$tmp/data" >> "$figures" || fail "store-bench failed"
say "the claims at their rates, in process (about 15 seconds)"
"$build/paced-bench" "$tmp/data" >> "$figures" || fail "paced-bench failed"
say "JSON pages, ours beside RapidJSON's SSE2 writer (about 10 seconds)"
"$build/json-page-bench" >> "$figures" || fail "json-page-bench failed"

# ---- 2. the API: the worker on the store-bench database, dev.conf.in
api_port=$(free_port)
LMDB_PATH=$tmp/data/lib DURABILITY=sync LOG_LEVEL=error \
    FCGI_SOCKET=$tmp/worker.sock FCGI_SOCKET_MODE=0600 WORKER_THREADS=$threads \
    "$build/lmdbapi-worker" 2> "$tmp/worker.log" &
wpid=$!
pids="$pids $wpid"
wait_for "the worker" test -S "$tmp/worker.sock"

# dev.conf.in's @USER@: nginx's workers run as this user, so they reach
# the workers' sockets (0600 here, FCGI_SOCKET_MODE).
if [ "$(id -u)" = 0 ]; then user_line="user $(id -un) $(id -gn);"
else user_line="# not root"; fi
# dev.conf.in's @PROBLEMS_CONF@: nginx's error pages, from the worker
# measured (src/http/problems.def), as make run renders them.
"$build/lmdbapi-worker" --print-nginx-problems > "$tmp/problems.conf" ||
    fail "lmdbapi-worker --print-nginx-problems failed"
render() {  # template output; then sed expressions
    tmpl=$1 out=$2; shift 2
    sed -e "s|@USER@|$user_line|g" \
        -e "s|@PROBLEMS_CONF@|$tmp/problems.conf|g" "$@" "$tmpl" > "$out" ||
        fail "cannot render $tmpl"
}
start_nginx() {  # prefix conf
    nginx -e stderr -p "$1/" -c "$2" -t -q || fail "nginx rejects $2"
    nginx -e stderr -p "$1/" -c "$2" 2>> "$1/nginx.log" &
    pids="$pids $!"
}

mkdir -p "$tmp/nginx-api"
render "$root/conf/nginx/dev.conf.in" "$tmp/nginx-api/nginx.conf" \
    -e "s|@LISTEN@|127.0.0.1:$api_port|g" -e "s|@PREFIX@|$tmp/nginx-api|g" \
    -e "s|@UPSTREAM_SERVERS@|server unix:$tmp/worker.sock;|g" \
    -e "s|@ROOT@|$root|g"
start_nginx "$tmp/nginx-api" "$tmp/nginx-api/nginx.conf"
api=http://127.0.0.1:$api_port
wait_for "nginx (API)" curl -sf "$api/api/permits?limit=1"

# The one-commit-per-request baseline: a second worker on the same database
# with WRITE_BATCH_MAX=1, behind its own copy of dev.conf.in. It idles
# until its own row; the two share LMDB's reader table (2 x 32 < 126).
api1_port=$(free_port)
LMDB_PATH=$tmp/data/lib DURABILITY=sync LOG_LEVEL=error WRITE_BATCH_MAX=1 \
    FCGI_SOCKET=$tmp/worker1.sock FCGI_SOCKET_MODE=0600 WORKER_THREADS=$threads \
    "$build/lmdbapi-worker" 2> "$tmp/worker1.log" &
pids="$pids $!"
wait_for "the WRITE_BATCH_MAX=1 worker" test -S "$tmp/worker1.sock"
mkdir -p "$tmp/nginx-api1"
render "$root/conf/nginx/dev.conf.in" "$tmp/nginx-api1/nginx.conf" \
    -e "s|@LISTEN@|127.0.0.1:$api1_port|g" -e "s|@PREFIX@|$tmp/nginx-api1|g" \
    -e "s|@UPSTREAM_SERVERS@|server unix:$tmp/worker1.sock;|g" \
    -e "s|@ROOT@|$root|g"
start_nginx "$tmp/nginx-api1" "$tmp/nginx-api1/nginx.conf"
api1=http://127.0.0.1:$api1_port
wait_for "nginx (WRITE_BATCH_MAX=1)" curl -sf "$api1/api/permits?limit=1"

# The nosync worker, for the paced insert row fair to a figure measured
# without fsync; idle until then.
apins_port=$(free_port)
LMDB_PATH=$tmp/data/lib DURABILITY=nosync LOG_LEVEL=error \
    FCGI_SOCKET=$tmp/worker-nosync.sock FCGI_SOCKET_MODE=0600 WORKER_THREADS=$threads \
    "$build/lmdbapi-worker" 2> "$tmp/worker-nosync.log" &
pids="$pids $!"
wait_for "the DURABILITY=nosync worker" test -S "$tmp/worker-nosync.sock"
mkdir -p "$tmp/nginx-nosync"
render "$root/conf/nginx/dev.conf.in" "$tmp/nginx-nosync/nginx.conf" \
    -e "s|@LISTEN@|127.0.0.1:$apins_port|g" -e "s|@PREFIX@|$tmp/nginx-nosync|g" \
    -e "s|@UPSTREAM_SERVERS@|server unix:$tmp/worker-nosync.sock;|g" \
    -e "s|@ROOT@|$root|g"
start_nginx "$tmp/nginx-nosync" "$tmp/nginx-nosync/nginx.conf"
wait_for "nginx (DURABILITY=nosync)" curl -sf "http://127.0.0.1:$apins_port/api/permits?limit=1"

# The requests, and the bodies the ceilings will answer with (same bytes).
# The values come from bench/permit_gen.h: combination 7 has 10 records;
# 40 days from 2024-01-01 hold 1,000 (the page shows the first 100).
uuid=$(curl -sf "$api/api/permits?limit=1" |
       sed -n 's/.*"uuid":"\([0-9a-f-]*\)".*/\1/p')
[ -n "$uuid" ] || fail "cannot read a uuid from $api/api/permits"
path_get=/api/permits/$uuid
path_composite="/api/permits/get-record?client=client-007&county=county-0&county_status=Active"
path_range="/api/permits/range?field=issued_on&from=2024-01-01&to=2024-02-09"
path_list="/api/permits?limit=100"
mkdir -p "$tmp/bodies"
for name in get composite range list; do
    eval "p=\$path_$name"
    curl -sf -o "$tmp/bodies/$name" "$api$p" || fail "GET $p failed"
done
curl -sf -o "$tmp/bodies/insert" -H 'Content-Type: application/json' \
    -d '{"permit_number":"B-probe","client":"bench-http","county":"county-9","county_status":"Active","issued_on":"2031-01-01","fee_cents":1,"notes":"inserted by wrk"}' \
    "$api/api/permits" || fail "POST /api/permits failed"

# ---- 3. the ceilings: bare-fcgi behind nginx-ceiling.conf, and return 200
# bare-fcgi picks a body by the last path segment; its insert ceiling is
# POST .../insert-record, answered 201 with the API's insert response.
"$build/bare-fcgi" "$tmp/bare.sock" $threads \
    "$uuid=$tmp/bodies/get" "get-record=$tmp/bodies/composite" \
    "range=$tmp/bodies/range" "permits=$tmp/bodies/list" \
    "insert-record=$tmp/bodies/insert" 2> "$tmp/bare.log" &
pids="$pids $!"
wait_for "bare-fcgi" test -S "$tmp/bare.sock"
ceil_port=$(free_port)
mkdir -p "$tmp/nginx-ceil"
for name in get composite; do
    # The JSON has no single quote, backslash or $, so it is literal text.
    printf "return 200 '%s';\n" "$(cat "$tmp/bodies/$name")" \
        > "$tmp/nginx-ceil/return-$name.conf"
done
render "$here/nginx-ceiling.conf.in" "$tmp/nginx-ceil/nginx.conf" \
    -e "s|@LISTEN@|127.0.0.1:$ceil_port|g" -e "s|@PREFIX@|$tmp/nginx-ceil|g" \
    -e "s|@BARE_SOCKET@|$tmp/bare.sock|g"
start_nginx "$tmp/nginx-ceil" "$tmp/nginx-ceil/nginx.conf"
ceil=http://127.0.0.1:$ceil_port
wait_for "nginx (ceilings)" curl -sf "$ceil/return/get"

# ---- 4. the peer: redis (no persistence) + webdis, the same record by key
redis_port=$(free_port)
webdis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" \
    --appendonly no --daemonize no --dir "$tmp" > "$tmp/redis.log" 2>&1 &
pids="$pids $!"
wait_for "redis-server" redis-cli -p "$redis_port" ping
redis-cli -p "$redis_port" -x SET "$uuid" < "$tmp/bodies/get" > /dev/null ||
    fail "redis SET failed"
cat > "$tmp/webdis.json" <<JSON
{
  "redis_host": "127.0.0.1", "redis_port": $redis_port, "redis_auth": null,
  "http_host": "127.0.0.1", "http_port": $webdis_port,
  "threads": 2, "pool_size": 8, "daemonize": false, "database": 0,
  "verbosity": 1, "logfile": "$tmp/webdis.log"
}
JSON
webdis "$tmp/webdis.json" > "$tmp/webdis.out" 2>&1 &
pids="$pids $!"
# ?type= makes webdis answer the stored bytes themselves, not a JSON
# wrapper around them: the same body as ours.
path_webdis="/GET/$uuid?type=application/json"
wait_for "webdis" curl -sf "http://127.0.0.1:$webdis_port$path_webdis"

# ---- 4b. the peer a JavaScript team would write: fastify + lmdb-js, two
# cluster workers, on an export of the same permits (bench/fastify_peer)
peer=
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ -z "${PEER_MODULES:-}" ] || [ ! -d "$PEER_MODULES" ]; then
    say "no fastify peer (PEER_MODULES not installed; make bench installs it)"
elif [ "$node_major" -lt 20 ]; then
    say "no fastify peer: it needs Node 20 or later, this is Node $node_major"
else
    say "the fastify peer: loading an export of the permits"
    "$build/lmdbapi-admin" --path "$tmp/data/lib" export permits \
        > "$tmp/permits.ndjson" 2> "$tmp/export.log" || fail "export for the peer failed"
    NODE_PATH=$PEER_MODULES node "$here/fastify_peer/server.js" --load \
        "$tmp/peer-data" "$tmp/permits.ndjson" 2> "$tmp/peer-load.log" ||
        fail "the fastify peer could not load ($(cat "$tmp/peer-load.log"))"
    peer_port=$(free_port)
    NODE_PATH=$PEER_MODULES node "$here/fastify_peer/server.js" \
        "$tmp/peer-data" "$peer_port" 2 > "$tmp/peer.log" 2>&1 &
    pids="$pids $!"
    peer=http://127.0.0.1:$peer_port
    wait_for "the fastify peer" curl -sf "$peer$path_get"
fi

# ---- 5. wrk: one run per figure; WRK lines become FIGURE lines
export BENCH_DIR=$here
BENCH_RUN=$(date +%s)
export BENCH_RUN

# load KEY URL CONNECTIONS [SCRIPT]
load() {
    key=$1 url=$2 conns=$3 script=${4:-$here/wrk_report.lua}
    say "wrk ${secs}s -c$conns $key"
    out=$(wrk -t2 -c"$conns" -d"${secs}s" -s "$script" "$url" 2>&1) ||
        fail "wrk failed on $url: $out"
    line=$(printf '%s\n' "$out" | grep '^WRK ') || fail "no report from wrk: $out"
    set -- $line
    [ "$5" = 0 ] && [ "$6" = 0 ] ||
        say "warning: $key: $5 non-2xx answers, $6 socket errors"
    echo "FIGURE $key $2 $3 $4" >> "$figures"
}

load http.get         "$api$path_get"                  32
load nginx.get        "$ceil/return/get"               32
load bare.get         "$ceil$path_get"                 32
load webdis.get       "http://127.0.0.1:$webdis_port$path_webdis" 32
[ -n "$peer" ] && load fastify.get "$peer$path_get"    32
load http.composite   "$api$path_composite"            32
load nginx.composite  "$ceil/return/composite"         32
load bare.composite   "$ceil$path_composite"           32
[ -n "$peer" ] && load fastify.composite "$peer$path_composite" 32
load http.range       "$api$path_range"                32
load bare.range       "$ceil$path_range"               32
load http.list        "$api$path_list"                 32
# The same GETs answered in msgpack (Accept: application/msgpack).
load http.get_msgpack  "$api$path_get"                 32 "$here/wrk_msgpack.lua"
load http.list_msgpack "$api$path_list"                32 "$here/wrk_msgpack.lua"
load bare.list        "$ceil$path_list"                32
# Writes per commit over the run, from the worker's /api/metrics.
commits() {  # URL -> "writes commits"
    curl -sf "$1/api/metrics" | awk '
        $1 == "lmdbapi_lmdb_writes_per_transaction_sum"   { w = $2 }
        $1 == "lmdbapi_lmdb_writes_per_transaction_count" { c = $2 }
        END { print w + 0, c + 0 }'
}
set -- $(commits "$api")
w0=$1 c0=$2
load http.insert      "$api/api/permits"               64 "$here/wrk_insert.lua"
set -- $(commits "$api")
echo "INFO http.insert_batch $(awk -v w=$(($1 - w0)) -v c=$(($2 - c0)) \
    'BEGIN { printf "%.1f", (c > 0 ? w / c : 0) }')" >> "$figures"
# Its own run tag: the same permit numbers would now be 409s.
BENCH_RUN=${BENCH_RUN}b load http.insert1 "$api1/api/permits" 64 \
    "$here/wrk_insert.lua"
load bare.insert      "$ceil/api/permits/insert-record" 64 "$here/wrk_insert.lua"
[ -n "$peer" ] && load fastify.insert "$peer/api/permits" 64 "$here/wrk_insert.lua"

# ---- 5a. bulk load: one POST /api/permits/bulk of BENCH_BULK_RECORDS
# NDJSON lines, next to lmdbapi-admin import of the same lines into a new
# directory (records per second; single inserts are http.insert above).
bulk_n=${BENCH_BULK_RECORDS:-50000}
bulk_rate() {  # FIGURE KEY from nanoseconds before and after
    awk -v n="$bulk_n" -v ns=$(($3 - $2)) -v k="$1" \
        'BEGIN { printf "FIGURE %s %.1f 0 0\n", k, n / (ns / 1e9) }' >> "$figures"
}
for tag in h a; do
    awk -v n="$bulk_n" -v run="${BENCH_RUN}$tag" 'BEGIN {
        for (i = 0; i < n; i++)
            printf "{\"permit_number\":\"B-%s-%d\",\"client\":\"bench-bulk\",\"county\":\"county-%d\",\"county_status\":\"Active\",\"issued_on\":\"2031-01-01\",\"fee_cents\":%d,\"notes\":\"bulk\"}\n", run, i, i % 50, i
    }' > "$tmp/bulk-$tag.ndjson"
done
say "bulk load of $bulk_n records over HTTP"
t0=$(date +%s%N)
curl -sf -o "$tmp/bulk.out" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$tmp/bulk-h.ndjson" "$api/api/permits/bulk?return=count" ||
    fail "bulk load failed: $(cat "$tmp/bulk.out" 2>/dev/null)"
t1=$(date +%s%N)
grep -q "\"count\":$bulk_n" "$tmp/bulk.out" || fail "bulk load: $(cat "$tmp/bulk.out")"
bulk_rate http.bulk "$t0" "$t1"
say "lmdbapi-admin import of the same $bulk_n records"
t0=$(date +%s%N)
"$build/lmdbapi-admin" --path "$tmp/import-data" import permits \
    "$tmp/bulk-a.ndjson" > "$tmp/import.out" 2>&1 ||
    fail "lmdbapi-admin import failed: $(tail -3 "$tmp/import.out")"
t1=$(date +%s%N)
bulk_rate admin.import "$t0" "$t1"

# ---- 5b. the claims at their rates over HTTP (paced-http, open loop)
# paced KEY PORT KIND RATE CONNECTIONS
paced() {
    say "paced ${secs}s $1 at $4/s"
    "$build/paced-http" "$2" "$3" "$4" "$secs" "$5" "$1" "${BENCH_RUN}-$1" \
        >> "$figures" || fail "paced-http failed ($1)"
}
paced http.paced_composite      "$api_port"   composite 85000 32
paced http.paced_insert_nosync  "$apins_port" insert    12000 64
paced http.paced_insert_sync    "$api_port"   insert    12000 64

# ---- 6. the worker's memory: peak, and no growth from 10 s to the end
say "wrk ${rss_secs}s -c32 mixed reads and inserts (memory)"
BENCH_PATHS="$path_get $path_composite $path_range $path_list"
export BENCH_PATHS
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$wpid/status"; }
wrk -t2 -c32 -d"${rss_secs}s" -s "$here/wrk_mixed.lua" "$api/" \
    > "$tmp/wrk-mixed.out" 2>&1 &
mixed=$!
pids="$pids $mixed"
sleep 10
# VmRSS counts the pages of data.mdb the worker has touched (LMDB reads
# through its memory map), which grows with the data the run inserts and
# reads; RssAnon is the worker's own memory, where a leak would show.
rss_10=$(rss VmRSS) anon_10=$(rss RssAnon)
wait $mixed || fail "wrk (memory run) failed: $(cat "$tmp/wrk-mixed.out")"
rss_end=$(rss VmRSS) anon_end=$(rss RssAnon)
hwm=$(rss VmHWM)
line=$(grep '^WRK ' "$tmp/wrk-mixed.out")
set -- $line
echo "FIGURE http.mixed $2 $3 $4" >> "$figures"
{
    echo "INFO rss.at_10s_kb $rss_10"
    echo "INFO rss.at_end_kb $rss_end"
    echo "INFO anon.at_10s_kb $anon_10"
    echo "INFO anon.at_end_kb $anon_end"
    echo "INFO rss.peak_kb $hwm"
} >> "$figures"

# ---- 7. the table
for name in get composite range list insert; do
    echo "INFO body.$name $(wc -c < "$tmp/bodies/$name")" >> "$figures"
done
took=$(( $(date +%s) - began ))
{
    # section, operation, our key, what it is compared with, its key
    cat <<'ROWS'
L	insert, durable, 1 thread	lib.insert_1t	raw LMDB, same 4 puts, 1 txn each	raw.insert_1t
L	insert, durable, 8 threads	lib.insert_8t	raw LMDB, 8 threads, 1 txn each	raw.insert_8t
L	get by uuid	lib.get	raw mdb_get	raw.get
L	composite lookup, 10 hits	lib.composite	raw dupsort walk + 10 mdb_get	raw.composite
L	range scan, 1,000 records	lib.range	raw index walk + 1,000 mdb_get	raw.range
L	full scan 50k, fee_cents = x	lib.scan	raw cursor walk, int compare	raw.scan
L	JSON page, 100 permits	json.page100_ours	RapidJSON SSE2 writer (landed)	json.page100_landed
L	JSON page, 100 x 2 KiB notes	json.page100_long_ours	  "	json.page100_long_landed
L	msgpack page, 100 permits	msgpack.page100_msgpack	the same page in JSON	msgpack.page100_json
H	GET /api/permits/{uuid}	http.get	nginx return 200, same body	nginx.get
H	  "	http.get	bare libfcgi, same body	bare.get
H	  "	http.get	peer: redis + webdis GET	webdis.get
H	  "	http.get	peer: fastify + lmdb-js	fastify.get
H	get-record, 10 hits	http.composite	nginx return 200, same body	nginx.composite
H	  "	http.composite	bare libfcgi, same body	bare.composite
H	  "	http.composite	peer: fastify + lmdb-js	fastify.composite
H	range page (100 of 1,000)	http.range	bare libfcgi, same body	bare.range
H	list page (100)	http.list	bare libfcgi, same body	bare.list
H	GET /api/permits/{uuid}, msgpack	http.get_msgpack	the same GET in JSON	http.get
H	list page (100), msgpack	http.list_msgpack	the same page in JSON	http.list
H	bulk load, records/s (1 request)	http.bulk	single inserts, 64 conns	http.insert
H	  "	http.bulk	lmdbapi-admin import, same lines	admin.import
H	insert, durable, 64 conns	http.insert	bare libfcgi, same 201 body	bare.insert
H	  "	http.insert	one commit per request	http.insert1
H	  "	http.insert	peer: fastify + lmdb-js	fastify.insert
H	mixed reads + inserts (memory)	http.mixed	-	-
P	floor: no-op, as the query	lib.paced_noop	8
P	composite query, in process	lib.paced_composite	8
P	floor: no-op, as the insert	lib.paced_noop_async	42
P	insert, in process, nosync	lib.paced_insert_nosync	42
P	insert, in process, sync	lib.paced_insert_sync	42
P	get-record over HTTP	http.paced_composite	8
P	insert over HTTP, nosync	http.paced_insert_nosync	42
P	insert over HTTP, sync	http.paced_insert_sync	42
ROWS
} > "$tmp/rows"
awk -F'\t' -v took="$took" -v secs="$secs" -v rss_secs="$rss_secs" '
    FILENAME == ARGV[1] {
        split($0, f, " ")
        if (f[1] == "FIGURE") { ops[f[2]] = f[3]; p50[f[2]] = f[4]; p99[f[2]] = f[5] }
        if (f[1] == "INFO") info[f[2]] = f[3]
        if (f[1] == "PACED") {
            target[f[2]] = f[3]; got[f[2]] = f[4]
            q50[f[2]] = f[5]; q99[f[2]] = f[6]; q999[f[2]] = f[7]
        }
        next
    }
    function lat(v) {
        if (v == "" || v == "-") return "-"
        if (v >= 10000) return sprintf("%.1fms", v / 1000)
        return sprintf("%.1fus", v)
    }
    function rate(v) {
        if (v == "") return "missing"
        if (v >= 100000) return sprintf("%.0fk/s", v / 1000)
        if (v >= 10000) return sprintf("%.1fk/s", v / 1000)
        return sprintf("%.0f/s", v)
    }
    function row(op, k, with, w) {
        ratio = (w != "-" && ops[w] > 0 && ops[k] != "") ? sprintf("%.2f", ops[k] / ops[w]) : "-"
        printf "%-28s %9s %8s %8s | %-34s %9s %8s %8s | %5s\n", op, rate(ops[k]),
               lat(p50[k]), lat(p99[k]), with, w == "-" ? "-" : rate(ops[w]),
               w == "-" ? "-" : lat(p50[w]), w == "-" ? "-" : lat(p99[w]), ratio
    }
    $1 == "L" && !lib++ {
        printf "%-28s %9s %8s %8s | %-34s %9s %8s %8s | %5s\n", "operation", "ours",
               "p50", "p99", "compared with (same run)", "theirs", "p50", "p99", "ratio"
        print "-- library, in process (Durability sync for writes; one thread unless said)"
    }
    $1 == "H" && !http++ {
        printf "-- HTTP via nginx on loopback, DURABILITY=sync; wrk -t2 -c32 %ss unless said\n", secs
    }
    $1 == "P" && !paced++ {
        print "-- the original design'"'"'s claims at their own rates: paced, open loop, latency from"
        print "   each request'"'"'s due time (bench/paced.h); sync = DURABILITY=sync, group commit"
        printf "%-28s %9s %9s %8s %8s %8s | %-10s %s\n", "operation", "target", "achieved",
               "p50", "p99", "p99.9", "claim p99", "met?"
    }
    $1 == "P" {
        k = $3
        if (got[k] == "") { printf "%-28s missing\n", $2; next }
        x = q99[k] / $4
        met = (got[k] >= 0.98 * target[k] && q99[k] <= $4) ? "met" : \
              sprintf("missed (p99 %s x the claim%s)",
                      x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x),
                      got[k] < 0.98 * target[k] ? ", rate not held" : "")
        printf "%-28s %9s %9s %8s %8s %8s | %-10s %s\n", $2, rate(target[k]), rate(got[k]),
               lat(q50[k]), lat(q99[k]), lat(q999[k]), lat($4), met
        next
    }
    { row($2, $3, $4, $5) }
    END {
        print "-- worker memory (lmdbapi-worker, " info["rss.peak_kb"] " kB peak VmHWM)"
        printf "   after 10 s of the mixed run: VmRSS %s kB, RssAnon %s kB\n",
               info["rss.at_10s_kb"], info["anon.at_10s_kb"]
        printf "   at its end (%s s):           VmRSS %s kB, RssAnon %s kB  (RssAnon growth %+d kB)\n",
               rss_secs, info["rss.at_end_kb"], info["anon.at_end_kb"],
               info["anon.at_end_kb"] - info["anon.at_10s_kb"]
        printf "-- bodies (bytes): get %s, get-record %s, range page %s, list page %s, insert %s\n",
               info["body.get"], info["body.composite"], info["body.range"],
               info["body.list"], info["body.insert"]
        printf "-- group commit: %s writes per commit with 8 threads; load of 50k: lib %ss, raw %ss\n",
               info["lib.insert_8t_batch"], info["lib.load_seconds"], info["raw.load_seconds"]
        printf "-- HTTP inserts, 64 conns: %s writes per commit; one commit per request = WRITE_BATCH_MAX=1\n",
               info["http.insert_batch"]
        printf "-- ratio = ours / theirs in requests (operations) per second; this run took %ss\n", took
    }
' "$figures" "$tmp/rows"
