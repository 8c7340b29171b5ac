#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/crash_soak.sh - the crash test (tests/e2e/crash_test.cc), longer.
#
#   sh bench/crash_soak.sh [cycles] [seed] [workers]
#                                     (defaults: 25, from the clock, 2)
#
# Builds the default schema's worker and e2e binary, then runs the crash
# suite with LMDBAPI_CRASH_CYCLES kill cycles: four client threads write
# through nginx while a worker (two cycles in three, each in turn) or
# nginx (every third) is SIGKILLed at a random moment. After each restart
# every acknowledged write must be there exactly, nothing refused or
# half-done, every index and parent link must agree with its table, and
# mdb_stat must read the environment with no reader slot of a dead process
# left. The
# last line is the figures, ending "mismatches = 0". A failure prints the
# seed: rerun with it to repeat the same kill points (timing permitting).
set -eu
cd "$(dirname "$0")/.."
cycles=${1:-25}
seed=${2:-$(date +%s | cut -c5-)}
workers=${3:-2}
make --no-print-directory -j2 build/permits/lmdbapi-worker build/permits/e2e-tests
echo "crash soak: $cycles cycles, seed $seed, $workers worker(s)"
LMDBAPI_CRASH_CYCLES=$cycles LMDBAPI_CRASH_SEED=$seed LMDBAPI_CRASH_WORKERS=$workers \
LMDBAPI_WORKER=$PWD/build/permits/lmdbapi-worker LMDBAPI_ROOT=$PWD \
    build/permits/e2e-tests -t crash --report_level=short
