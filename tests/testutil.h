// SPDX-License-Identifier: Apache-2.0
// tests/testutil.h - helpers shared by the unit suites.

#ifndef LMDBAPI_TESTS_TESTUTIL_H_
#define LMDBAPI_TESTS_TESTUTIL_H_

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/env.h"
#include "lmdbapi/status.h"

// Fails the test case at once, printing the Status message.
#define REQUIRE_OK(expr)                                               \
  do {                                                                 \
    const auto& require_ok_ = (expr);                                  \
    BOOST_TEST_REQUIRE(require_ok_.ok(), #expr << ": "                 \
                                         << lmdbapi::testutil::Message( \
                                                require_ok_));         \
  } while (0)

namespace lmdbapi::testutil {

inline const std::string& Message(const Status& s) { return s.message(); }
template <typename T>
const std::string& Message(const Result<T>& r) { return r.status().message(); }

// Polls done() every 5 ms until it holds or `limit` passes; returns
// whether it held. The tests' one way to wait for what another thread or
// process does: a condition with a deadline, never a bare sleep.
template <typename Pred>
bool WaitFor(Pred done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}
template <typename Pred>
bool WaitFor(Pred done, int limit_ms) {
  return WaitFor(done, std::chrono::milliseconds(limit_ms));
}

// A fresh directory under $TMPDIR, removed with everything in it at the end
// of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "lmdbapi-test-XXXXXX")
            .string();
    BOOST_TEST_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An environment in a TempDir, opened with the compiled schema (or the one
// given) and no fsync: the tests check logic, not the disk.
class TempEnv {
 public:
  explicit TempEnv(const Schema& schema = Schema::Compiled()) {
    Reopen(schema);
  }
  Env& env() { return *env_; }
  const std::string& path() const { return dir_.path(); }
  Options options() const {
    Options o;
    o.path = dir_.path();
    o.durability = Durability::kNoSync;
    o.map_size_bytes = std::uint64_t{256} << 20;
    return o;
  }
  void Close() { env_.reset(); }
  Status TryReopen(const Schema& schema) {
    env_.reset();
    auto r = Env::Open(options(), schema);
    if (!r.ok()) return r.status();
    env_ = std::move(r.value());
    return Status();
  }
  void Reopen(const Schema& schema = Schema::Compiled()) {
    REQUIRE_OK(TryReopen(schema));
  }

 private:
  TempDir dir_;
  std::unique_ptr<Env> env_;
};

}  // namespace lmdbapi::testutil

#endif  // LMDBAPI_TESTS_TESTUTIL_H_
