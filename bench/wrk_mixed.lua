-- SPDX-License-Identifier: Apache-2.0
-- bench/wrk_mixed.lua - the memory run: every route the read benchmarks
-- use, in turn, with one durable insert in every five requests.
-- BENCH_PATHS holds the read paths, separated by spaces.

dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

local threads, run = 0, os.getenv("BENCH_RUN") or tostring(os.time())

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do
  paths[#paths + 1] = p
end
local n = 0

function request()
  n = n + 1
  if n % 5 == 0 then
    local body = string.format(
      '{"permit_number":"M-%s-%d-%d","client":"bench-http","county":"county-9",' ..
      '"county_status":"Active","issued_on":"2031-01-01","fee_cents":1}', run, tid, n)
    return wrk.format("POST", "/api/permits",
                      {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", paths[n % #paths + 1])
end
