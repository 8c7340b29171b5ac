// SPDX-License-Identifier: Apache-2.0
// tests/http/fcgi_server_test.cc - src/http/fcgi_server.cc over a real
// unix socket, with the FastCGI client of fcgi_client.h playing nginx.

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "http/fcgi_client.h"
#include "http/fcgi_server.h"
#include "http/listen_socket.h"
#include "http/metrics.h"
#include "http/request_bodies.h"
#include "lmdbapi/schema.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::http::ListenUnix;
using lmdbapi::http::Server;
using lmdbapi::http::ServerOptions;
using lmdbapi::testutil::FcgiClient;
using lmdbapi::testutil::FcgiReply;
using lmdbapi::testutil::WaitFor;
using Params = std::map<std::string, std::string>;

namespace {

using Clock = std::chrono::steady_clock;

const TableDesc& MainTable() {
  for (const TableDesc& t : Schema::Compiled().tables)
    if (t.parent < 0) return t;
  return Schema::Compiled().tables.front();
}

std::string NewBody(std::uint64_t serial) {
  std::mt19937_64 rng(serial);
  return testutil::BodyFor(
      testutil::RandomRecord(MainTable(), rng, serial), MainTable());
}

Params Post() {
  return {{"REQUEST_METHOD", "POST"},
          {"DOCUMENT_URI", "/api/" + MainTable().name},
          {"CONTENT_TYPE", "application/json"}};
}

Params Get(const std::string& path, const std::string& query = "") {
  return {{"REQUEST_METHOD", "GET"}, {"DOCUMENT_URI", path},
          {"QUERY_STRING", query}};
}

// A Server on a socket in a temporary directory, over a TempEnv.
struct Served {
  explicit Served(ServerOptions options = {2, 1 << 20},
                  std::string_view openapi_json = {})
      : socket_path(dir.path() + "/w.sock"),
        metrics(Schema::Compiled(), options.threads + 1),
        server(env.env(), options, &metrics, openapi_json) {
    auto fd = ListenUnix(socket_path, 64);
    BOOST_TEST_REQUIRE(fd.ok(), fd.status().message());
    listen_fd = fd.value();
    REQUIRE_OK(server.Start(listen_fd));
  }
  ~Served() {
    server.Stop();
    close(listen_fd);
  }

  testutil::TempDir dir;
  testutil::TempEnv env;
  std::string socket_path;
  http::Metrics metrics;
  Server server;
  int listen_fd = -1;
};

ServerOptions WithThreads(unsigned threads) {
  ServerOptions o;
  o.threads = threads;
  return o;
}

// A POST whose body never finishes: params whole, 5 of its bytes sent.
bool BeginUnfinished(FcgiClient& c) {
  std::string body = NewBody(99);
  Params p = Post();
  p["CONTENT_LENGTH"] = std::to_string(body.size());
  return c.Begin(p) && c.Stdin(body.substr(0, 5), false);
}

using Drop = http::Metrics::Drop;

}  // namespace

BOOST_AUTO_TEST_SUITE(fcgi_server)

BOOST_AUTO_TEST_CASE(one_kept_connection_serves_many_requests) {
  Served s;
  FcgiClient c(s.socket_path);
  BOOST_TEST_REQUIRE(c.ok());
  std::string body = NewBody(1);
  FcgiReply r = c.Call(Post(), body);
  BOOST_TEST_REQUIRE(r.complete);
  BOOST_TEST_REQUIRE(r.status == 201, r.body);
  BOOST_TEST(r.headers["Content-Type"] == "application/json");
  BOOST_TEST(r.headers["ETag"] == "\"1\"");
  BOOST_TEST(r.headers["Content-Length"] == std::to_string(r.body.size()));
  std::string location = r.headers["Location"];
  BOOST_TEST(location.find("/api/" + MainTable().name + "/") == 0u);

  r = c.Call(Get(location));
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  BOOST_TEST("/api/" + MainTable().name + "/" + d["uuid"].GetString() ==
             location);

  Params head = Get(location);
  head["REQUEST_METHOD"] = "HEAD";
  r = c.Call(head);
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body.empty());
  BOOST_TEST(std::stoul(r.headers["Content-Length"]) > 0u);

  r = c.Call(Get("/api/" + MainTable().name, "limit=1"));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(!r.headers["X-Query-Plan"].empty());

  r = c.Call({{"REQUEST_METHOD", "PATCH"},
              {"DOCUMENT_URI", "/api/" + MainTable().name}});
  BOOST_TEST(r.status == 405);
  BOOST_TEST(r.headers["Allow"] == "GET, HEAD, POST, OPTIONS");
  BOOST_TEST(r.headers["Content-Type"] == "application/problem+json");
}

BOOST_AUTO_TEST_CASE(request_uri_is_used_without_document_uri) {
  Served s;
  FcgiClient c(s.socket_path);
  FcgiReply r = c.Call({{"REQUEST_METHOD", "GET"},
                        {"REQUEST_URI", "/api/" + MainTable().name + "?limit=1"},
                        {"QUERY_STRING", "limit=1"}});
  BOOST_TEST(r.status == 200, r.body);
}

BOOST_AUTO_TEST_CASE(bodies_over_the_limit_are_413_and_the_connection_lives) {
  Served s({2, 64});
  FcgiClient c(s.socket_path);
  FcgiReply r = c.Call(Post(), std::string(100, ' '));
  BOOST_TEST(r.status == 413, r.body);
  BOOST_TEST(r.headers["Content-Type"] == "application/problem+json");
  // Without CONTENT_LENGTH the body is read to its end, up to the limit.
  r = c.Call(Post(), std::string(65, ' '), false);
  BOOST_TEST(r.status == 413, r.body);
  r = c.Call(Post(), "{}", false);
  BOOST_TEST(r.status == 400, r.body);  // read, parsed: fields missing
  BOOST_TEST(r.body.find("missing required field") != std::string::npos);
  // The drained bodies left the connection at the next request.
  r = c.Call(Get("/api/" + MainTable().name));
  BOOST_TEST(r.status == 200, r.body);
}

BOOST_AUTO_TEST_CASE(a_bulk_load_has_its_own_body_limit) {
  ServerOptions options{2, 64};
  options.bulk_max_body_bytes = 4096;
  Served s(options);
  FcgiClient c(s.socket_path);
  Params bulk = Post();
  bulk["DOCUMENT_URI"] = "/api/" + MainTable().name + "/bulk";
  // Over MAX_BODY_BYTES, under BULK_MAX_BODY_BYTES: read and parsed (an
  // array of no records is a 400, not a 413), with and without a length.
  const std::string empty = "[" + std::string(100, ' ') + "]";
  FcgiReply r = c.Call(bulk, empty);
  BOOST_TEST(r.status == 400, r.body);
  BOOST_TEST(r.body.find("no records") != std::string::npos, r.body);
  r = c.Call(bulk, empty, false);
  BOOST_TEST(r.status == 400, r.body);
  // Over its own limit: 413 naming it.
  r = c.Call(bulk, std::string(5000, ' '));
  BOOST_TEST(r.status == 413, r.body);
  BOOST_TEST(r.body.find("BULK_MAX_BODY_BYTES") != std::string::npos, r.body);
  r = c.Call(bulk, std::string(5000, ' '), false);
  BOOST_TEST(r.status == 413, r.body);
  // Every other route keeps MAX_BODY_BYTES.
  r = c.Call(Post(), empty);
  BOOST_TEST(r.status == 413, r.body);
  BOOST_TEST(r.body.find("(MAX_BODY_BYTES)") != std::string::npos, r.body);
}

BOOST_AUTO_TEST_CASE(api_keys_are_checked_before_the_body) {
  auto keys = lmdbapi::http::ParseApiKeys(
      "read read-key-0123456789abc\nread-write write-key-0123456789ab\n", "keys");
  REQUIRE_OK(keys);
  ServerOptions options{2, 64};
  options.api_keys = &keys.value();
  Served s(options);
  FcgiClient c(s.socket_path);
  // No key: 401 even for a body over the limit, which is drained.
  FcgiReply r = c.Call(Post(), std::string(100, ' '));
  BOOST_TEST(r.status == 401, r.body);
  BOOST_TEST(r.headers["WWW-Authenticate"] == "Bearer realm=\"lmdb-api\"");
  BOOST_TEST(r.headers["Content-Type"] == "application/problem+json");
  Params p = Post();
  p["HTTP_X_API_KEY"] = "read-key-0123456789abc";
  r = c.Call(p, "{}");
  BOOST_TEST(r.status == 403, r.body);
  BOOST_TEST(r.headers.count("WWW-Authenticate") == 0u);
  p["HTTP_X_API_KEY"] = "write-key-0123456789ab";
  r = c.Call(p, "{}");
  BOOST_TEST(r.status == 400, r.body);  // let in; fields missing
  Params get = Get("/api/" + MainTable().name);
  get["HTTP_AUTHORIZATION"] = "Bearer read-key-0123456789abc";
  r = c.Call(get);
  BOOST_TEST(r.status == 200, r.body);
  r = c.Call(Get("/api/health"));
  BOOST_TEST(r.status == 200, r.body);
}

BOOST_AUTO_TEST_CASE(a_malformed_or_short_content_length_is_400) {
  Served s;
  FcgiClient c(s.socket_path);
  Params p = Post();
  p["CONTENT_LENGTH"] = "12abc";
  FcgiReply r = c.Call(p, "{}");
  BOOST_TEST(r.status == 400, r.body);
  p["CONTENT_LENGTH"] = "20";
  r = c.Call(p, "{}");
  BOOST_TEST(r.status == 400, r.body);
  BOOST_TEST(r.body.find("CONTENT_LENGTH") != std::string::npos, r.body);
  p["CONTENT_LENGTH"] = "99999999999999999999999";
  r = c.Call(p, "{}");
  BOOST_TEST(r.status == 413, r.body);
}

BOOST_AUTO_TEST_CASE(many_clients_at_once) {
  Served s({4, 1 << 20});
  std::vector<std::future<int>> done;
  for (int k = 0; k < 8; ++k) {
    done.push_back(std::async(std::launch::async, [&s, k] {
      FcgiClient c(s.socket_path);
      int created = 0;
      for (int i = 0; i < 25; ++i) {
        FcgiReply r = c.Call(Post(), NewBody(1000 + k * 100 + i));
        created += r.status == 201;
      }
      return created;
    }));
  }
  int total = 0;
  for (auto& f : done) total += f.get();
  BOOST_TEST(total == 200);
}

BOOST_AUTO_TEST_CASE(stop_is_prompt_with_idle_kept_connections) {
  auto s = std::make_unique<Served>();
  // Each connection keeps one thread reading for its next request.
  FcgiClient a(s->socket_path), b(s->socket_path);
  BOOST_TEST(a.Call(Get("/api/" + MainTable().name)).status == 200);
  BOOST_TEST(b.Call(Get("/api/" + MainTable().name)).status == 200);
  auto start = Clock::now();
  s->server.Stop();
  auto took = Clock::now() - start;
  BOOST_TEST(took < std::chrono::seconds(2),
             std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                 << " ms");
  BOOST_TEST(a.ClosedWithin(3000));
}

BOOST_AUTO_TEST_CASE(stop_finishes_the_request_in_flight) {
  Served s;
  FcgiClient c(s.socket_path);
  std::string body = NewBody(7);
  Params p = Post();
  p["CONTENT_LENGTH"] = std::to_string(body.size());
  BOOST_TEST_REQUIRE(c.Begin(p));
  BOOST_TEST_REQUIRE(c.Stdin(body.substr(0, 5), false));
  // The server holds the partial request before Stop is asked.
  BOOST_TEST_REQUIRE(
      WaitFor([&s] { return s.server.TEST_Parked() == 1; }, 3000));

  auto stopped = std::async(std::launch::async, [&s] { s.server.Stop(); });
  // Stop waits: the thread is in the middle of a request.
  BOOST_TEST((stopped.wait_for(std::chrono::milliseconds(300)) ==
              std::future_status::timeout));
  BOOST_TEST_REQUIRE(c.Stdin(body.substr(5), true));
  FcgiReply r = c.Read();
  BOOST_TEST(r.complete);
  BOOST_TEST(r.status == 201, r.body);
  BOOST_TEST((stopped.wait_for(std::chrono::seconds(3)) ==
              std::future_status::ready));
}

BOOST_AUTO_TEST_CASE(a_second_server_in_one_process_still_accepts) {
  // Stop() must leave no process-wide state that stops the next one.
  { Served first; }
  Served second;
  FcgiClient c(second.socket_path);
  BOOST_TEST(c.Call(Get("/api/" + MainTable().name)).status == 200);
}

BOOST_AUTO_TEST_CASE(unfinished_requests_hold_no_thread) {
  // Two threads, 50 requests whose bodies never finish: a request that
  // blocked a thread reading would leave none for the GET.
  ServerOptions o = WithThreads(2);
  o.read_timeout = std::chrono::seconds(120);
  Served s(o);
  std::vector<std::unique_ptr<FcgiClient>> stuck;
  for (int i = 0; i < 50; ++i) {
    stuck.push_back(std::make_unique<FcgiClient>(s.socket_path));
    BOOST_TEST_REQUIRE(BeginUnfinished(*stuck.back()));
  }
  for (int i = 0; i < 3; ++i) {
    FcgiClient c(s.socket_path);
    FcgiReply r = c.Call(Get("/api/" + MainTable().name));
    BOOST_TEST(r.complete);
    BOOST_TEST(r.status == 200, r.body);
  }
  BOOST_TEST(s.metrics.TEST_Dropped(Drop::kRead) == 0u);
  // Stop does not wait for them past their deadline: close them first.
  stuck.clear();
}

BOOST_AUTO_TEST_CASE(unfinished_requests_are_dropped_at_the_read_deadline) {
  ServerOptions o = WithThreads(2);
  o.read_timeout = std::chrono::milliseconds(300);
  Served s(o);
  std::vector<std::unique_ptr<FcgiClient>> stuck;
  for (int i = 0; i < 20; ++i) {
    stuck.push_back(std::make_unique<FcgiClient>(s.socket_path));
    BOOST_TEST_REQUIRE(BeginUnfinished(*stuck.back()));
  }
  for (auto& c : stuck) BOOST_TEST(c->ClosedWithin(10000));
  BOOST_TEST(WaitFor([&] { return s.metrics.TEST_Dropped(Drop::kRead) == 20; },
                     10000),
             s.metrics.TEST_Dropped(Drop::kRead));
  // A request sent in pieces within the deadline is answered.
  FcgiClient c(s.socket_path);
  std::string body = NewBody(5);
  Params p = Post();
  p["CONTENT_LENGTH"] = std::to_string(body.size());
  BOOST_TEST_REQUIRE(c.Begin(p));
  BOOST_TEST_REQUIRE(c.Stdin(body.substr(0, 7), false));
  BOOST_TEST_REQUIRE(c.Stdin(body.substr(7), true));
  BOOST_TEST(c.Read().status == 201);
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_delays_no_one_else) {
  // A 16 MiB answer to a client that reads none of it: the thread writing
  // it blocks (until the send deadline); the other answers every insert.
  const std::string big(std::size_t{16} << 20, 'x');
  ServerOptions o = WithThreads(2);
  o.send_timeout = std::chrono::seconds(120);
  Served s(o, big);
  FcgiClient stalled(s.socket_path);
  BOOST_TEST_REQUIRE(stalled.Begin(Get("/api/openapi.json")));
  BOOST_TEST_REQUIRE(stalled.Stdin("", true));
  pollfd started{stalled.fd(), POLLIN, 0};
  BOOST_TEST_REQUIRE(poll(&started, 1, 10000) == 1);  // the write began

  std::vector<std::future<int>> writers;
  for (int t = 0; t < 4; ++t)
    writers.push_back(std::async(std::launch::async, [&s, t] {
      FcgiClient c(s.socket_path);
      int created = 0;
      for (int i = 0; i < 25; ++i)
        if (c.Call(Post(), NewBody(1000 + t * 100 + i)).status == 201)
          ++created;
      return created;
    }));
  for (auto& w : writers) BOOST_TEST(w.get() == 25);
  FcgiClient reader(s.socket_path);
  BOOST_TEST(reader.Call(Get("/api/" + MainTable().name)).status == 200);
  BOOST_TEST(s.metrics.TEST_Dropped(Drop::kSend) == 0u);
  // Let the stalled answer go, so that Stop is prompt.
  shutdown(stalled.fd(), SHUT_RDWR);
}

BOOST_AUTO_TEST_CASE(a_write_to_a_client_that_stops_reading_delays_no_commit) {
  // One connection sends POST after POST and reads no answer, until the
  // answers fill its socket and the thread writing the next one blocks.
  // Were that write the committer's, no write would commit from then on.
  ServerOptions o = WithThreads(2);
  o.send_timeout = std::chrono::seconds(120);
  Served s(o);
  FcgiClient stalled(s.socket_path);
  auto pending = [&] {
    int n = 0;
    ioctl(stalled.fd(), FIONREAD, &n);
    return n;
  };
  // Each POST is sent once the last one's answer has arrived (libfcgi
  // takes one request at a time), until one's answer does not come: its
  // write is blocked on the full socket.
  bool blocked = false;
  for (int i = 0; i < 20000 && !blocked; ++i) {
    const int before = pending();
    std::string body = NewBody(50000 + i);
    Params p = Post();
    p["CONTENT_LENGTH"] = std::to_string(body.size());
    BOOST_TEST_REQUIRE(stalled.Begin(p));
    BOOST_TEST_REQUIRE(stalled.Stdin(body, true));
    blocked = !WaitFor([&] { return pending() > before; }, 2000);
  }
  BOOST_TEST_REQUIRE(blocked);

  std::vector<std::future<int>> writers;
  for (int t = 0; t < 4; ++t)
    writers.push_back(std::async(std::launch::async, [&s, t] {
      FcgiClient c(s.socket_path);
      int created = 0;
      for (int i = 0; i < 10; ++i)
        if (c.Call(Post(), NewBody(2000 + t * 100 + i)).status == 201)
          ++created;
      return created;
    }));
  for (auto& w : writers) BOOST_TEST(w.get() == 10);
  // Release the stalled connection so that Stop is prompt.
  shutdown(stalled.fd(), SHUT_RDWR);
}

BOOST_AUTO_TEST_CASE(a_stalled_answer_is_dropped_at_the_send_deadline) {
  const std::string big(std::size_t{16} << 20, 'x');
  ServerOptions o = WithThreads(2);
  o.send_timeout = std::chrono::milliseconds(300);
  Served s(o, big);
  FcgiClient stalled(s.socket_path);
  BOOST_TEST_REQUIRE(stalled.Begin(Get("/api/openapi.json")));
  BOOST_TEST_REQUIRE(stalled.Stdin("", true));
  BOOST_TEST(WaitFor([&] { return s.metrics.TEST_Dropped(Drop::kSend) == 1; },
                     10000));
  // Both threads serve again.
  FcgiClient a(s.socket_path), b(s.socket_path);
  BOOST_TEST(a.Call(Post(), NewBody(1)).status == 201);
  BOOST_TEST(b.Call(Get("/api/" + MainTable().name)).status == 200);
}

BOOST_AUTO_TEST_CASE(connections_past_the_limit_wait_until_one_closes) {
  ServerOptions o = WithThreads(2);
  o.max_connections = 3;
  Served s(o);
  std::vector<std::unique_ptr<FcgiClient>> kept;
  for (int i = 0; i < 3; ++i) {
    kept.push_back(std::make_unique<FcgiClient>(s.socket_path));
    BOOST_TEST_REQUIRE(kept.back()->Call(Get("/api/openapi.json")).status ==
                       200);
  }
  // The fourth connects (the listen backlog) but is not accepted.
  FcgiClient fourth(s.socket_path);
  BOOST_TEST_REQUIRE(fourth.ok());
  BOOST_TEST_REQUIRE(fourth.Begin(Get("/api/openapi.json")));
  BOOST_TEST_REQUIRE(fourth.Stdin("", true));
  BOOST_TEST(!fourth.Read(300).complete);
  kept.front().reset();  // one closes: the fourth is let in
  FcgiReply r = fourth.Read(10000);
  BOOST_TEST(r.complete);
  BOOST_TEST(r.status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
