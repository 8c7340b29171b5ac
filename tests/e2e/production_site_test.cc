// SPDX-License-Identifier: Apache-2.0
// tests/e2e/production_site_test.cc - conf/nginx/lmdb-api.conf, the
// installed site, run by a real nginx in front of a Stack's worker.
//
// The site is rendered the way an operator's nginx.conf would include it
// (with the worker_connections the README asks for), pointing at the
// Stack's worker socket, its access log and port moved into the test's
// directory. It must keep one client address from starving another: a
// flood of half-sent requests from 127.0.0.2 leaves a health check from
// 127.0.0.1 answered, and past the per-address connection limit the flood
// gets 429. It answers unknown Host names with nothing, sends its
// hardening headers, and logs no query string.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "harness.h"
#include "http/nginx_problems.h"

namespace lmdbapi::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// lmdb-api.conf's per-address limit on connections with a request in
// progress (limit_conn lmdbapi_conn_per_addr).
constexpr int kConnLimit = 32;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  std::size_t at = 0;
  std::size_t n = 0;
  while ((at = s->find(from, at)) != std::string::npos) {
    s->replace(at, from.size(), to);
    at += to.size();
    ++n;
  }
  BOOST_TEST_REQUIRE(n > 0u, "lmdb-api.conf no longer holds \"" << from << "\"");
}

// nginx with the production site, in front of `stack`'s first worker.
class ProductionSite {
 public:
  explicit ProductionSite(Stack& stack) : dir_(stack.dir() + "/site") {
    port_ = FreeLoopbackPort();
    std::filesystem::create_directories(dir_);
    const char* root = std::getenv("LMDBAPI_ROOT");
    BOOST_TEST_REQUIRE(root != nullptr);
    std::string site = Slurp(std::string(root) + "/conf/nginx/lmdb-api.conf");
    ReplaceAll(&site, "127.0.0.1:8080", "127.0.0.1:" + std::to_string(port_));
    ReplaceAll(&site, "unix:/run/lmdb-api/worker.sock;",
               "unix:" + stack.dir() + "/w1.sock;");
    ReplaceAll(&site, "/var/log/nginx/lmdb-api.access.log",
               dir_ + "/access.log");
    // The docs page: a stand-in, so the test needs no `make docs`.
    ReplaceAll(&site, "/usr/local/share/lmdb-api/docs/", dir_ + "/docs/");
    std::filesystem::create_directories(dir_ + "/docs");
    std::ofstream(dir_ + "/docs/index.html") << "<!DOCTYPE html><title>docs</title>\n";
    // nginx's problem pages, as make renders them for make install.
    Result<std::string> problems = http::NginxProblemsConf();
    BOOST_TEST_REQUIRE(problems.ok(), problems.status().message());
    std::ofstream(dir_ + "/problems.conf") << problems.value();
    ReplaceAll(&site, "/etc/nginx/snippets/lmdb-api-problems.conf",
               dir_ + "/problems.conf");
    // The API's part of the server block, from the checkout.
    ReplaceAll(&site, "/etc/nginx/snippets/lmdb-api-server.conf",
               std::string(root) + "/conf/nginx/lmdb-api-server.conf");
    std::ofstream(dir_ + "/site.conf") << site;
    std::ofstream(dir_ + "/nginx.conf")
        << NginxUserLine() << "\n"
        << "daemon off;\nmaster_process on;\nworker_processes 1;\n"
        << "pid " << dir_ << "/nginx.pid;\nerror_log stderr warn;\n"
        << "worker_rlimit_nofile 8192;\n"
        << "events { worker_connections 4096; }\n"
        << "http {\n"
        << "  client_body_temp_path " << dir_ << "/client_body_temp;\n"
        << "  proxy_temp_path " << dir_ << "/proxy_temp;\n"
        << "  fastcgi_temp_path " << dir_ << "/fastcgi_temp;\n"
        << "  uwsgi_temp_path " << dir_ << "/uwsgi_temp;\n"
        << "  scgi_temp_path " << dir_ << "/scgi_temp;\n"
        << "  include " << dir_ << "/site.conf;\n"
        << "}\n";
    pid_ = SpawnChild({NginxPath(), "-p", dir_ + "/", "-c", dir_ + "/nginx.conf",
                       "-e", "stderr"},
                      dir_ + "/nginx.log");
    BOOST_TEST_REQUIRE(pid_ > 0);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    for (;;) {
      HttpClient probe(port_, 1000);
      if (probe.Get("/api/health").status == 200) break;
      BOOST_TEST_REQUIRE((Clock::now() < deadline),
                         "the production site did not answer: "
                             << Slurp(dir_ + "/nginx.log"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~ProductionSite() {
    if (pid_ > 0) StopChild(pid_);
  }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = 0;
};

// A TCP connection from `source` (a loopback address) to 127.0.0.1:port.
class RawConnection {
 public:
  RawConnection(const char* source, int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ok_ = fd_ >= 0 &&
          bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
          connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return ok_; }
  int fd() const { return fd_; }
  bool Send(const std::string& bytes) {
    return ok_ && send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                      static_cast<ssize_t>(bytes.size());
  }
  // What the server sent within `wait` ("" if nothing, or closed).
  std::string Read(std::chrono::milliseconds wait) {
    std::string out;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return out;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) out.assign(buf, static_cast<std::size_t>(n));
    return out;
  }
  // True if the server closed the connection within `wait`.
  bool ClosedWithin(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    char c;
    return recv(fd_, &c, 1, MSG_DONTWAIT) == 0;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(production_site)

BOOST_AUTO_TEST_CASE(a_flood_from_one_address_leaves_another_served) {
  Stack stack;
  stack.Start();
  ProductionSite site(stack);

  // Half-sent headers: more than the old worker_connections (256). Not
  // counted by limit_conn; bounded by client_header_timeout and the
  // connections nginx.conf allows.
  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < 400; ++i) {
    auto c = std::make_unique<RawConnection>("127.0.0.2", site.port());
    BOOST_TEST_REQUIRE(c->ok(), "connection " << i << " from 127.0.0.2");
    BOOST_TEST_REQUIRE(c->Send("GET /api/health HTTP/1.1\r\nHost: localhost\r\n"));
    flood.push_back(std::move(c));
  }
  // Whole headers, half-sent bodies: these hold a request open each, so
  // past kConnLimit of them the address gets 429 at once.
  const int bodies = kConnLimit + 8;
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < bodies; ++i) {
    auto c = std::make_unique<RawConnection>("127.0.0.2", site.port());
    BOOST_TEST_REQUIRE(c->ok());
    BOOST_TEST_REQUIRE(c->Send("POST /api/" + TheSchema().tables.front().name +
                               " HTTP/1.1\r\nHost: localhost\r\n"
                               "Content-Type: application/json\r\n"
                               "Content-Length: 1000\r\n\r\n{\"x\":"));
    held.push_back(std::move(c));
  }
  // Another address is served meanwhile, promptly.
  HttpClient other(site.port(), 2000);
  Response health = other.Get("/api/health");
  BOOST_TEST(health.status == 200, health.Describe());

  // Refusals come at once; wait (well inside client_body_timeout, after
  // which the held ones would be answered 408) for as many as expected.
  std::vector<pollfd> fds;
  for (auto& c : held) fds.push_back({c->fd(), POLLIN, 0});
  const auto deadline = Clock::now() + std::chrono::milliseconds(2000);
  int answered = 0;
  while (Clock::now() < deadline && answered < bodies - kConnLimit) {
    answered = 0;
    poll(fds.data(), fds.size(), 50);
    for (const pollfd& p : fds) answered += (p.revents & POLLIN) != 0;
  }
  int refused = 0;
  for (auto& c : held) {
    const std::string got = c->Read(std::chrono::milliseconds(0));
    if (got.empty()) continue;
    BOOST_TEST(got.rfind("HTTP/1.1 429", 0) == 0u, got.substr(0, 200));
    ++refused;
  }
  BOOST_TEST(refused == bodies - kConnLimit);
}

BOOST_AUTO_TEST_CASE(unknown_hosts_get_no_answer_and_answers_are_hardened) {
  Stack stack;
  stack.Start();
  ProductionSite site(stack);

  // DNS rebinding: a page on evil.example resolved to 127.0.0.1.
  RawConnection rebound("127.0.0.1", site.port());
  BOOST_TEST_REQUIRE(rebound.Send("GET /api/health HTTP/1.1\r\nHost: evil.example\r\n\r\n"));
  BOOST_TEST(rebound.ClosedWithin(std::chrono::milliseconds(2000)));

  HttpClient http(site.port(), 5000);
  const std::string table = TheSchema().tables.front().name;
  Response api = http.Get("/api/" + table + "?limit=1&api_key=sekrit-in-the-query");
  BOOST_TEST(api.Header("X-Content-Type-Options") == "nosniff");
  BOOST_TEST(api.Header("Cache-Control") == "no-store");
  BOOST_TEST(api.Header("Server") == "nginx", "no version: " << api.Header("Server"));
  Response missing = http.Get("/nowhere");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(missing.Header("X-Content-Type-Options") == "nosniff");
  Response docs = http.Get("/api/docs/");
  BOOST_TEST(docs.status == 200, docs.Describe());
  BOOST_TEST(docs.Header("Content-Security-Policy").find("frame-ancestors 'none'") !=
             std::string::npos, docs.Header("Content-Security-Policy"));

  // The access log (flushed within 1 s) has the path, never the query.
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  std::string log;
  while (Clock::now() < deadline) {
    log = Slurp(site.dir() + "/access.log");
    if (log.find("/api/" + table) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_TEST(log.find("\"GET /api/" + table + " HTTP/1.1\"") != std::string::npos, log);
  BOOST_TEST(log.find("sekrit") == std::string::npos, log);
}

BOOST_AUTO_TEST_CASE(a_cors_preflight_goes_through_to_the_worker) {
  Stack stack;
  StackOptions o;
  o.worker_env = {"CORS_ORIGINS=https://app.example.test"};
  stack.Start(o);
  ProductionSite site(stack);
  HttpClient http(site.port(), 5000);
  const std::string path = "/api/" + TheSchema().tables.front().name;
  Response pre = http.Request("OPTIONS", path, {},
                              {{"Origin", "https://app.example.test"},
                               {"Access-Control-Request-Method", "POST"}});
  BOOST_TEST(pre.status == 204, pre.Describe());
  BOOST_TEST(pre.Header("Access-Control-Allow-Origin") == "https://app.example.test");
  BOOST_TEST(pre.Header("Access-Control-Allow-Methods") == "GET, HEAD, POST, OPTIONS");
  // The site's own headers stay beside the worker's Vary.
  BOOST_TEST(pre.Header("Cache-Control") == "no-store");
  BOOST_TEST(pre.Header("Vary").find("Origin") != std::string::npos, pre.Describe());
  Response get = http.Request("GET", path + "?limit=1", {},
                              {{"Origin", "https://app.example.test"}});
  BOOST_TEST(get.status == 200, get.Describe());
  BOOST_TEST(get.Header("Access-Control-Allow-Origin") == "https://app.example.test");
  BOOST_TEST(get.Header("Cache-Control") == "no-store");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
