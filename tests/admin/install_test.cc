// SPDX-License-Identifier: Apache-2.0
// tests/admin/install_test.cc - the Makefile's install and uninstall
// targets, run into a temporary DESTDIR: the tree they make, the unit
// pointed at the installed worker, and an uninstall that leaves nothing of
// theirs (but keeps an operator's settings file).

#include <sys/stat.h>

#include <fstream>
#include <set>

#include <boost/test/unit_test.hpp>

#include "admin_util.h"
#include "http/nginx_problems.h"
#include "process_util.h"

using namespace lmdbapi;
using namespace lmdbapi::testutil;

namespace {

// `make ARGS` in the checkout for this binary's schema. The binaries are
// taken as they are (-o) when built: this checks installing, not building.
Ran Make(const std::string& args) {
  std::string schema = "schema/" + SchemaName() + ".def";
  std::string keep;
  for (const char* b : {"lmdbapi-worker", "lmdbapi-admin"}) {
    std::string rel = "build/" + SchemaName() + "/" + b;
    if (std::filesystem::exists(RepoRoot() / rel)) keep += " -o " + rel;
  }
  // Not the jobserver of a make that may be running these tests.
  return Sh("env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C " +
            Quote(RepoRoot().string()) + keep + " SCHEMA=" + schema + " " +
            args);
}

std::set<std::string> Files(const std::string& root) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (!e.is_directory())
      out.insert(e.path().string().substr(root.size()));
  return out;
}

unsigned Mode(const std::string& path) {
  struct stat st;
  BOOST_TEST_REQUIRE(stat(path.c_str(), &st) == 0, path);
  return st.st_mode & 07777;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(install)

BOOST_AUTO_TEST_CASE(install_lays_out_the_tree_and_uninstall_takes_it_back) {
  TempDir dest;
  const std::string& d = dest.path();
  Ran r = Make("install DESTDIR=" + Quote(d) + " PREFIX=/usr");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);

  std::set<std::string> want = {
      "/usr/bin/lmdbapi-worker",
      "/usr/bin/lmdbapi-admin",
      "/usr/lib/systemd/system/lmdb-api.socket",
      "/usr/lib/systemd/system/lmdb-api.service",
      "/etc/nginx/sites-available/lmdb-api.conf",
      "/etc/nginx/snippets/lmdb-api-problems.conf",
      "/etc/nginx/snippets/lmdb-api-server.conf",
      "/etc/lmdb-api/lmdb-api.env.example",
      "/usr/share/lmdb-api/docs/index.html",
      "/usr/share/lmdb-api/docs/swagger-ui.css",
      "/usr/share/lmdb-api/docs/swagger-ui-bundle.js",
      "/usr/share/lmdb-api/docs/favicon-16x16.png",
      "/usr/share/lmdb-api/docs/favicon-32x32.png",
  };
  BOOST_TEST(Files(d) == want);
  for (const std::string& f : want)
    BOOST_TEST(Mode(d + f) == (f.find("/bin/") != std::string::npos ? 0755u
                                                                      : 0644u),
               f);

  // The service starts the installed worker; otherwise it is the source.
  std::string source = ReadFile((RepoRoot() / "systemd/lmdb-api.service").string());
  std::string installed = ReadFile(d + "/usr/lib/systemd/system/lmdb-api.service");
  BOOST_TEST(Contains(installed, "\nExecStart=/usr/bin/lmdbapi-worker\n"));
  std::string back = installed;
  back.replace(back.find("/usr/bin/lmdbapi-worker"), 23,
               "/usr/local/bin/lmdbapi-worker");
  BOOST_TEST(back == source);
  // The site serves the docs from where they were installed.
  std::string site = ReadFile(d + "/etc/nginx/sites-available/lmdb-api.conf");
  BOOST_TEST(Contains(site, "default  /usr/share/lmdb-api/docs/;"));
  std::string site_back = site;
  site_back.replace(site_back.find("/usr/share/lmdb-api/docs/"), 25,
                    "/usr/local/share/lmdb-api/docs/");
  BOOST_TEST(site_back == ReadFile((RepoRoot() / "conf/nginx/lmdb-api.conf").string()));
  // ...and includes nginx's error pages from where they were installed,
  // as the worker renders them (make check renders them before this runs;
  // Make() keeps the built worker, so it would not re-render them).
  BOOST_TEST(Contains(site, "include  /etc/nginx/snippets/lmdb-api-problems.conf;"));
  // The API's part of the server block, shared with dev.conf.in, as it is.
  BOOST_TEST(Contains(site, "include  /etc/nginx/snippets/lmdb-api-server.conf;"));
  BOOST_TEST(ReadFile(d + "/etc/nginx/snippets/lmdb-api-server.conf") ==
             ReadFile((RepoRoot() / "conf/nginx/lmdb-api-server.conf").string()));
  Result<std::string> problems = http::NginxProblemsConf();
  BOOST_TEST_REQUIRE(problems.ok(), problems.status().message());
  BOOST_TEST(ReadFile(d + "/etc/nginx/snippets/lmdb-api-problems.conf") ==
             problems.value());

  // The installed programs run and are this schema's.
  Ran tables = Sh(Quote(d + "/usr/bin/lmdbapi-worker") + " --print-tables");
  BOOST_TEST(tables.status == 0);
  BOOST_TEST(Contains(tables.output, Schema::Compiled().tables[0].name + "\n"));
  BOOST_TEST(Sh(Quote(d + "/usr/bin/lmdbapi-admin") + " --help").status == 0);

  // Uninstall removes its files and keeps the operator's settings.
  std::ofstream(d + "/etc/lmdb-api/lmdb-api.env") << "LOG_LEVEL=debug\n";
  r = Make("uninstall DESTDIR=" + Quote(d) + " PREFIX=/usr");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(Files(d) == std::set<std::string>{"/etc/lmdb-api/lmdb-api.env"});
  std::filesystem::remove(d + "/etc/lmdb-api/lmdb-api.env");
  r = Make("uninstall DESTDIR=" + Quote(d) + " PREFIX=/usr");
  BOOST_TEST(r.status == 0, r.output);  // again: nothing left to remove
  BOOST_TEST(Files(d).empty());
  BOOST_TEST(!std::filesystem::exists(d + "/etc/lmdb-api"));
}

BOOST_AUTO_TEST_CASE(the_default_prefix_is_usr_local) {
  Ran r = Make("-n install DESTDIR=/nonexistent");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  for (const char* path : {"/nonexistent/usr/local/bin/lmdbapi-worker",
                           "/nonexistent/usr/local/bin/lmdbapi-admin",
                           "/nonexistent/usr/local/lib/systemd/system/lmdb-api.socket",
                           "/nonexistent/etc/nginx/sites-available/lmdb-api.conf",
                           "/nonexistent/etc/lmdb-api/lmdb-api.env.example"})
    BOOST_TEST(Contains(r.output, path), path);
}

BOOST_AUTO_TEST_SUITE_END()
