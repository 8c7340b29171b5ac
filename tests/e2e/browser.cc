// SPDX-License-Identifier: Apache-2.0
// tests/e2e/browser.cc - see browser.h.

#include "browser.h"

#include <unistd.h>

#include <cstdlib>

#include "harness.h"

namespace lmdbapi::e2e {

std::string Chromium() {
  if (const char* c = std::getenv("CHROMIUM"); c != nullptr && *c != '\0') return c;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

boost::test_tools::assertion_result HaveChromium(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(!Chromium().empty());
  r.message() << "no chromium (Debian package chromium; `make deps` tries to install it, "
                 "or set CHROMIUM): this browser test is not run";
  return r;
}

std::string DumpDom(const std::string& url, const std::string& scratch) {
  const std::string dom = scratch + "/chromium-dom.html";
  const std::string log = scratch + "/chromium.log";
  const std::string cmd =
      "timeout 60 " + Chromium() +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --disable-dev-shm-usage --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'"
      " --user-data-dir=" + scratch + "/chromium-profile"
      " --virtual-time-budget=10000 --dump-dom '" + url + "' > " + dom + " 2> " + log;
  const int rc = std::system(cmd.c_str());
  BOOST_TEST(rc == 0, "chromium failed: " << ReadFile(log).substr(0, 2000));
  return ReadFile(dom);
}

}  // namespace lmdbapi::e2e
