#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# conf/nginx/run-dev.sh - serve the API through nginx until Ctrl-C.
#
# What `make run` runs: starts lmdbapi-worker (LMDBAPI_WORKER, else the
# permits build) on a unix socket, renders dev.conf.in for nginx, runs nginx
# in the foreground of this script, and on INT or TERM stops both (the
# worker finishes requests in flight) and exits 0.
#
# Settings come from the environment, with the worker's defaults:
#   HOST_URL=127.0.0.1:8080  where nginx listens
#   LMDB_PATH=./var/data     the LMDB environment
#   FCGI_SOCKET              default ./var/run/lmdb-api-<port>.sock
#   FCGI_SOCKET_MODE=0600    only this user (and nginx, run as it) connects
#   and LMDB_MAP_SIZE_GB, DURABILITY, WORKER_THREADS, LOG_LEVEL, ...,
#   which the worker reads itself.
# nginx's pid, logs and temp files go to ./var/nginx-<port>/, so copies with
# different HOST_URL (and LMDB_PATH) run side by side.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
worker=${LMDBAPI_WORKER:-$root/build/permits/lmdbapi-worker}

HOST_URL=${HOST_URL:-127.0.0.1:8080}
LMDB_PATH=${LMDB_PATH:-./var/data}
port=${HOST_URL##*:}
case $port in
    ''|*[!0-9]*)
        echo "run-dev.sh: HOST_URL: \"$HOST_URL\" is not host:port" \
             "(expected e.g. 127.0.0.1:8080)" >&2
        exit 2 ;;
esac

if [ ! -x "$worker" ]; then
    echo "run-dev.sh: no worker at $worker (run make, or set LMDBAPI_WORKER)" >&2
    exit 1
fi

var=$(pwd)/var
prefix=$var/nginx-$port
sock=${FCGI_SOCKET:-$var/run/lmdb-api-$port.sock}
case $sock in
    /*) ;;
    *) sock=$(pwd)/$sock ;;
esac
(umask 077 && mkdir -p "$prefix" "$(dirname "$sock")") || exit 1

# sed replacement text: escape \, & and the | delimiter.
esc() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }
# nginx's workers run as whoever ran this (see dev.conf.in), so that they
# reach a private checkout and a 0600 socket.
if [ "$(id -u)" = 0 ]; then
    user_line="user $(id -un) $(id -gn);"
else
    user_line="# not root: nginx's workers run as $(id -un)"
fi
conf=$prefix/nginx.conf
sed -e "s|@USER@|$(esc "$user_line")|g" \
    -e "s|@LISTEN@|$(esc "$HOST_URL")|g" \
    -e "s|@PREFIX@|$(esc "$prefix")|g" \
    -e "s|@UPSTREAM_SERVERS@|server unix:$(esc "$sock");|g" \
    -e "s|@ROOT@|$(esc "$root")|g" \
    -e "s|@PROBLEMS_CONF@|$(esc "$prefix/problems.conf")|g" \
    "$here/dev.conf.in" > "$conf" || exit 1
# nginx's error pages, from the worker being served (src/http/problems.def).
"$worker" --print-nginx-problems > "$prefix/problems.conf" || exit 1

# -e stderr: nginx would otherwise first open its compiled-in error log,
# which an ordinary user cannot write.
if ! nginx -e stderr -p "$prefix/" -c "$conf" -t -q; then
    echo "run-dev.sh: nginx rejects $conf (see above)" >&2
    exit 1
fi

export HOST_URL LMDB_PATH
FCGI_SOCKET=$sock
# Only this user (and so nginx, running as it) may connect: anyone who can
# speak FastCGI to the worker bypasses nginx and the API keys.
FCGI_SOCKET_MODE=${FCGI_SOCKET_MODE:-0600}
export FCGI_SOCKET FCGI_SOCKET_MODE

wpid= npid= stopping=0
stop() {
    [ "$stopping" = 1 ] && return
    stopping=1
    # The worker finishes requests in flight; nginx QUIT is its graceful
    # stop. Either may already be gone (Ctrl-C reaches the whole group).
    [ -n "$npid" ] && kill -QUIT "$npid" 2>/dev/null
    [ -n "$wpid" ] && kill -TERM "$wpid" 2>/dev/null
    [ -n "$npid" ] && wait "$npid" 2>/dev/null
    [ -n "$wpid" ] && wait "$wpid" 2>/dev/null
}
trap 'stop; exit 0' INT TERM

# The socket is ready once the worker has made it anew. One older than the
# marker is stale, from an earlier run (the worker replaces it). File times
# are coarse, so "not older" rather than "newer".
marker=$prefix/.worker-start
: > "$marker"
"$worker" &
wpid=$!
tries=0
until [ -S "$sock" ] && [ -z "$(find "$marker" -newer "$sock" 2>/dev/null)" ]; do
    if ! kill -0 "$wpid" 2>/dev/null; then
        wait "$wpid"
        rc=$?
        echo "run-dev.sh: the worker exited with code $rc (its message is above)" >&2
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ]; then
        echo "run-dev.sh: no socket at $sock after 60 s; giving up" >&2
        stop
        exit 1
    fi
    sleep 0.1
done

nginx -e stderr -p "$prefix/" -c "$conf" &
npid=$!
sleep 0.3
if ! kill -0 "$npid" 2>/dev/null; then
    echo "run-dev.sh: nginx did not start (its message is above)" >&2
    stop
    exit 1
fi

table=$("$worker" --print-tables | head -n 1)
echo "lmdb-api: http://$HOST_URL/api/  (LMDB_PATH=$LMDB_PATH; Ctrl-C stops)"
echo "  try:   curl -s http://$HOST_URL/api/$table"
echo "  docs:  http://$HOST_URL/api/docs/  (make docs)   health, metrics: /api/health, /api/metrics"
echo "  logs:  $prefix/access.log; worker and nginx errors on this terminal"

# Wake at once on INT/TERM (a trapped signal interrupts wait), and notice
# if either process dies on its own.
while :; do
    if ! kill -0 "$wpid" 2>/dev/null; then
        echo "run-dev.sh: the worker exited; stopping nginx" >&2
        stop
        exit 1
    fi
    if ! kill -0 "$npid" 2>/dev/null; then
        echo "run-dev.sh: nginx exited; stopping the worker" >&2
        stop
        exit 1
    fi
    sleep 1 &
    wait $!
done
