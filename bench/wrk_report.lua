-- SPDX-License-Identifier: Apache-2.0
-- bench/wrk_report.lua - wrk's summary as one line bench/run.sh parses:
--   WRK <requests/s> <p50 us> <p99 us> <non-2xx/3xx responses> <socket errors>
-- Used alone for GETs (wrk -s wrk_report.lua URL); wrk_insert.lua and
-- wrk_mixed.lua define their requests and load this for the report.

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %.1f %.1f %.1f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
