// SPDX-License-Identifier: Apache-2.0
// tests/e2e/cors_browser_test.cc - a page from another origin calls the API
// in headless Chromium.
//
// A second nginx serves one page on another loopback port (another origin);
// its script GETs a record from the stack's nginx with If-None-Match, a
// header that makes the browser send a preflight first, and writes what it
// got (status and the ETag it could read) into the DOM, which Chromium's
// --dump-dom prints. With CORS_ORIGINS naming the page's origin the call
// succeeds; without it the browser refuses it (a CORS error). Without
// chromium the test is skipped, saying why (as docs_test.cc).

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "browser.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

namespace utf = boost::unit_test;

// An nginx serving dir/page/ on its own port: the other origin.
class PageServer {
 public:
  PageServer(const std::string& dir, const std::string& page) : dir_(dir) {
    port_ = FreeLoopbackPort();
    std::filesystem::create_directories(dir_ + "/page");
    std::ofstream(dir_ + "/page/index.html") << page;
    std::ofstream(dir_ + "/nginx.conf")
        << NginxUserLine() << "\n"
        << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        << "pid " << dir_ << "/nginx.pid;\nerror_log stderr warn;\n"
        << "events { worker_connections 64; }\n"
        << "http {\n"
        << "  access_log off;\n"
        << "  client_body_temp_path " << dir_ << "/client_body_temp;\n"
        << "  proxy_temp_path " << dir_ << "/proxy_temp;\n"
        << "  fastcgi_temp_path " << dir_ << "/fastcgi_temp;\n"
        << "  uwsgi_temp_path " << dir_ << "/uwsgi_temp;\n"
        << "  scgi_temp_path " << dir_ << "/scgi_temp;\n"
        << "  types { text/html html; }\n"
        << "  server { listen 127.0.0.1:" << port_ << "; root " << dir_ << "/page; }\n"
        << "}\n";
    pid_ = SpawnChild({NginxPath(), "-p", dir_ + "/", "-c", dir_ + "/nginx.conf",
                       "-e", "stderr"},
                      dir_ + "/nginx.log");
    BOOST_TEST_REQUIRE(pid_ > 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    // RawRequest, not HttpClient: this page is no API answer to check.
    while (RawRequest(port_, "GET /index.html HTTP/1.0\r\n\r\n", 1000).status != 200) {
      BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < deadline),
                         "the page server did not answer: " << ReadFile(dir_ + "/nginx.log"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~PageServer() {
    if (pid_ > 0) StopChild(pid_);
  }
  std::string Origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = 0;
};

// The page's script: GET `url` with If-None-Match (a preflight first), then
// "status <n> etag <ETag>" or "failed <error>" into #out.
std::string Page(const std::string& url) {
  return "<!DOCTYPE html><html><body><div id=\"out\">pending</div><script>\n"
         "fetch('" + url + "', {headers: {'If-None-Match': '\"999\"'}})\n"
         "  .then(r => r.text().then(() => {\n"
         "    document.getElementById('out').textContent =\n"
         "        'status ' + r.status + ' etag ' + r.headers.get('ETag'); }))\n"
         "  .catch(e => { document.getElementById('out').textContent = 'failed ' + e; });\n"
         "</script></body></html>\n";
}

// Runs the page in Chromium against a stack started with `worker_env`;
// returns the #out text Chromium's DOM ends with.
std::string RunPage(Stack& stack, const std::vector<std::string>& worker_env,
                    bool cors_for_page) {
  const std::string page_dir = stack.dir() + "/page-server";
  std::filesystem::create_directories(page_dir);
  // The page's origin must be known before the worker starts, and the
  // record's uuid before the page is written: the server starts first.
  PageServer page_server(page_dir, "<!DOCTYPE html>");
  const PageServer* server = &page_server;
  StackOptions o;
  o.worker_env = worker_env;
  const TableDesc& t = TheSchema().tables.front();
  if (cors_for_page) o.worker_env.push_back("CORS_ORIGINS=" + server->Origin());
  stack.Start(o);
  const Rec a = InsertGenerated(stack.client(), t);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(stack.port()) + RecordPath(t, a.uuid);
  std::ofstream(page_dir + "/page/index.html") << Page(url);

  const std::string html = DumpDom(server->Origin() + "/index.html", stack.dir());
  const std::size_t at = html.find("<div id=\"out\">");
  BOOST_TEST_REQUIRE(at != std::string::npos, "no #out in the DOM: " << html.substr(0, 2000));
  const std::size_t from = at + 14;
  return html.substr(from, html.find("</div>", from) - from);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cors_browser)

BOOST_AUTO_TEST_CASE(a_page_from_an_allowed_origin_reads_the_record_and_its_etag,
                     *utf::precondition(HaveChromium)) {
  Stack stack;
  const std::string out = RunPage(stack, {}, true);
  // The ETag was readable (exposed); nginx's gzip may have made it weak.
  BOOST_TEST(out.rfind("status 200 etag ", 0) == 0, out);
  BOOST_TEST(out.ends_with("\"1\""), out);
}

BOOST_AUTO_TEST_CASE(without_cors_origins_the_browser_refuses_the_call,
                     *utf::precondition(HaveChromium)) {
  Stack stack;
  const std::string out = RunPage(stack, {}, false);
  BOOST_TEST(out.rfind("failed", 0) == 0, out);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
