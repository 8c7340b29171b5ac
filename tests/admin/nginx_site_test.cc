// SPDX-License-Identifier: Apache-2.0
// tests/admin/nginx_site_test.cc - conf/nginx/lmdb-api.conf (the installed
// site, with its snippet lmdb-api-server.conf) and lmdb-api-tls.conf.example pass `nginx -t` together, in an
// nginx.conf shaped like an operator's, with a throwaway self-signed
// certificate at the example's paths. (The site's behaviour is tested
// against a running nginx in tests/e2e/production_site_test.cc.)

#include <fstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "http/nginx_problems.h"
#include "process_util.h"
#include "testutil.h"

using namespace lmdbapi::testutil;

namespace {

std::string Replaced(std::string text, const std::string& from,
                     const std::string& to) {
  const std::size_t at = text.find(from);
  BOOST_TEST_REQUIRE(at != std::string::npos, "\"" << from << "\" is gone");
  for (std::size_t i = at; i != std::string::npos; i = text.find(from, i + to.size()))
    text.replace(i, from.size(), to);
  return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nginx_site)

BOOST_AUTO_TEST_CASE(the_site_and_the_tls_example_pass_nginx_t) {
  if (!HaveTool("nginx") || !HaveTool("openssl")) {
    BOOST_TEST_MESSAGE("no nginx or openssl: skipped");
    return;
  }
  TempDir dir;
  const std::string& d = dir.path();
  Ran cert = Sh("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=api.example.com"
                " -keyout " + Quote(d + "/key.pem") + " -out " + Quote(d + "/cert.pem"));
  BOOST_TEST_REQUIRE(cert.status == 0, cert.output);

  const std::string conf = (RepoRoot() / "conf" / "nginx").string();
  // nginx's problem pages, as make renders them for make install.
  lmdbapi::Result<std::string> problems = lmdbapi::http::NginxProblemsConf();
  BOOST_TEST_REQUIRE(problems.ok(), problems.status().message());
  std::ofstream(d + "/problems.conf") << problems.value();
  std::string site =
      Replaced(ReadFile(conf + "/lmdb-api.conf"), "/var/log/nginx/", d + "/");
  site = Replaced(site, "/etc/nginx/snippets/lmdb-api-problems.conf",
                  d + "/problems.conf");
  site = Replaced(site, "/etc/nginx/snippets/lmdb-api-server.conf",
                  conf + "/lmdb-api-server.conf");
  std::ofstream(d + "/site.conf") << site;
  std::string tls = ReadFile(conf + "/lmdb-api-tls.conf.example");
  tls = Replaced(tls, "/etc/ssl/lmdb-api/fullchain.pem", d + "/cert.pem");
  tls = Replaced(tls, "/etc/ssl/lmdb-api/privkey.pem", d + "/key.pem");
  std::ofstream(d + "/tls.conf") << tls;
  std::ofstream(d + "/nginx.conf")
      << "pid " << d << "/nginx.pid;\nerror_log stderr warn;\n"
      << "events { worker_connections 4096; }\n"
      << "http {\n  include /etc/nginx/mime.types;\n"
      << "  include " << d << "/site.conf;\n"
      << "  include " << d << "/tls.conf;\n}\n";
  Ran t = Sh("nginx -e stderr -p " + Quote(d + "/") + " -c " +
             Quote(d + "/nginx.conf") + " -t");
  BOOST_TEST(t.status == 0, t.output);
  BOOST_TEST(t.output.find("[warn]") == std::string::npos, t.output);
}

BOOST_AUTO_TEST_SUITE_END()
