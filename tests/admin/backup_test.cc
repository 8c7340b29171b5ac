// SPDX-License-Identifier: Apache-2.0
// tests/admin/backup_test.cc - Backup() (src/store/backup.cc) and
// `lmdbapi-admin backup` (src/admin/backup_cmd.cc): a copy taken while
// writers run opens, passes check and holds a consistent state.

#include "lmdbapi/admin.h"

#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "admin_util.h"
#include "lmdbapi/changes.h"

using namespace lmdbapi;
using namespace lmdbapi::testutil;

namespace {

const Schema& S() { return Schema::Compiled(); }

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(backup)

BOOST_AUTO_TEST_CASE(a_copy_taken_under_writers_opens_and_passes_check) {
  TempEnv env;
  FillAll(env.env(), 500, 31);
  const TableDesc& t = S().tables[0];
  std::uint64_t before = Table(env.env(), t).Count().value();

  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    std::mt19937_64 rng(32);
    Table table(env.env(), t);
    for (std::uint64_t serial = 32'000'000; !stop; ++serial) {
      Record r = RandomRecord(t, rng, serial);
      if (table.Insert(&r).ok()) ++written;
      if (written % 50 == 0) {  // some deletes too, so pages get freed
        auto page = table.List({1, {}});
        if (page.ok() && !page->records.empty())
          (void)table.Remove(page->records[0].uuid);
      }
    }
  });
  while (written < 20) std::this_thread::yield();
  TempDir dir;
  std::string copy = dir.path() + "/copy";
  std::uint64_t last_done = 0, calls = 0;
  Status s = Backup(env.env(), copy, [&](std::uint64_t done, std::uint64_t) {
    last_done = done;
    ++calls;
  });
  int during = written;
  stop = true;
  writer.join();
  REQUIRE_OK(s);
  BOOST_TEST(calls >= 1u);
  BOOST_TEST(last_done == std::filesystem::file_size(copy + "/data.mdb"));

  Options o = env.options();
  o.path = copy;
  auto opened = Env::Open(o);
  REQUIRE_OK(opened);
  auto problems = Check(*opened.value(), [](const CheckProblem& p) {
    BOOST_ERROR(p.db << " " << p.uuid << ": " << p.what);
  });
  REQUIRE_OK(problems);
  BOOST_TEST(problems->problems == 0u);
  std::uint64_t copied = Table(*opened.value(), t).Count().value();
  BOOST_TEST(copied >= before - during / 50 - 1);
  BOOST_TEST(copied <= before + written);
}

BOOST_AUTO_TEST_CASE(backup_does_not_wait_for_an_open_write_transaction) {
  TempEnv env;
  FillAll(env.env(), 20, 35);
  const TableDesc& t = S().tables[0];
  std::mutex mu;
  std::condition_variable cv;
  bool open = false, backed_up = false;
  std::thread writer([&] {
    ImportBatch batch(env.env());
    std::mt19937_64 rng(35);
    Record r = RandomRecord(t, rng, 35'000'000);
    REQUIRE_OK(batch.Insert(t, &r));  // holds LMDB's write lock from here
    std::unique_lock<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
    // Commits only after the backup is done, or after 10 s if it waits.
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return backed_up; });
    REQUIRE_OK(batch.Commit());
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open; });
  }
  TempDir dir;
  auto start = std::chrono::steady_clock::now();
  Status s = Backup(env.env(), dir.path());
  auto took = std::chrono::steady_clock::now() - start;
  {
    std::lock_guard<std::mutex> lock(mu);
    backed_up = true;
  }
  cv.notify_all();
  writer.join();
  REQUIRE_OK(s);
  BOOST_TEST((took < std::chrono::seconds(5)));
  // The copy is the state before the open transaction.
  Options o = env.options();
  o.path = dir.path();
  auto copy = Env::Open(o);
  REQUIRE_OK(copy);
  BOOST_TEST(Table(*copy.value(), t).Count().value() == 20u);
  BOOST_TEST(Table(env.env(), t).Count().value() == 21u);
}

BOOST_AUTO_TEST_CASE(a_directory_holding_an_environment_is_refused) {
  TempEnv env;
  FillAll(env.env(), 3, 33);
  TempDir dir;
  REQUIRE_OK(Backup(env.env(), dir.path()));
  auto size = std::filesystem::file_size(dir.path() + "/data.mdb");
  Status again = Backup(env.env(), dir.path());
  BOOST_TEST((again.code() == Status::Code::kInvalidArgument), again.message());
  BOOST_TEST(Contains(again.message(), "already exists"), again.message());
  BOOST_TEST(std::filesystem::file_size(dir.path() + "/data.mdb") == size);
}

BOOST_AUTO_TEST_CASE(a_backup_is_private_to_its_user) {
  TempEnv env;
  FillAll(env.env(), 3, 34);
  TempDir dir;
  const std::string copy = dir.path() + "/new/backup";
  REQUIRE_OK(Backup(env.env(), copy));
  struct stat st;
  BOOST_TEST_REQUIRE(stat((copy + "/data.mdb").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 07777) == 0600u, "data.mdb is " << std::oct << (st.st_mode & 07777));
  for (const std::string& d : {dir.path() + "/new", copy}) {
    BOOST_TEST_REQUIRE(stat(d.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0700u, d << " is " << std::oct << (st.st_mode & 07777));
  }
}

BOOST_AUTO_TEST_CASE(the_command_writes_a_compacted_copy) {
  TempEnv env;
  auto records = FillAll(env.env(), 300, 34);
  // Deleting most records leaves free pages a compacted copy drops.
  const TableDesc& t = S().tables[0];
  for (std::size_t i = 0; i + 10 < records[t.position].size(); ++i)
    REQUIRE_OK(Table(env.env(), t).Remove(records[t.position][i].uuid));
  env.Close();
  TempDir dir;
  std::string copy = dir.path() + "/b";
  AdminRun r = Admin(env.path(), {"backup", copy});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(Contains(r.out, "compacted"), r.out);
  BOOST_TEST(std::filesystem::file_size(copy + "/data.mdb") <
             std::filesystem::file_size(env.path() + "/data.mdb"));
  BOOST_TEST(Admin(copy, {"check"}).status == 0);
  BOOST_TEST(Admin(copy, {"export", "all"}).out ==
             Admin(env.path(), {"export", "all"}).out);
  BOOST_TEST(Admin(env.path(), {"backup"}).status == 2);
}

BOOST_AUTO_TEST_CASE(the_copy_records_the_feed_seq_it_holds) {
  TempEnv env;
  FillAll(env.env(), 7, 41);
  auto bounds = GetChangeBounds(env.env());
  REQUIRE_OK(bounds);
  BOOST_TEST_REQUIRE(bounds->newest > 0u);
  TempDir dir;
  std::string copy = dir.path() + "/copy";
  std::uint64_t seq = 0;
  REQUIRE_OK(Backup(env.env(), copy, {}, &seq));
  BOOST_TEST(seq == bounds->newest);
  BOOST_TEST(ReadFileText(copy + "/changes-seq") ==
             std::to_string(bounds->newest) + "\n");
  Options o = env.options();
  o.path = copy;
  auto opened = Env::Open(o);
  REQUIRE_OK(opened);
  auto copied = GetChangeBounds(*opened.value());
  REQUIRE_OK(copied);
  BOOST_TEST(copied->newest == seq);
}

BOOST_AUTO_TEST_SUITE_END()
