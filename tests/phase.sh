#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/phase.sh - runs one phase of `make test` (tests/test.mk) with its
# output in a log of its own, so that phases running at once do not mix
# their lines.
#
#   sh tests/phase.sh <name> <log> <command>...
#
# Prints one line when the phase ends, "ok <name> (<S> s)"; if the command
# fails, first the whole log, each line prefixed with "<name>| ", then
# "FAILED <name> ...". Exits with the command's status.
set -u
name=$1 log=$2
shift 2
mkdir -p "$(dirname "$log")"
start=$(date +%s)
"$@" >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
if [ $rc -eq 0 ]; then
    printf 'ok      %-22s %4d s\n' "$name" "$secs"
else
    sed "s/^/$name| /" "$log"
    printf 'FAILED  %-22s %4d s (exit %d; log: %s)\n' "$name" "$secs" $rc "$log"
fi
exit $rc
