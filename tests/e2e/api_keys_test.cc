// tests/e2e/api_keys_test.cc - API_KEYS_FILE through nginx and the worker.
//
// With a keys file: no key or an unknown one is 401 problem+json with
// WWW-Authenticate; a read key reads and gets 403 on a write; a read-write
// key writes; /api/health answers without a key. Without the file nothing
// asks for a key (every other suite runs that way).

#include <sys/stat.h>

#include <fstream>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

constexpr const char* kReadKey = "e2e-read-key-0123456789";
constexpr const char* kWriteKey = "e2e-write-key-ABCDEFGHIJ";

}  // namespace

BOOST_AUTO_TEST_SUITE(api_keys)

BOOST_AUTO_TEST_CASE(keys_file_gates_reads_and_writes) {
  Stack stack;
  const std::string keys = stack.dir() + "/api-keys";
  std::ofstream(keys) << "read " << kReadKey << "  # e2e reader\n"
                      << "read-write " << kWriteKey << "  # e2e writer\n";
  chmod(keys.c_str(), 0600);
  StackOptions o;
  o.worker_env = {"API_KEYS_FILE=" + keys};
  o.probe_key = kReadKey;
  stack.Start(o);
  HttpClient& http = stack.client();
  const TableDesc& t = TheSchema().tables.front();  // a main table
  const std::string body = BodyJson(t, GenRecord(t, NextN()));

  Response none = http.Get(TablePath(t));
  CheckProblem(none, 401);
  BOOST_TEST(none.Header("WWW-Authenticate") == "Bearer realm=\"lmdb-api\"");
  CheckProblem(http.Request("GET", TablePath(t), {}, {{"X-API-Key", "not-a-key-of-ours-000"}}), 401);

  Response read = http.Request("GET", TablePath(t), {}, {{"X-API-Key", kReadKey}});
  BOOST_TEST(read.status == 200, read.Describe());
  Response bearer = http.Request("GET", TablePath(t), {},
                                 {{"Authorization", std::string("Bearer ") + kReadKey}});
  BOOST_TEST(bearer.status == 200, bearer.Describe());
  CheckProblem(http.Request("POST", TablePath(t), body, {{"X-API-Key", kReadKey}}), 403);
  Response wrote = http.Request("POST", TablePath(t), body, {{"X-API-Key", kWriteKey}});
  BOOST_TEST(wrote.status == 201, wrote.Describe());

  BOOST_TEST(http.Get("/api/health").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
