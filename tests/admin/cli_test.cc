// SPDX-License-Identifier: Apache-2.0
// tests/admin/cli_test.cc - the command line (src/admin/cli.cc): help for
// every command, usage errors with exit status 2, settings read as the
// worker reads them, and a schema mismatch explained with the way out.

#include "admin/cli.h"

#include <boost/test/unit_test.hpp>

#include "admin/commands.h"
#include "admin_util.h"
#include "process_util.h"

using namespace lmdbapi;
using namespace lmdbapi::testutil;

namespace {

const Schema& S() { return Schema::Compiled(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(every_command_has_help_in_two_spellings) {
  AdminRun top = RunAdmin({"--help"});
  BOOST_TEST(top.status == 0);
  for (const admin::Command& c : admin::Commands()) {
    BOOST_TEST(Contains(top.out, std::string("  ") + c.synopsis + "\n"), c.name);
    AdminRun a = RunAdmin({c.name, "--help"});
    AdminRun b = RunAdmin({"help", c.name});
    BOOST_TEST(a.status == 0, c.name);
    BOOST_TEST(a.out == b.out, c.name);
    BOOST_TEST(Contains(a.out, std::string("usage: lmdbapi-admin [--path DIR] ") +
                                   c.synopsis),
               a.out);
    BOOST_TEST(a.out.size() > 100u, c.name);  // says what it does
  }
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_and_say_what_is_wrong) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  std::vector<Case> cases = {
      {{}, "usage: lmdbapi-admin"},
      {{"frobnicate"}, "no command \"frobnicate\""},
      {{"stats", "--verbose"}, "unknown option --verbose"},
      {{"import", "--batch"}, "--batch needs a value"},
      {{"import", S().tables[0].name, "--batch", "0"}, "--batch: \"0\""},
      {{"check", "--max-problems=x"}, "--max-problems: \"x\""},
      {{"stats", "extra"}, "takes no operands"},
      {{"export"}, "name one TABLE, or all"},
      {{"help", "nope"}, "no command \"nope\""},
      {{"--path", "", "stats"}, "--path is empty"},
  };
  for (const Case& c : cases) {
    AdminRun r = RunAdmin(c.args);
    std::string joined;
    for (const std::string& a : c.args) joined += a + " ";
    BOOST_TEST(r.status == 2, joined);
    BOOST_TEST(Contains(r.err, c.says), joined << "-> " << r.err);
  }
}

BOOST_AUTO_TEST_CASE(settings_come_from_the_workers_variables) {
  TempEnv env;
  FillAll(env.env(), 2, 51);
  env.Close();
  // LMDB_PATH, as for the worker; --path wins over it.
  AdminRun r = RunAdmin({"stats"}, {}, {{"LMDB_PATH", env.path()}});
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(Contains(r.out, "environment  " + env.path()), r.out);
  r = RunAdmin({"stats", "--path", env.path()},
               {}, {{"LMDB_PATH", env.path() + "/elsewhere"}});
  BOOST_TEST(r.status == 0, r.err);
  // A bad value is refused in the worker's words.
  r = RunAdmin({"stats"}, {}, {{"LMDB_MAP_SIZE_GB", "ten"}});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(Contains(r.err, "LMDB_MAP_SIZE_GB: \"ten\""), r.err);
}

BOOST_AUTO_TEST_CASE(an_incompatible_environment_is_refused_with_the_way_out) {
  // Written by a schema whose first table had one more field.
  Schema old = S();
  FieldDesc extra;
  extra.name = "gone_now";
  extra.type = FieldType::INT64;
  extra.default_value = std::int64_t{0};
  old.tables[0].fields.push_back(extra);
  TempEnv env(old);
  env.Close();
  Status library = Env::Open(env.options()).status();
  BOOST_TEST_REQUIRE((library.code() == Status::Code::kSchemaMismatch));

  for (const char* command : {"stats", "check", "export", "reindex"}) {
    std::vector<std::string> args = {"--path", env.path(), command};
    if (std::string(command) == "export") args.push_back("all");
    AdminRun r = RunAdmin(args);
    BOOST_TEST(r.status == 1, command);
    // The library's message, as the worker logs it.
    BOOST_TEST(Contains(r.err, "cannot open LMDB_PATH " + env.path() + ": " +
                                   library.message()),
               r.err);
    BOOST_TEST(Contains(r.err, "export all --stored-schema"), r.err);
    BOOST_TEST(Contains(r.err, "import all"), r.err);
  }

  // The worker refuses it in the same words, and exits 1.
  std::string worker = BuiltBinary("LMDBAPI_WORKER", "lmdbapi-worker");
  BOOST_TEST_REQUIRE(access(worker.c_str(), X_OK) == 0, worker);
  std::string log = env.path() + "/worker.log";
  Child child({worker},
              {"LMDB_PATH=" + env.path(), "FCGI_SOCKET=" + env.path() + "/w.sock"},
              log);
  BOOST_TEST(child.Wait() == 1, ReadFile(log));
  BOOST_TEST(Contains(ReadFile(log), "cannot open LMDB_PATH " + env.path() +
                                         ": " + library.message()),
             ReadFile(log));
}

BOOST_AUTO_TEST_CASE(the_migration_path_works) {
  // Old schema: the first table had one more field. Export with the stored
  // schema, drop the member, import into a new environment.
  Schema old = S();
  FieldDesc extra;
  extra.name = "gone_now";
  extra.type = FieldType::STRING;
  extra.default_value = std::string();
  old.tables[0].fields.push_back(extra);
  TempEnv env(old);
  std::mt19937_64 rng(52);
  std::vector<Record> rs;
  for (int i = 0; i < 5; ++i) {
    Record r = RandomRecord(old.tables[0], rng, 5200 + i);
    REQUIRE_OK(Table(env.env(), old.tables[0]).Insert(&r));
    rs.push_back(r);
  }
  env.Close();
  AdminRun dump = Admin(env.path(), {"export", "all", "--stored-schema"});
  BOOST_TEST_REQUIRE(dump.status == 0, dump.err);
  std::string edited;
  for (std::string line : Lines(dump.out)) {
    std::size_t at = line.find(",\"gone_now\":");
    BOOST_TEST_REQUIRE(at != std::string::npos, line);
    std::size_t end = line.find_first_of(",}", line.find('"', at + 13) + 1);
    line.erase(at, end - at);
    edited += line + "\n";
  }
  TempDir fresh;
  AdminRun r = Admin(fresh.path(), {"import", "all"}, edited);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(Contains(r.err, "imported 5 records"), r.err);
  BOOST_TEST(Admin(fresh.path(), {"check"}).status == 0);
}

BOOST_AUTO_TEST_SUITE_END()
