// SPDX-License-Identifier: Apache-2.0
// tests/e2e/changes_test.cc - the change feed through nginx and the worker
// (issue 15, "Change feed"): pages after inserts, a patch and a cascade
// delete; the tables filter; paging with next; 410 once trimmed; the SSE
// stream resumed with Last-Event-ID, every change exactly once; a stalled
// stream client that never delays writes or other clients; idle streams
// that hold no request thread.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// A table with a child table (for the cascade), else the first.
const TableDesc& ParentTable() {
  for (const TableDesc& t : TheSchema().tables)
    if (t.is_main() && !t.children.empty()) return t;
  return TheSchema().tables.front();
}

struct Seen {
  std::uint64_t seq, txn;
  bool txn_end;
  std::string table, uuid, op;
  bool record_null;
};

std::vector<Seen> ParseChanges(const rapidjson::Value& changes) {
  std::vector<Seen> out;
  for (const auto& c : changes.GetArray())
    out.push_back({c["seq"].GetUint64(), c["txn"].GetUint64(),
                   c["txn_end"].GetBool(), c["table"].GetString(),
                   c["uuid"].GetString(), c["op"].GetString(),
                   c["record"].IsNull()});
  return out;
}

// Every change after `after`, `limit` per page, following next.
std::vector<Seen> AllChanges(HttpClient& http, std::uint64_t after,
                             int limit = 1000, const std::string& tables = "") {
  std::vector<Seen> all;
  for (int pages = 0; pages < 10000; ++pages) {
    std::string path = "/api/changes?after=" + std::to_string(after) +
                       "&limit=" + std::to_string(limit);
    if (!tables.empty()) path += "&tables=" + tables;
    Response r = http.Get(path);
    BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
    rapidjson::Document d = ParseJson(r.body);
    BOOST_TEST_REQUIRE(!d.HasParseError(), r.Describe());
    std::vector<Seen> page = ParseChanges(d["changes"]);
    BOOST_TEST_REQUIRE(page.size() <= static_cast<std::size_t>(limit));
    std::uint64_t next = d["next"].GetUint64();
    if (page.empty()) {
      BOOST_TEST(next == after);
      return all;
    }
    BOOST_TEST(next == page.back().seq);
    all.insert(all.end(), page.begin(), page.end());
    after = next;
  }
  BOOST_FAIL("the feed never ended");
  return all;
}

// A Server-Sent Events client on a raw socket (HTTP/1.0, so the body is
// not chunked and ends with the connection).
class SseClient {
 public:
  SseClient(int port, const std::string& path_and_query,
            const std::string& last_event_id = "", int rcvbuf = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    BOOST_TEST_REQUIRE(fd_ >= 0);
    if (rcvbuf > 0)
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_TEST_REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    std::string req = "GET " + path_and_query + " HTTP/1.0\r\nHost: test\r\n";
    if (!last_event_id.empty()) req += "Last-Event-ID: " + last_event_id + "\r\n";
    req += "\r\n";
    BOOST_TEST_REQUIRE(send(fd_, req.data(), req.size(), MSG_NOSIGNAL) ==
                       static_cast<ssize_t>(req.size()));
  }
  ~SseClient() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  // Reads until `want` events in all have come (true), or the deadline
  // passes or the stream ends (false). Heartbeats are counted apart.
  bool ReadUntil(std::size_t want, std::chrono::milliseconds within) {
    const auto deadline = Clock::now() + within;
    while (ids.size() < want) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[65536];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<std::size_t>(n));
      Parse();
    }
    return true;
  }

  std::string status_line;
  std::string headers;
  std::vector<std::uint64_t> ids;
  std::vector<std::string> data;
  int heartbeats = 0;

 private:
  void Parse() {
    if (status_line.empty()) {
      std::size_t end = buf_.find("\r\n\r\n");
      if (end == std::string::npos) return;
      headers = buf_.substr(0, end);
      status_line = headers.substr(0, headers.find("\r\n"));
      buf_.erase(0, end + 4);
    }
    for (std::size_t end; (end = buf_.find("\n\n")) != std::string::npos;) {
      std::string block = buf_.substr(0, end);
      buf_.erase(0, end + 2);
      if (block.rfind(": heartbeat", 0) == 0) ++heartbeats;
      std::size_t id = block.find("id: ");
      std::size_t d = block.find("\ndata: ");
      if (id == 0 && d != std::string::npos) {
        ids.push_back(std::stoull(block.substr(4, d - 4)));
        data.push_back(block.substr(d + 7));
      }
    }
  }
  int fd_ = -1;
  std::string buf_;
};

StackOptions FeedOptions(std::vector<std::string> more = {}) {
  StackOptions o;
  o.durability = "nosync";
  o.worker_env = {"CHANGES_HEARTBEAT_MS=200"};
  for (std::string& m : more) o.worker_env.push_back(std::move(m));
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(changes)

BOOST_AUTO_TEST_CASE(the_feed_holds_inserts_a_patch_and_a_cascade_delete) {
  Stack stack;
  stack.Start(FeedOptions());
  HttpClient& http = stack.client();
  const TableDesc& t = ParentTable();
  Rec parent = InsertGenerated(http, t);
  std::vector<std::string> kids;
  for (int c : t.children)
    for (int i = 0; i < 2; ++i)
      kids.push_back(InsertGenerated(http, TheSchema().tables[c], parent.uuid).uuid);
  Response patched = http.Request("PATCH", RecordPath(t, parent.uuid), "{}",
                                  {{"Content-Type", "application/merge-patch+json"}});
  BOOST_TEST_REQUIRE(patched.status == 200, patched.Describe());
  Response gone = http.Delete(RecordPath(t, parent.uuid));
  BOOST_TEST_REQUIRE(gone.status == 204, gone.Describe());

  std::vector<Seen> all = AllChanges(http, 0, 3);
  BOOST_TEST_REQUIRE(all.size() >= 3 + 2 * kids.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    BOOST_TEST(all[i].seq == i + 1, "no gaps");
  // The delete and its cascade: one transaction, children first, at the end.
  const std::size_t deletes = 1 + kids.size();
  const std::size_t first = all.size() - deletes;
  for (std::size_t i = first; i < all.size(); ++i) {
    BOOST_TEST(all[i].op == "delete");
    BOOST_TEST(all[i].record_null);
    BOOST_TEST(all[i].txn == all[first].seq);
    BOOST_TEST(all[i].txn_end == (i + 1 == all.size()));
  }
  BOOST_TEST(all.back().uuid == parent.uuid);
  BOOST_TEST(all[first - 1].op == "update");  // the patch
  BOOST_TEST(all[first - 1].uuid == parent.uuid);
  std::set<std::string> kid_set(kids.begin(), kids.end());
  for (std::size_t i = 0; i < first - 1; ++i) {
    BOOST_TEST(all[i].op == "insert");
    BOOST_TEST(all[i].txn == all[i].seq);
    BOOST_TEST(!all[i].record_null);
  }
  // Only the parent's table.
  std::vector<Seen> only = AllChanges(http, 0, 2, t.name);
  for (const Seen& s : only) BOOST_TEST(s.table == t.name);
  BOOST_TEST(only.size() == 3u);  // insert, patch, delete
}

BOOST_AUTO_TEST_CASE(a_trimmed_seq_is_410_with_the_oldest_and_bad_params_400) {
  Stack stack;
  stack.Start(FeedOptions({"CHANGES_RETAIN=3"}));
  HttpClient& http = stack.client();
  const TableDesc& t = ParentTable();
  for (int i = 0; i < 8; ++i) InsertGenerated(http, t);
  Response r = http.Get("/api/changes?after=1");
  BOOST_TEST_REQUIRE(r.status == 410, r.Describe());
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST(d["oldest"].GetUint64() == 6u);
  BOOST_TEST(AllChanges(http, 5).size() == 3u);
  Response bad = http.Get("/api/changes?limit=0");
  BOOST_TEST(bad.status == 400, bad.Describe());
  bad = http.Get("/api/changes?tables=nonesuch");
  BOOST_TEST(bad.status == 400, bad.Describe());
}

BOOST_AUTO_TEST_CASE(the_feed_off_is_409) {
  Stack stack;
  stack.Start(FeedOptions({"CHANGES=off"}));
  Response r = stack.client().Get("/api/changes");
  BOOST_TEST(r.status == 409, r.Describe());
}

BOOST_AUTO_TEST_CASE(a_resumed_stream_sees_every_change_exactly_once) {
  Stack stack;
  stack.Start(FeedOptions());
  HttpClient& http = stack.client();
  const TableDesc& t = ParentTable();
  for (int i = 0; i < 5; ++i) InsertGenerated(http, t);

  std::vector<std::uint64_t> got;
  {
    SseClient s(stack.port(), "/api/changes/stream?after=0");
    BOOST_TEST_REQUIRE(s.ReadUntil(5, std::chrono::seconds(10)),
                       s.status_line << " " << s.ids.size());
    BOOST_TEST(s.status_line.find(" 200") != std::string::npos, s.status_line);
    BOOST_TEST(s.headers.find("text/event-stream") != std::string::npos);
    // Live: a write after the stream opened arrives on it.
    InsertGenerated(http, t);
    BOOST_TEST_REQUIRE(s.ReadUntil(6, std::chrono::seconds(10)));
    // Idle: heartbeats come.
    const auto until = Clock::now() + std::chrono::seconds(10);
    while (s.heartbeats == 0 && Clock::now() < until)
      s.ReadUntil(7, std::chrono::milliseconds(100));
    BOOST_TEST(s.heartbeats > 0);
    got = s.ids;
  }  // disconnects
  for (int i = 0; i < 4; ++i) InsertGenerated(http, t);
  // The URL it first used, and the last id it got: the header wins.
  SseClient again(stack.port(), "/api/changes/stream?after=0",
                  std::to_string(got.back()));
  BOOST_TEST_REQUIRE(again.ReadUntil(4, std::chrono::seconds(10)));
  got.insert(got.end(), again.ids.begin(), again.ids.end());
  BOOST_TEST_REQUIRE(got.size() == 10u);
  for (std::size_t i = 0; i < got.size(); ++i) BOOST_TEST(got[i] == i + 1);
  // Nothing more came (no repeat).
  BOOST_TEST(!again.ReadUntil(5, std::chrono::milliseconds(500)));
  BOOST_TEST(again.ids.size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_stalled_stream_client_never_delays_writes_or_streams) {
  Stack stack;
  StackOptions o = FeedOptions({"RESPONSE_SEND_TIMEOUT_MS=1000"});
  o.worker_threads = 2;
  stack.Start(o);
  HttpClient& http = stack.client();
  const TableDesc& t = ParentTable();
  // Many idle streams: none holds one of the two request threads.
  std::vector<std::unique_ptr<SseClient>> idle;
  for (int i = 0; i < 20; ++i)
    idle.push_back(std::make_unique<SseClient>(stack.port(), "/api/changes/stream"));
  for (auto& s : idle) {
    const auto until = Clock::now() + std::chrono::seconds(10);
    while (s->status_line.empty() && Clock::now() < until)
      s->ReadUntil(1, std::chrono::milliseconds(100));
    BOOST_TEST_REQUIRE(s->status_line.find(" 200") != std::string::npos);
  }
  // One that never reads, with a tiny receive buffer, from the start.
  SseClient stalled(stack.port(), "/api/changes/stream?after=0", "", 4096);
  SseClient reader(stack.port(), "/api/changes/stream?after=0");
  const int kWrites = 600;
  const auto start = Clock::now();
  for (int i = 0; i < kWrites; ++i) InsertGenerated(http, t);
  const double secs =
      std::chrono::duration<double>(Clock::now() - start).count();
  BOOST_TEST_MESSAGE(kWrites << " inserts beside a stalled stream: " << secs << " s");
  BOOST_TEST(http.Get("/api/health").status == 200);
  BOOST_TEST_REQUIRE(reader.ReadUntil(kWrites, std::chrono::seconds(30)),
                     reader.ids.size());
  for (std::size_t i = 0; i < reader.ids.size(); ++i)
    BOOST_TEST_REQUIRE(reader.ids[i] == i + 1);
  for (auto& s : idle) BOOST_TEST(s->ReadUntil(kWrites, std::chrono::seconds(30)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
