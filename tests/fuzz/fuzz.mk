# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/fuzz.mk - fuzzing and the sanitized stack; included by the
# top-level Makefile, whose variables (BUILD, CPPFLAGS, objs, e2e, ...) it
# uses.
#
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
FUZZ_CXXFLAGS := -O1 -g -std=c++20 -Wall -Wextra -Werror $(FUZZ_SAN) \
                 -fsanitize=fuzzer-no-link
fuzz_targets := $(basename $(notdir $(wildcard tests/fuzz/*_fuzz.cc)))
# Only what the targets call, not the whole library: keeps the tree small.
fuzz_lib_srcs := $(wildcard src/store/key_codec.cc src/store/record_codec.cc \
                   src/store/value.cc src/store/uuid.cc src/store/quote.cc \
                   src/schema/*.cc \
                   src/json/*.cc src/http/record_msgpack.cc src/http/query.cc \
                   src/http/router.cc src/http/params.cc \
                   src/http/base64url.cc \
                   src/store/planner.cc)
fuzz_objs = $(patsubst %.cc,$(FUZZ_BUILD)/%.o,$(1))

# The fuzz tree's own flags file: a change of FUZZ_CXX or of these flags
# rebuilds it (the normal tree's .flags never records them).
fuzz_flags := $(FUZZ_CXX) $(CPPFLAGS) $(SCHEMA_FLAGS) $(FUZZ_CXXFLAGS)
$(eval $(call record-flags,$(FUZZ_BUILD),fuzz_flags))

$(FUZZ_BUILD)/%.o: %.cc $(FUZZ_BUILD)/.flags
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(CPPFLAGS) $(SCHEMA_FLAGS) $(FUZZ_CXXFLAGS) -MMD -MP -c $< -o $@

$(addprefix $(FUZZ_BUILD)/,$(fuzz_targets)): $(FUZZ_BUILD)/%: \
        $(FUZZ_BUILD)/tests/fuzz/%.o $(call fuzz_objs,$(fuzz_lib_srcs))
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer $^ -o $@

-include $(patsubst %.o,%.d,$(call fuzz_objs,$(fuzz_lib_srcs) \
           $(wildcard tests/fuzz/*_fuzz.cc)))

fuzz-deps: ## install the fuzz targets' packages (clang, llvm, the runtime)
	$(call install-missing,$(FUZZ_PKGS))

# New inputs go to $(FUZZ_BUILD)/corpus/<target>/, findings to
# $(FUZZ_BUILD)/crashes/ (copy each into the checked-in corpus once fixed:
# it then runs in every make test).
fuzz: fuzz-deps $(addprefix $(FUZZ_BUILD)/,$(fuzz_targets)) ## each libFuzzer target for FUZZ_SECONDS (60) from tests/fuzz/corpus/
	@for t in $(fuzz_targets); do \
	    sh tests/fuzz/run.sh $(FUZZ_BUILD)/$$t $(FUZZ_SECONDS) \
	        $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; done

fuzz-targets: $(addprefix $(FUZZ_BUILD)/,$(fuzz_targets)) ## build the libFuzzer targets
fuzz-check: fuzz-deps fuzz-targets ## each target for FUZZ_CHECK_SECONDS (4) over the checked-in corpus (make test runs it)
	@for t in $(fuzz_targets); do \
	    rm -rf $(FUZZ_BUILD)/scratch/$$t; \
	    sh tests/fuzz/run.sh $(FUZZ_BUILD)/$$t $(FUZZ_CHECK_SECONDS) \
	        $(FUZZ_BUILD)/scratch/$$t tests/fuzz/corpus/$$t || exit 1; done

# The sanitized stack: the same sources in $(BUILD)-asan and $(COMMON)-asan, g++'s ASan and
# UBSan. Leaks are not checked: threads still blocked in accept() at exit
# would be reported. CXXFLAGS is given whole: a command-line CXXFLAGS
# overrides the += in the Makefile.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined \
              -fsanitize-recover=pointer-overflow -std=c++20 -Wall -Wextra \
              -Werror -pthread
# Only the worker is sanitized: the e2e binary is the normal one (the code
# under test is the worker's; the suites' own code is not). A sanitizer
# report kills the worker, which the suites see as a dead worker or a 502.
# make check-asan (tests/test.mk) runs the e2e suites against it.
asan-worker: ## the worker built with -fsanitize=address,undefined, in build/<schema>-asan
	$(MAKE) --no-print-directory BUILD=$(BUILD)-asan COMMON=$(COMMON)-asan \
	    CXXFLAGS="$(ASAN_FLAGS)" $(BUILD)-asan/lmdbapi-worker

.PHONY: fuzz fuzz-check fuzz-deps fuzz-targets asan-worker
