-- SPDX-License-Identifier: Apache-2.0
-- bench/wrk_insert.lua - POST /api/permits with a new permit_number every
-- request, so every insert passes the unique index and is a real write.
-- Numbers are <run>-<thread>-<counter>: wrk runs each thread's Lua state
-- apart, so a per-thread counter needs no locking, and the run tag (from
-- the environment) keeps runs of one database apart.

dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

local threads, run = 0, os.getenv("BENCH_RUN") or tostring(os.time())

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  n = n + 1
  local body = string.format(
    '{"permit_number":"W-%s-%d-%d","client":"bench-http","county":"county-9",' ..
    '"county_status":"Active","issued_on":"2031-01-01","fee_cents":1,' ..
    '"notes":"inserted by wrk"}', run, tid, n)
  return wrk.format(nil, nil, nil, body)
end
