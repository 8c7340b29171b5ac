#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/run.sh - runs one libFuzzer target and prints its figures.
#
#   sh tests/fuzz/run.sh <target binary> <seconds> <new-corpus dir> <seed dir>...
#
# New interesting inputs go to the first directory; the seed directories
# (the checked-in corpus) are only read. A crash, leak, timeout or failed
# FUZZ_CHECK leaves the input in <target dir>/crashes/ and fails the run
# with libFuzzer's report. On success prints one line:
#   fuzz <target>: <N> executions in <S> s, <M> corpus inputs tried, <K> new
set -u
bin=$1 secs=$2 out=$3
shift 3
name=$(basename "$bin")
crashes=$(dirname "$bin")/crashes
log=$(dirname "$bin")/$name.log
mkdir -p "$out" "$crashes"
supp=$(cd "$(dirname "$0")" && pwd)/ubsan.supp
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp"
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$crashes/$name-" \
    "$out" "$@" >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    tail -n 60 "$log"
    echo "fuzz $name: FAILED (exit $rc); the input is in $crashes/, the log in $log"
    exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
new=$(sed -n 's/^stat::new_units_added: *//p' "$log")
seeds=$(sed -n 's/^INFO: seed corpus: files: \([0-9]*\).*/\1/p' "$log")
took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
echo "fuzz $name: ${execs:-?} executions in ${took:-$secs} s, ${seeds:-0} corpus inputs tried, ${new:-0} new, 0 crashes"
