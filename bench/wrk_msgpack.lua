-- SPDX-License-Identifier: Apache-2.0
-- bench/wrk_msgpack.lua - the GET it is given, asking for msgpack
-- (Accept: application/msgpack), with wrk_report.lua's summary line: the
-- msgpack rows beside the same GETs in JSON.

dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

wrk.headers["Accept"] = "application/msgpack"
