# SPDX-License-Identifier: Apache-2.0
# bench/bench.mk - benchmarks; included by the top-level Makefile, whose
# variables (BUILD, CXX, objs, store, worker, ...) it uses.
#
# Every benchmark runs beside a ceiling measured in the same run, as one
# table (bench/run.sh; under 10 minutes on 2 cores). BENCH_SECONDS (5) sets
# each wrk run, BENCH_RSS_SECONDS (60) the memory run. Uses the permits
# schema's names, so it runs with the default SCHEMA only.
BENCH_PKGS  := wrk redis-server webdis
bench_srcs  := $(wildcard bench/*.cc)
store_bench := $(BUILD)/store-bench
bare_fcgi   := $(BUILD)/bare-fcgi

$(store_bench): $(call objs,bench/store_bench.cc bench/raw_lmdb.cc) $(store)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -o $@

$(bare_fcgi): $(call objs,bench/bare_fcgi_main.cc)
	$(CXX) $(CXXFLAGS) $^ -lfcgi -o $@

# A page of JSON written the landed way (RapidJSON's SSE2 writer) and ours.
json_bench  := $(BUILD)/json-page-bench
$(json_bench): $(call objs,bench/json_page_bench.cc bench/json_landed_writer.cc) \
               $(http) $(store)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -o $@

# The original design's latency claims at their own rates (bench/paced.h):
# in process, and over HTTP through nginx with a paced client of our own.
paced_bench := $(BUILD)/paced-bench
paced_http  := $(BUILD)/paced-http
$(paced_bench): $(call objs,bench/paced_bench.cc) $(store)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -o $@

$(paced_http): $(call objs,bench/paced_http_main.cc)
	$(CXX) $(CXXFLAGS) $^ -o $@

-include $(patsubst %.o,%.d,$(call objs,$(bench_srcs)))

bench-deps: deps ## install what make bench's load side needs (wrk, redis, webdis)
	$(call install-missing,$(BENCH_PKGS))

bench: bench-deps $(store_bench) $(bare_fcgi) $(json_bench) $(paced_bench) $(paced_http) $(worker) $(admin) ## every benchmark beside a baseline measured in the same run
	BUILD=$(abspath $(BUILD)) sh bench/run.sh

.PHONY: bench bench-deps
