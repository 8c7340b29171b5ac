# SPDX-License-Identifier: Apache-2.0
# tests/total_reports.awk - totals Boost.Test short reports into the line
# make test ends with: "tests: N passed, M failed, K skipped".
#
#   awk -f tests/total_reports.awk build/*/*.report
#
# A suite run in shards (e2e-1.report, e2e-2.report, ... from one binary,
# each with its own --run_test) reports the cases the other shards ran as
# skipped too, so skipped is counted per binary: its cases less those
# passed or failed in any of its shards. That also counts cases Boost.Test
# skips on its own, like a single run's report does.
{
    group = FILENAME
    sub(/-[0-9]+\.report$/, "", group)
    if (match($0, /test cases? out of [0-9]+/)) {
        n = substr($0, RSTART, RLENGTH)
        sub(/.* /, "", n)
        total[group] = n + 0
    }
}
/test cases? out of [0-9]+ passed/ { passed[group] += $1 }
/test cases? out of [0-9]+ failed/ { failed[group] += $1 }
/test cases? out of [0-9]+ timed-out/ { failed[group] += $1 }
END {
    for (g in total) {
        p += passed[g]
        f += failed[g]
        s += total[g] - passed[g] - failed[g]
    }
    printf "tests: %d passed, %d failed, %d skipped\n", p, f, s
}
