# SPDX-License-Identifier: Apache-2.0
# tests/test.mk - make test and make check as phases that overlap where they
# can; included by the top-level Makefile, whose variables it uses.
#
# A phase is one build or one run of a suite. tests/phase.sh runs it with
# its output in build/logs/<phase>.log and prints one line when it ends
# (the whole log, prefixed, when it fails). One `make -k -j$(TEST_JOBS)`
# runs the phases, so each run starts as soon as what it needs is built:
#   - the builds (each schema's tree, the ASan worker's, the fuzz targets')
#     go one after another, each on $(JOBS) cores: compiling is CPU-bound;
#   - the runs, which mostly wait on fsync, sockets and timeouts, overlap
#     with them and with each other. The end-to-end suites are split into
#     shards, each its own process on its own free ports and temporary
#     directories (tests/e2e/harness.h), so the waits add up less.
# The last line totals every Boost.Test report: the unit suites, the e2e
# suites and the e2e suites against the sanitized worker, over every schema.

schemas   := $(basename $(notdir $(wildcard schema/*.def)))
# Builds take JOBS cores; the runs beside them the rest of these slots.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_JOBS ?= $(shell echo $$(($(JOBS) + 2)))
LOGS      := build/logs

# The e2e shards, by suite name: the slowest suites (--report_level=detailed
# gives their times) spread so the shards take about as long. The last
# shard runs every suite not named here, so a new suite needs no edit.
E2E_SHARD_1 := crash slow_client mapgrow
E2E_SHARD_2 := concurrency processes mapfull errors query production_site
e2e_shards  := 1 2 3
empty :=
space := $(empty) $(empty)
e2e_filter_1 := $(subst $(space),:,$(strip $(E2E_SHARD_1)))
e2e_filter_2 := $(subst $(space),:,$(strip $(E2E_SHARD_2)))
e2e_filter_3 := $(subst $(space),:,$(addprefix !,$(E2E_SHARD_1) $(E2E_SHARD_2)))

phase = @sh tests/phase.sh $(1) $(LOGS)/$(1).log
# A build phase makes its targets with a jobserver of its own (MAKEFLAGS
# cleared): JOBS compiles, whatever runs beside it.
build-phase = $(call phase,$(1)) env MAKEFLAGS= $(MAKE) -j$(JOBS) \
    --no-print-directory
boost-run = --report_level=short --report_sink=$(1)
asan-env := ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/fuzz/ubsan.supp

# $(call schema-phases,s): build, unit suites, OpenAPI lint and e2e shards
# of schema s (schema/s.def). The e2e runs need the docs directory.
define schema-phases
phase-build-$(1):
	$$(call build-phase,build-$(1)) SCHEMA=schema/$(1).def all
phase-unit-$(1): phase-build-$(1)
	$$(call phase,unit-$(1)) build/$(1)/unit-tests \
	    $$(call boost-run,build/$(1)/unit.report)
phase-lint-$(1): phase-build-$(1) phase-docs
	$$(call phase,lint-$(1)) $$(MAKE) --no-print-directory \
	    SCHEMA=schema/$(1).def lint
$(foreach k,$(e2e_shards),
phase-e2e-$(1)-$(k): phase-build-$(1) phase-docs
	@LMDBAPI_WORKER=$(CURDIR)/build/$(1)/lmdbapi-worker LMDBAPI_ROOT=$(CURDIR) \
	    sh tests/phase.sh e2e-$(1)-$(k) $(LOGS)/e2e-$(1)-$(k).log \
	    build/$(1)/e2e-tests --run_test='$(e2e_filter_$(k))' \
	    $$(call boost-run,build/$(1)/e2e-$(k).report))
endef
$(foreach s,$(schemas),$(eval $(call schema-phases,$(s))))

# The sanitized worker (fuzz.mk) under this schema's e2e suites, and the
# fuzz targets over their corpus: the default schema only.
define asan-shard
phase-asan-e2e-$(1): phase-asan-build phase-build-$(schema) phase-docs
	@$(asan-env) LMDBAPI_WORKER=$(CURDIR)/$(BUILD)-asan/lmdbapi-worker \
	    LMDBAPI_ROOT=$(CURDIR) sh tests/phase.sh asan-e2e-$(1) \
	    $(LOGS)/asan-e2e-$(1).log $(e2e) --run_test='$(e2e_filter_$(1))' \
	    $$(call boost-run,$(BUILD)/asan-e2e-$(1).report)
endef
$(foreach k,$(e2e_shards),$(eval $(call asan-shard,$(k))))
phase-asan-build:
	$(call build-phase,asan-build) asan-worker
phase-fuzz-build:
	$(call build-phase,fuzz-build) fuzz-targets
phase-fuzz: phase-fuzz-build
	$(call phase,fuzz) $(MAKE) --no-print-directory fuzz-check
phase-docs:
	$(call phase,docs) $(MAKE) --no-print-directory docs

# Runs of one schema, and of the sanitized worker.
runs-of = phase-unit-$(1) phase-lint-$(1) \
    $(foreach k,$(e2e_shards),phase-e2e-$(1)-$(k))
asan_runs := $(foreach k,$(e2e_shards),phase-asan-e2e-$(k))

# make test's builds go one after another (each waits, order-only, for the
# one before): the default schema first, as most runs wait for it, then the
# ASan worker, the other schemas, the fuzz targets. Only under make test:
# make check builds just its schema.
build_order := phase-build-$(schema) phase-asan-build \
    $(addprefix phase-build-,$(filter-out $(schema),$(schemas))) \
    phase-fuzz-build
chain = $(if $(word 2,$(1)),$(eval $(word 2,$(1)): | $(word 1,$(1)))$(call chain,$(wordlist 2,$(words $(1)),$(1))))
ifdef TEST_ALL
$(call chain,$(build_order))
endif

# $(call run-phases,phases,reports): runs them (-k: a failure stops only
# what needs it), then prints the totals last; fails if any phase did.
define run-phases
	@rm -f $(2)
	@$(MAKE) --no-print-directory -k -j$(TEST_JOBS) $(1); rc=$$?; \
	    awk -f tests/total_reports.awk $$(ls $(2) 2>/dev/null) /dev/null; exit $$rc
endef

test: deps ## install what is missing, build, run every suite against every schema (phases at once; logs in build/logs)
	$(call run-phases,TEST_ALL=1 $(foreach s,$(schemas),$(call runs-of,$(s))) \
	    $(asan_runs) phase-fuzz,build/*/*.report)
check: ## one schema: build, unit suites, OpenAPI lint, end-to-end suites
	$(call run-phases,$(call runs-of,$(schema)),$(BUILD)/*.report)
check-asan: ## the end-to-end suites against a worker built with -fsanitize=address,undefined
	$(call run-phases,$(asan_runs),$(BUILD)/asan-e2e-*.report)

lint: $(worker) tools ## the OpenAPI document through redocly lint (conf/redocly.yaml)
	$(worker) --print-openapi > $(BUILD)/openapi.json
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint \
	    --config conf/redocly.yaml --format=stylish $(BUILD)/openapi.json

.PHONY: test check check-asan lint $(foreach s,$(schemas),phase-build-$(s) \
    $(call runs-of,$(s))) phase-asan-build $(asan_runs) phase-fuzz-build \
    phase-fuzz phase-docs
