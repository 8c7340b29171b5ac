// SPDX-License-Identifier: Apache-2.0
// tests/e2e/docs_test.cc - /api/docs/ renders the API in a real browser,
// offline.
//
// nginx serves the page and Swagger UI's files from $LMDBAPI_ROOT/build/docs
// (`make docs`); headless Chromium (Debian's chromium, installed by `make
// deps` when it can be) loads /api/docs/ with every host but 127.0.0.1
// unresolvable, so a page that needed a CDN would come up empty, and the
// DOM it renders must hold an operation of the first table. Chromium runs
// once per schema. Without chromium the test is skipped, saying why.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "browser.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

namespace utf = boost::unit_test;

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(docs, StackFixture)

BOOST_AUTO_TEST_CASE(the_page_and_its_files_come_from_nginx) {
  const char* root = std::getenv("LMDBAPI_ROOT");
  BOOST_TEST_REQUIRE(std::filesystem::exists(std::string(root) + "/build/docs/index.html"),
                     "build/docs/ is missing: run `make docs` (make check does)");
  Response bare = http().Get("/api/docs");
  BOOST_TEST(bare.status == 301, bare.Describe());
  BOOST_TEST(bare.Header("Location").find("/api/docs/") != std::string::npos);
  Response page = http().Get("/api/docs/");
  BOOST_TEST_REQUIRE(page.status == 200, page.Describe());
  BOOST_TEST(page.Header("Content-Type").rfind("text/html", 0) == 0);
  BOOST_TEST(page.body.find("/api/openapi.json") != std::string::npos);
  BOOST_TEST(page.body.find("swagger-ui-bundle.js") != std::string::npos);
  BOOST_TEST(page.body.find("://") == std::string::npos, "the page loads nothing from elsewhere");
  for (const char* file : {"swagger-ui-bundle.js", "swagger-ui.css"}) {
    Response r = http().Get(std::string("/api/docs/") + file);
    BOOST_TEST(r.status == 200, file);
    BOOST_TEST(r.body.size() > 10000u, file);
  }
  CheckProblem(http().Get("/api/docs/no-such-file.js"), 404);
}

BOOST_AUTO_TEST_CASE(chromium_renders_the_operations_offline,
                     *utf::precondition(HaveChromium)) {
  const std::string url = "http://127.0.0.1:" + std::to_string(stack.port()) + "/api/docs/";
  const TableDesc& t = TheSchema().tables.front();
  const std::string insert = "data-path=\"/api/" + t.name + "/insert-record\"";
  // Chromium's virtual time budget can run out before a 400 KB bundle has
  // run on a loaded machine: up to three page loads, until it renders.
  std::string html;
  for (int attempt = 0; attempt < 3; ++attempt) {
    html = DumpDom(url, stack.dir());
    if (html.find(insert) != std::string::npos) break;
  }
  BOOST_TEST(html.find(insert) != std::string::npos,
             "the rendered page should show " << insert << "; got " << html.size()
                                              << " bytes: " << html.substr(0, 1500));
  const std::size_t blocks = Count(html, "opblock-summary-path\"");
  BOOST_TEST(blocks >= 7 * TheSchema().tables.size(), blocks << " operations rendered");
  // What the browser fetched, from nginx's log: the document among it.
  const std::string access = ReadFile(stack.dir() + "/nginx/access.log");
  BOOST_TEST(access.find("\"GET /api/openapi.json HTTP/1.1\" 200") != std::string::npos,
             access.substr(0, 2000));
  BOOST_TEST_MESSAGE("docs: chromium rendered " << blocks << " operations from /api/docs/");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
