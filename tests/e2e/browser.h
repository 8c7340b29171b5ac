// SPDX-License-Identifier: Apache-2.0
// tests/e2e/browser.h - headless Chromium, for the suites that need a real
// browser (docs_test: Swagger UI renders offline; cors_browser_test: a page
// from another origin calls the API).
//
// Chromium is optional (the Makefile's DEB_PKGS_OPTIONAL): a test that
// needs it takes *utf::precondition(HaveChromium) and is skipped, saying
// why, when there is none.

#ifndef LMDBAPI_TESTS_E2E_BROWSER_H_
#define LMDBAPI_TESTS_E2E_BROWSER_H_

#include <string>

#include <boost/test/unit_test.hpp>

namespace lmdbapi::e2e {

// $CHROMIUM, else Debian's chromium; "" when there is none.
std::string Chromium();

// A Boost.Test precondition: true when Chromium() found one.
boost::test_tools::assertion_result HaveChromium(
    boost::unit_test::test_unit_id);

// Loads url in headless Chromium and returns the DOM it rendered after up
// to 10 s of virtual time. Every host but 127.0.0.1 fails to resolve and
// background traffic is off, so a page that needed the network comes up
// empty. scratch: a directory for the profile, the DOM and chromium's log
// (the log is shown when chromium fails, which fails the test).
std::string DumpDom(const std::string& url, const std::string& scratch);

}  // namespace lmdbapi::e2e

#endif  // LMDBAPI_TESTS_E2E_BROWSER_H_
