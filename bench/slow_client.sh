#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/slow_client.sh - durable inserts' p99 with and without slow clients.
#
# Runs the e2e case slow_client/inserts_go_on_while_clients_stop_reading_
# and_a_scan_runs (tests/e2e/slow_client_test.cc): 32 connections insert
# through nginx, first alone, then while 4 clients that stopped reading
# hold the largest list page straight on the worker's socket and another
# scans every record (200k, LMDBAPI_SLOW_CLIENT_RECORDS) on an unindexed
# field. Prints both p99s, measured in the same run, and their factor.
#
#   BUILD=build/permits     where the binaries are
#
# Output: the figure line on stdout; exit status is the test's.

set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD:-$root/build/permits}
case $build in /*) ;; *) build=$root/$build ;; esac
for b in "$build/e2e-tests" "$build/lmdbapi-worker"; do
    [ -x "$b" ] || { echo "slow_client.sh: no $b (make $b)" >&2; exit 1; }
done
out=$(LMDBAPI_WORKER="$build/lmdbapi-worker" LMDBAPI_ROOT="$root" \
    "$build/e2e-tests" \
    --run_test=slow_client/inserts_go_on_while_clients_stop_reading_and_a_scan_runs 2>&1)
rc=$?
printf '%s\n' "$out" | grep '^slow_client:' ||
    { printf '%s\n' "$out" >&2; exit 1; }
exit $rc
