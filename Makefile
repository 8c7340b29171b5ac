# lmdb-api - a schema file in, a fast REST API over LMDB out.
#
#   make                 build the library, the worker and the tests
#   make run             build, then serve schema/permits.def through nginx
#   make test            install what is missing, build, run every suite
#                        against every schema under schema/
#   make SCHEMA=schema/inventory.def ...
#                        the same against another schema
#   make deps            install the Debian packages the build needs
#   make install         install the worker, lmdbapi-admin, the systemd
#                        units, the nginx site and an example settings file
#                        (PREFIX=/usr/local, DESTDIR= for packaging)
#   make uninstall       remove what install installed
#   make clean
#
# Each schema builds into its own directory, so switching SCHEMA never mixes
# objects compiled against different schemas, and nothing needs a clean.

SCHEMA   ?= schema/permits.def
schema   := $(basename $(notdir $(SCHEMA)))
BUILD    := build/$(schema)

CXX      ?= g++
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Werror -pthread
# msgpack-c's C++ API pulls in Boost unless told not to; we use none of it.
CPPFLAGS += -Iinclude -Isrc -Itests -DLMDBAPI_SCHEMA='"$(abspath $(SCHEMA))"' \
            -DMSGPACK_NO_BOOST
# RAPIDJSON_SSE2 stays unset (issue 11). RapidJSON 1.1.0's SSE2 string
# scans, in the Writer and in the Reader alike, test max(s, 0x19) == 0x19,
# so bytes 0x1A..0x1F pass unescaped in aligned 16-byte blocks: the Writer
# wrote invalid JSON and the Reader (Document::Parse of a string) accepts
# it. Strings are written by src/http/json_output.cc's own SSE2 escaping;
# record bodies are parsed from a MemoryStream, which RapidJSON never scans
# with SIMD, so parsing loses nothing by it.
LDLIBS   := -llmdb -lfcgi

DEB_PKGS := liblmdb-dev lmdb-utils libfcgi-dev libmsgpack-cxx-dev \
            rapidjson-dev libboost-test-dev libcurl4-openssl-dev nginx \
            spawn-fcgi curl systemd libfcgi-bin prometheus \
            clang llvm libclang-rt-14-dev
# Wanted but not required: without it the docs page test skips, saying so.
DEB_PKGS_OPTIONAL := chromium

# From the npm registry, pinned, installed by `make tools` into build/tools
# (never globally): the OpenAPI validator and Swagger UI's static files.
NPM_PKGS := @redocly/cli@2.77.0 swagger-ui-dist@5.35.0
TOOLS    := build/tools
REDOCLY  := $(TOOLS)/node_modules/.bin/redocly
DOCS     := build/docs

# Files named *_main.cc hold a main(); everything else goes into a library,
# so the tests link the same code the worker runs. Suites in tests/<schema>/
# use that schema's table names and build only with it.
store_srcs := $(wildcard src/store/*.cc src/schema/*.cc)
http_srcs  := $(filter-out %_main.cc,$(wildcard src/http/*.cc))
admin_srcs := $(filter-out %_main.cc,$(wildcard src/admin/*.cc))
test_srcs  := $(wildcard tests/*.cc tests/store/*.cc tests/schema/*.cc \
                         tests/http/*.cc tests/admin/*.cc tests/$(schema)/*.cc)
e2e_srcs   := $(wildcard tests/e2e/*.cc tests/e2e/$(schema)/*.cc)
main_srcs  := $(wildcard src/*/*_main.cc)
all_srcs   := $(store_srcs) $(http_srcs) $(admin_srcs) $(test_srcs) \
              $(e2e_srcs) $(main_srcs)

objs = $(patsubst %.cc,$(BUILD)/%.o,$(1))

store  := $(BUILD)/libstore.a
http   := $(BUILD)/libhttp.a
admlib := $(BUILD)/libadmin.a
worker := $(BUILD)/lmdbapi-worker
admin  := $(BUILD)/lmdbapi-admin
tests  := $(BUILD)/unit-tests
e2e    := $(BUILD)/e2e-tests

all: $(worker) $(if $(wildcard src/admin/admin_main.cc),$(admin)) $(tests) $(e2e)

$(store): $(call objs,$(store_srcs))
	@rm -f $@
	$(AR) rcs $@ $^

$(http): $(call objs,$(http_srcs))
	@rm -f $@
	$(AR) rcs $@ $^

$(admlib): $(call objs,$(admin_srcs))
	@rm -f $@
	$(AR) rcs $@ $^

$(worker): $(BUILD)/src/http/worker_main.o $(http) $(store)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -o $@

$(admin): $(BUILD)/src/admin/admin_main.o $(admlib) $(http) $(store)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -o $@

$(tests): $(call objs,$(test_srcs)) $(admlib) $(http) $(store)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -lboost_unit_test_framework -o $@

$(e2e): $(call objs,$(e2e_srcs)) $(http) $(store)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -lboost_unit_test_framework -lcurl -o $@

# The one compile rule. -MMD writes foo.d beside foo.o naming every header
# and the schema file it read, so editing either rebuilds exactly what used
# it; -MP keeps make quiet when a header is later deleted.
# Objects depend on the flags they were built with, recorded here at parse
# time: a changed flag (a -D above, a CXXFLAGS given on the command line)
# rebuilds everything instead of mixing objects built two ways.
build_flags := $(CXX) $(CPPFLAGS) $(CXXFLAGS)
ifneq ($(file <$(BUILD)/.flags),$(build_flags))
$(shell mkdir -p $(BUILD))
$(file >$(BUILD)/.flags,$(build_flags))
endif

$(BUILD)/%.o: %.cc $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@

-include $(patsubst %.o,%.d,$(call objs,$(all_srcs)))

# Every schema under schema/ builds and passes the unit and end-to-end
# suites, so "any schema works" is checked, not claimed.
# Builds use every core (JOBS); the suites themselves run one at a time.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# The last line adds up every suite's Boost.Test report, for CI.
test: deps
	@rm -f build/*/unit.report build/*/e2e.report
	@for s in schema/*.def; do \
	    $(MAKE) --no-print-directory -j$(JOBS) SCHEMA=$$s check || exit 1; \
	done
	@cat build/*/unit.report build/*/e2e.report | awk ' \
	    /test cases? out of [0-9]+ passed/  { p += $$1 } \
	    /test cases? out of [0-9]+ failed/  { f += $$1 } \
	    /test cases? out of [0-9]+ skipped/ { s += $$1 } \
	    END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }'

# One schema: unit suites, then the end-to-end suites against real nginx and
# real workers (they find the worker binary through LMDBAPI_WORKER).
check: $(tests) $(e2e) $(worker) $(admin) docs
	@echo "== $(schema): unit tests"
	@$(tests) --report_level=short --report_sink=$(BUILD)/unit.report; \
	    rc=$$?; cat $(BUILD)/unit.report; exit $$rc
	@echo "== $(schema): OpenAPI document (redocly lint, conf/redocly.yaml)"
	$(worker) --print-openapi > $(BUILD)/openapi.json
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	    $(REDOCLY) lint --config conf/redocly.yaml --format=stylish \
	    $(BUILD)/openapi.json
	@echo "== $(schema): end-to-end tests"
	@LMDBAPI_WORKER=$(abspath $(worker)) LMDBAPI_ROOT=$(CURDIR) \
	    $(e2e) --report_level=short --report_sink=$(BUILD)/e2e.report; \
	    rc=$$?; cat $(BUILD)/e2e.report; exit $$rc

# The npm tools, again only when NPM_PKGS changed (build/tools/.pinned).
# --ignore-scripts: nothing needs building, and no install script phones
# home.
tools:
	@if [ "$$(cat $(TOOLS)/.pinned 2>/dev/null)" != "$(NPM_PKGS)" ]; then \
	    echo "npm: installing $(NPM_PKGS) into $(TOOLS)"; \
	    mkdir -p $(TOOLS) && \
	    npm install --prefix $(TOOLS) --no-save --ignore-scripts \
	        --no-audit --no-fund $(NPM_PKGS) && \
	    echo "$(NPM_PKGS)" > $(TOOLS)/.pinned; fi

# The /api/docs/ directory nginx serves: our page and Swagger UI's assets.
swagger_ui  := $(TOOLS)/node_modules/swagger-ui-dist
docs_assets := swagger-ui.css swagger-ui-bundle.js favicon-16x16.png \
               favicon-32x32.png
docs: tools
	@mkdir -p $(DOCS)
	@cp $(addprefix $(swagger_ui)/,$(docs_assets)) conf/nginx/docs/index.html \
	    $(DOCS)/

# Serves SCHEMA through nginx on HOST_URL until Ctrl-C; see README.md.
run: deps docs $(worker)
	@LMDBAPI_WORKER=$(abspath $(worker)) sh conf/nginx/run-dev.sh

# Idempotent, and silent when nothing is missing.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; fi
	@missing=$$(for p in $(DEB_PKGS_OPTIONAL); do \
	    dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing (optional): $$missing"; \
	    apt-get update -q >/dev/null 2>&1; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing || \
	    echo "could not install $$missing: the tests that need it skip"; fi

clean:
	rm -rf build

# Where install puts things; DESTDIR is prepended to every path. Units go
# under PREFIX (systemd reads /usr/local/lib/systemd/system as well as
# /usr/lib/...), with ExecStart pointed at BINDIR; the nginx site and the
# settings example go to /etc. Nothing is enabled or started: see
# systemd/lmdb-api.service for the systemctl and nginx steps.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DATADIR    ?= $(PREFIX)/share
SYSCONFDIR ?= /etc

installed := $(BINDIR)/lmdbapi-worker $(BINDIR)/lmdbapi-admin \
             $(UNITDIR)/lmdb-api.socket $(UNITDIR)/lmdb-api.service \
             $(SYSCONFDIR)/nginx/sites-available/lmdb-api.conf \
             $(SYSCONFDIR)/lmdb-api/lmdb-api.env.example

install: $(worker) $(admin) docs
	install -D -m 0755 $(worker) $(DESTDIR)$(BINDIR)/lmdbapi-worker
	install -D -m 0755 $(admin) $(DESTDIR)$(BINDIR)/lmdbapi-admin
	sed 's|/usr/local/bin/|$(BINDIR)/|' systemd/lmdb-api.service \
	    > $(BUILD)/lmdb-api.service
	install -D -m 0644 $(BUILD)/lmdb-api.service \
	    $(DESTDIR)$(UNITDIR)/lmdb-api.service
	install -D -m 0644 systemd/lmdb-api.socket \
	    $(DESTDIR)$(UNITDIR)/lmdb-api.socket
	sed 's|/usr/local/share/|$(DATADIR)/|' conf/nginx/lmdb-api.conf \
	    > $(BUILD)/lmdb-api.conf
	install -D -m 0644 $(BUILD)/lmdb-api.conf \
	    $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available/lmdb-api.conf
	install -d $(DESTDIR)$(DATADIR)/lmdb-api/docs
	install -m 0644 $(DOCS)/* $(DESTDIR)$(DATADIR)/lmdb-api/docs/
	install -D -m 0644 systemd/lmdb-api.env.example \
	    $(DESTDIR)$(SYSCONFDIR)/lmdb-api/lmdb-api.env.example

# Removes exactly the installed files, and /etc/lmdb-api if that leaves it
# empty (an operator's lmdb-api.env stays). The LMDB environment in
# /var/lib/lmdb-api is data, never removed here.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(installed))
	rm -rf $(DESTDIR)$(DATADIR)/lmdb-api
	rmdir $(DESTDIR)$(SYSCONFDIR)/lmdb-api 2>/dev/null || true

.PHONY: all test check run deps tools docs clean install uninstall

# ---- fuzz and sanitizers (issue 6) ---------------------------------------
# make fuzz         each libFuzzer target for FUZZ_SECONDS (60), starting
#                   from tests/fuzz/corpus/<target>/; new inputs go to
#                   $(FUZZ_BUILD)/corpus/<target>/, findings to
#                   $(FUZZ_BUILD)/crashes/ (copy each into the checked-in
#                   corpus once fixed: it then runs in every make test)
# make fuzz-check   each target for FUZZ_CHECK_SECONDS (4) over the
#                   checked-in corpus; what make test runs
# make check-asan   the end-to-end suites against a worker built with
#                   -fsanitize=address,undefined (tree $(BUILD)-asan)
# Fuzz targets and the library code they call are built by clang with
# ASan+UBSan into their own tree, so the normal objects never mix with
# instrumented ones. Packages: clang llvm (symbolizer) libclang-rt-14-dev.
FUZZ_PKGS    := clang llvm libclang-rt-14-dev
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 4
FUZZ_BUILD   := $(BUILD)-fuzz
# pointer-overflow stays recoverable so tests/fuzz/ubsan.supp can silence
# one known report inside RapidJSON 1.1.0; every other one aborts.
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fsanitize-recover=pointer-overflow -fno-omit-frame-pointer
fuzz_targets := $(basename $(notdir $(wildcard tests/fuzz/*_fuzz.cc)))
# Only what the targets call, not the whole library: keeps the tree small.
fuzz_lib_srcs := $(wildcard src/store/key_codec.cc src/store/record_codec.cc \
                   src/store/value.cc src/store/uuid.cc src/schema/*.cc \
                   src/http/record_json.cc src/http/query.cc \
                   src/http/router.cc src/http/params.cc src/http/utf8.cc \
                   src/http/base64url.cc src/http/json_output.cc \
                   src/store/planner.cc)
fuzz_objs = $(patsubst %.cc,$(FUZZ_BUILD)/%.o,$(1))

$(FUZZ_BUILD)/%.o: %.cc $(BUILD)/.flags
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(CPPFLAGS) -O1 -g -std=c++20 -Wall -Wextra -Werror \
	    $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(addprefix $(FUZZ_BUILD)/,$(fuzz_targets)): $(FUZZ_BUILD)/%: \
        $(FUZZ_BUILD)/tests/fuzz/%.o $(call fuzz_objs,$(fuzz_lib_srcs))
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer $^ -o $@

-include $(patsubst %.o,%.d,$(call fuzz_objs,$(fuzz_lib_srcs) \
           $(wildcard tests/fuzz/*_fuzz.cc)))

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(FUZZ_PKGS)"

fuzz: fuzz-deps $(addprefix $(FUZZ_BUILD)/,$(fuzz_targets))
	@for t in $(fuzz_targets); do \
	    sh tests/fuzz/run.sh $(FUZZ_BUILD)/$$t $(FUZZ_SECONDS) \
	        $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; done

fuzz-check: fuzz-deps $(addprefix $(FUZZ_BUILD)/,$(fuzz_targets))
	@for t in $(fuzz_targets); do \
	    rm -rf $(FUZZ_BUILD)/scratch/$$t; \
	    sh tests/fuzz/run.sh $(FUZZ_BUILD)/$$t $(FUZZ_CHECK_SECONDS) \
	        $(FUZZ_BUILD)/scratch/$$t tests/fuzz/corpus/$$t || exit 1; done

# The sanitized stack: the same sources in $(BUILD)-asan, g++'s ASan and
# UBSan. Leaks are not checked: threads still blocked in accept() at exit
# would be reported. CXXFLAGS is given whole: a command-line CXXFLAGS
# overrides the += above.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined \
              -fsanitize-recover=pointer-overflow -std=c++20 -Wall -Wextra \
              -Werror -pthread
# Only the worker is sanitized: the e2e binary is the normal one (the code
# under test is the worker's; the suites' own code is not). A sanitizer
# report kills the worker, which the suites see as a dead worker or a 502.
check-asan: $(e2e) docs
	$(MAKE) --no-print-directory BUILD=$(BUILD)-asan \
	    CXXFLAGS="$(ASAN_FLAGS)" $(BUILD)-asan/lmdbapi-worker
	@echo "== $(schema): end-to-end tests, ASan+UBSan worker"
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/fuzz/ubsan.supp \
	LMDBAPI_WORKER=$(abspath $(BUILD)-asan/lmdbapi-worker) \
	LMDBAPI_ROOT=$(CURDIR) $(e2e) --report_level=short

# make test also runs, for the default schema only, the fuzz targets
# briefly over the checked-in corpus and the e2e suites against the
# sanitized worker. Measured on 2 busy cores: fuzz tree 30-50 s and ASan
# worker 50-85 s to build (once), then 25 s of fuzzing and 40 s of e2e.
test: fuzz-check check-asan

.PHONY: fuzz fuzz-check fuzz-deps check-asan

# ---- bench ---------------------------------------------------------------
# make bench: every benchmark beside a ceiling measured in the same run, as
# one table (bench/run.sh; under 10 minutes on 2 cores). Installs what the
# load side needs first, like deps. BENCH_SECONDS (5) sets each wrk run,
# BENCH_RSS_SECONDS (60) the memory run. Uses the permits schema's names, so
# it runs with the default SCHEMA only.
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

-include $(patsubst %.o,%.d,$(call objs,$(bench_srcs)))

bench-deps: deps
	@missing=$$(for p in $(BENCH_PKGS); do \
	    dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; fi

bench: bench-deps $(store_bench) $(bare_fcgi) $(json_bench) $(worker)
	BUILD=$(abspath $(BUILD)) sh bench/run.sh

.PHONY: bench bench-deps
