# SPDX-License-Identifier: Apache-2.0
# lmdb-api - a schema file in, a fast REST API over LMDB out. `make help`
# lists every target. What no schema decides (most of the code) builds
# once into build/common; what reads the schema file builds into
# build/<schema>, so switching SCHEMA never mixes objects. make test and
# check are in tests/test.mk, fuzzing and the sanitized stack in
# tests/fuzz/fuzz.mk, benchmarks in bench/bench.mk.

SCHEMA   ?= schema/permits.def
schema   := $(basename $(notdir $(SCHEMA)))
BUILD    := build/$(schema)
COMMON   ?= build/common
CXX      ?= g++
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Werror -pthread
# msgpack-c's C++ API pulls in Boost unless told not to; we use none of it.
CPPFLAGS += -Iinclude -Isrc -Itests -DMSGPACK_NO_BOOST
# Only the sources that read the schema file get its path (schema_srcs).
SCHEMA_FLAGS := -DLMDBAPI_SCHEMA='"$(abspath $(SCHEMA))"'
# RAPIDJSON_SSE2 stays unset (issue 11): RapidJSON 1.1.0's SSE2 string scans
# let bytes 0x1A..0x1F through unescaped (src/json/json_output.h says how).
# Strings are written by json_output.cc's own SSE2 escaping, and bodies are
# parsed from a MemoryStream, which RapidJSON never scans with SIMD.
# libcrypto: SHA-256 of a request with an Idempotency-Key.
LDLIBS   := -llmdb -lfcgi -lcrypto
DEB_PKGS := liblmdb-dev lmdb-utils libfcgi-dev libmsgpack-cxx-dev \
            rapidjson-dev libboost-test-dev libcurl4-openssl-dev libssl-dev nginx \
            spawn-fcgi curl systemd libfcgi-bin prometheus \
            clang llvm libclang-rt-14-dev
# make tools needs npm; Debian's, unless an npm is already on the PATH.
NPM_DEB_PKGS := nodejs npm
# Wanted but not required: without it the docs page test skips, saying so.
DEB_PKGS_OPTIONAL := chromium
# Pinned npm packages, installed by `make tools` into build/tools (never
# globally): the OpenAPI validator and Swagger UI's static files.
NPM_PKGS := @redocly/cli@2.77.0 swagger-ui-dist@5.35.0
TOOLS    := build/tools
REDOCLY  := $(TOOLS)/node_modules/.bin/redocly
DOCS     := build/docs
# *_main.cc hold a main(); all else goes into libraries the tests link too:
# store (with schema), json (record JSON), settings (environment variables),
# http (the worker), admin (which never links http). Suites in
# tests/<schema>/ use that schema's names and build only with it.
store_srcs := $(wildcard src/store/*.cc src/schema/*.cc)
json_srcs  := $(wildcard src/json/*.cc)
settings_srcs := $(wildcard src/settings/*.cc)
http_srcs  := $(filter-out %_main.cc,$(wildcard src/http/*.cc))
admin_srcs := $(filter-out %_main.cc,$(wildcard src/admin/*.cc))
test_srcs  := $(wildcard tests/*.cc $(patsubst %,tests/%/*.cc,store schema \
                  json settings http admin $(schema)))
e2e_srcs   := $(wildcard tests/e2e/*.cc tests/e2e/$(schema)/*.cc)
main_srcs  := $(wildcard src/*/*_main.cc)
all_srcs   := $(store_srcs) $(json_srcs) $(settings_srcs) $(http_srcs) \
              $(admin_srcs) $(test_srcs) $(e2e_srcs) $(main_srcs)
# The sources that read the schema file (#include LMDBAPI_SCHEMA, directly
# or through records.h or the admin tests' process_util.h) build per
# schema; the rest once, for every schema. One that is missed here fails
# to compile (LMDBAPI_SCHEMA undefined), so it cannot go wrong quietly.
schema_srcs := src/schema/descriptors.cc \
    $(wildcard tests/$(schema)/*.cc tests/e2e/$(schema)/*.cc) \
    $(shell grep -lE 'LMDBAPI_SCHEMA\b|lmdbapi/records\.h|(process|admin)_util\.h' \
        tests/*/*.cc bench/*.cc)
objs = $(foreach s,$(1),$(if $(filter $(s),$(schema_srcs)),$(BUILD),$(COMMON))/$(s:.cc=.o))
store  := $(BUILD)/libstore.a
json   := $(BUILD)/libjson.a
settings := $(BUILD)/libsettings.a
base   := $(json) $(settings) $(store)# every program links these, last
http   := $(BUILD)/libhttp.a
admlib := $(BUILD)/libadmin.a
worker := $(BUILD)/lmdbapi-worker
admin  := $(BUILD)/lmdbapi-admin
tests  := $(BUILD)/unit-tests
e2e    := $(BUILD)/e2e-tests
# nginx's own error pages, rendered from src/http/problems.def by the worker.
nginx_problems := $(BUILD)/nginx/problems.conf

all: $(worker) $(admin) $(tests) $(e2e) $(nginx_problems) ## build the worker, lmdbapi-admin, the test suites and nginx's error pages

help: ## list the targets
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/  make \1\t\2/p' $(MAKEFILE_LIST) | expand -t 22
	@echo "  SCHEMA=schema/<name>.def works with each (default schema/permits.def)."

$(store): $(call objs,$(store_srcs))
$(json): $(call objs,$(json_srcs))
$(settings): $(call objs,$(settings_srcs))
$(http): $(call objs,$(http_srcs))
$(admlib): $(call objs,$(admin_srcs))
$(store) $(json) $(settings) $(http) $(admlib):
	@rm -f $@
	$(AR) rcs $@ $^
$(worker): $(call objs,src/http/worker_main.cc) $(http) $(base)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -o $@
$(nginx_problems): $(worker)
	@mkdir -p $(@D)
	$(worker) --print-nginx-problems > $@.tmp && mv $@.tmp $@
$(admin): $(call objs,src/admin/admin_main.cc) $(admlib) $(base)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -o $@
$(tests): $(call objs,$(test_srcs)) $(admlib) $(http) $(base)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -lboost_unit_test_framework -o $@
$(e2e): $(call objs,$(e2e_srcs)) $(http) $(base)
	$(CXX) $(CXXFLAGS) $^ $(LDLIBS) -lboost_unit_test_framework -lcurl -o $@

# $(call record-flags,dir,var): dir/.flags holds the flags in `var`,
# rewritten at parse time when they differ, and objects depend on it: a
# changed flag rebuilds that tree instead of mixing objects built two ways.
define record-flags
ifneq ($$(file <$(1)/.flags),$$($(2)))
$$(shell mkdir -p $(1))
$$(file >$(1)/.flags,$$($(2)))
endif
endef
common_flags := $(CXX) $(CPPFLAGS) $(CXXFLAGS)
build_flags  := $(common_flags) $(SCHEMA_FLAGS)
$(eval $(call record-flags,$(COMMON),common_flags))
$(eval $(call record-flags,$(BUILD),build_flags))
# The compile rules, one per tree. -MMD writes foo.d beside foo.o naming
# every header and the schema file it read, so editing either rebuilds
# exactly what used it; -MP keeps make quiet when a header is later deleted.
$(COMMON)/%.o: %.cc $(COMMON)/.flags
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/%.o: %.cc $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(SCHEMA_FLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@
-include $(patsubst %.o,%.d,$(call objs,$(all_srcs)))

# Only when NPM_PKGS changed (.pinned); no install script runs (phones home).
tools: ## the pinned npm tools (redocly, Swagger UI) into build/tools
	@if [ "$$(cat $(TOOLS)/.pinned 2>/dev/null)" != "$(NPM_PKGS)" ]; then \
	    echo "npm: installing $(NPM_PKGS) into $(TOOLS)"; \
	    mkdir -p $(TOOLS) && npm install --prefix $(TOOLS) --no-save \
	        --ignore-scripts --no-audit --no-fund $(NPM_PKGS) && \
	    echo "$(NPM_PKGS)" > $(TOOLS)/.pinned; fi

docs_assets := $(addprefix $(TOOLS)/node_modules/swagger-ui-dist/, \
    swagger-ui.css swagger-ui-bundle.js favicon-16x16.png favicon-32x32.png)
docs: tools ## the /api/docs/ directory nginx serves: our page and Swagger UI's assets
	@mkdir -p $(DOCS)
	@cp $(docs_assets) conf/nginx/docs/index.html $(DOCS)/
run: deps docs $(worker) ## serve SCHEMA through nginx on HOST_URL until Ctrl-C (README.md)
	@LMDBAPI_WORKER=$(abspath $(worker)) sh conf/nginx/run-dev.sh

# $(call install-missing,packages[,label[,on failure]]): apt-get installs
# those of `packages` dpkg does not know; silent when none is missing.
define install-missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing$(2): $$missing"; \
	    apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing $(3); fi
endef

# One apt-get update and install for all that is required, npm included.
deps: ## install the Debian packages the build needs (idempotent)
	$(call install-missing,$(DEB_PKGS) \
	    $(if $(shell command -v npm),,$(NPM_DEB_PKGS)))
	$(call install-missing,$(DEB_PKGS_OPTIONAL), (optional),\
	    || echo "could not install $$missing: the tests that need it skip")
clean: ## remove build/ (every schema's tree, the tools and the docs)
	rm -rf build

# DESTDIR prefixes every path. Units go under PREFIX (systemd reads
# /usr/local/lib/systemd/system too), ExecStart at BINDIR; the nginx site,
# its snippets and the settings example to /etc. Nothing is enabled.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DATADIR    ?= $(PREFIX)/share
SYSCONFDIR ?= /etc
site       := $(SYSCONFDIR)/nginx/sites-available/lmdb-api.conf
snippets   := $(SYSCONFDIR)/nginx/snippets
settings   := $(SYSCONFDIR)/lmdb-api/lmdb-api.env.example
installed  := $(BINDIR)/lmdbapi-worker $(BINDIR)/lmdbapi-admin $(site) \
              $(addprefix $(snippets)/lmdb-api-,problems.conf server.conf) \
              $(UNITDIR)/lmdb-api.socket $(UNITDIR)/lmdb-api.service $(settings)

install: $(worker) $(admin) $(nginx_problems) docs ## install the programs, units, nginx site and settings example (PREFIX, DESTDIR)
	install -D -m 0755 $(worker) $(DESTDIR)$(BINDIR)/lmdbapi-worker
	install -D -m 0755 $(admin) $(DESTDIR)$(BINDIR)/lmdbapi-admin
	sed 's|/usr/local/bin/|$(BINDIR)/|' systemd/lmdb-api.service > $(BUILD)/lmdb-api.service
	install -D -m 0644 $(BUILD)/lmdb-api.service $(DESTDIR)$(UNITDIR)/lmdb-api.service
	install -D -m 0644 systemd/lmdb-api.socket $(DESTDIR)$(UNITDIR)/lmdb-api.socket
	sed -e 's|/usr/local/share/|$(DATADIR)/|' \
	    -e 's|/etc/nginx/snippets/|$(SYSCONFDIR)/nginx/snippets/|' \
	    conf/nginx/lmdb-api.conf > $(BUILD)/lmdb-api.conf
	install -D -m 0644 $(BUILD)/lmdb-api.conf $(DESTDIR)$(site)
	install -D -m 0644 $(nginx_problems) $(DESTDIR)$(snippets)/lmdb-api-problems.conf
	install -D -m 0644 conf/nginx/lmdb-api-server.conf $(DESTDIR)$(snippets)/lmdb-api-server.conf
	install -d $(DESTDIR)$(DATADIR)/lmdb-api/docs
	install -m 0644 $(DOCS)/* $(DESTDIR)$(DATADIR)/lmdb-api/docs/
	install -D -m 0644 systemd/lmdb-api.env.example $(DESTDIR)$(settings)

# Leaves an operator's lmdb-api.env, and the data in /var/lib/lmdb-api.
uninstall: ## remove what install installed (not the data)
	rm -f $(addprefix $(DESTDIR),$(installed))
	rm -rf $(DESTDIR)$(DATADIR)/lmdb-api
	rmdir $(DESTDIR)$(SYSCONFDIR)/lmdb-api 2>/dev/null || true
.PHONY: all help run deps tools docs clean install uninstall

include tests/test.mk tests/fuzz/fuzz.mk bench/bench.mk
