// SPDX-License-Identifier: Apache-2.0
// tests/e2e/e2e_main.cc - the end-to-end binary's only BOOST_TEST_MODULE.
//
// One binary per schema (build/<schema>/e2e-tests), run by `make check`
// with LMDBAPI_WORKER and LMDBAPI_ROOT set. Every suite here starts real
// nginx and real workers (tests/e2e/harness.h) and talks HTTP to them;
// suites in tests/e2e/<schema>/ use one schema's names and build only with
// it, all others walk Schema::Compiled() and must pass on every schema.

#define BOOST_TEST_MODULE lmdbapi_e2e
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
