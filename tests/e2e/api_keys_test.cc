// SPDX-License-Identifier: Apache-2.0
// tests/e2e/api_keys_test.cc - API_KEYS_FILE through nginx and the worker.
//
// With a keys file: no key or an unknown one is 401 problem+json with
// WWW-Authenticate; a read key reads and gets 403 on a write; a read-write
// key writes; /api/health answers its status alone without a key, and its
// figures with one. Without the file nothing asks for a key (every other
// suite runs that way). A keys file others may read, or REQUIRE_API_KEYS=1
// without one, stops the worker at start-up with one line saying why.

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
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

  // Health needs no key, but says more with one.
  Response brief = http.Get("/api/health");
  BOOST_TEST(brief.status == 200, brief.Describe());
  BOOST_TEST(brief.body == "{\"status\":\"ok\"}");
  Response full = http.Request("GET", "/api/health", {}, {{"X-API-Key", kReadKey}});
  BOOST_TEST(full.status == 200, full.Describe());
  BOOST_TEST(full.body.find("\"lmdb\"") != std::string::npos, full.body);
}

// Runs the worker with `env` (and nothing else of ours) until it exits;
// returns its exit status and output.
std::pair<int, std::string> RunWorker(const std::string& env) {
  const char* worker = std::getenv("LMDBAPI_WORKER");
  BOOST_TEST_REQUIRE(worker != nullptr);
  const std::string cmd = "env " + env + " timeout 20 " + worker + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

BOOST_AUTO_TEST_CASE(a_keys_file_others_may_read_stops_start_up) {
  Stack stack;  // for its directory
  const std::string keys = stack.dir() + "/api-keys";
  std::ofstream(keys) << "read " << kReadKey << "\n";
  chmod(keys.c_str(), 0644);
  const std::string env = "LMDB_PATH=" + stack.DataDir() +
                          " FCGI_SOCKET=" + stack.dir() + "/refused.sock";
  auto [code, out] = RunWorker(env + " API_KEYS_FILE=" + keys);
  BOOST_TEST(code == 2, out);
  BOOST_TEST(out.find("API_KEYS_FILE " + keys + ": mode 0644") != std::string::npos, out);
  BOOST_TEST(out.find(kReadKey) == std::string::npos, "never echo a key");

  auto [code2, out2] = RunWorker(env + " REQUIRE_API_KEYS=1");
  BOOST_TEST(code2 == 2, out2);
  BOOST_TEST(out2.find("REQUIRE_API_KEYS") != std::string::npos, out2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
