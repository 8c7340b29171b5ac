// SPDX-License-Identifier: Apache-2.0
// tests/main.cc - the unit-test binary's only BOOST_TEST_MODULE.
//
// One binary per schema (build/<schema>/unit-tests). Suites that use one
// schema's names live in tests/<schema>/ and build only with it; the rest
// walk Schema::Compiled() and must pass on every schema.

#define BOOST_TEST_MODULE lmdbapi
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
