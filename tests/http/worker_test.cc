// SPDX-License-Identifier: Apache-2.0
// tests/http/worker_test.cc - src/http/worker_main.cc as a process.
//
// Runs the real lmdbapi-worker binary (built beside this test binary, or
// LMDBAPI_WORKER) with a controlled environment: exit codes for bad
// settings and an unopenable environment, SIGTERM/SIGINT stopping cleanly
// with a request in flight, and a listening socket handed over on fd 0 the
// way spawn-fcgi and systemd do.

#include <fcntl.h>
#include <linux/sockios.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "http/fcgi_client.h"
#include "http/listen_socket.h"
#include "http/request_bodies.h"
#include "lmdbapi/schema.h"
#include "record_gen.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::FcgiClient;
using lmdbapi::testutil::FcgiReply;
using Params = std::map<std::string, std::string>;

namespace {

std::string WorkerPath() {
  if (const char* w = std::getenv("LMDBAPI_WORKER")) return w;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / "lmdbapi-worker").string();
}

// The worker is built with the tests (make check builds both): a missing
// one is a failure, not a skip that would count as a pass.
void RequireWorker() {
  BOOST_TEST_REQUIRE(access(WorkerPath().c_str(), X_OK) == 0,
                     "no worker binary at " << WorkerPath()
                                            << " (make builds it)");
}

// One worker process; stderr goes to a file in the test's directory.
class Worker {
 public:
  // `listen_fd` >= 0 becomes the child's fd 0.
  Worker(const testutil::TempDir& dir,
         const std::vector<std::string>& env, int listen_fd = -1)
      : log_(dir.path() + "/worker.log") {
    std::vector<std::string> strings = env;
    std::vector<char*> envp;
    for (std::string& s : strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string path = WorkerPath();
    char* argv[] = {path.data(), nullptr};
    int err = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_ = fork();
    if (pid_ == 0) {
      int in = listen_fd >= 0 ? listen_fd : open("/dev/null", O_RDONLY);
      dup2(in, 0);
      dup2(err, 2);
      execve(path.c_str(), argv, envp.data());
      _exit(127);
    }
    close(err);
  }
  ~Worker() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }

  // The exit code, or -1 if it did not exit within `ms` (or died of a
  // signal).
  int WaitExit(int ms) {
    for (int waited = 0; waited <= ms; waited += 10) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 1000;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

  bool Running() {
    int st = 0;
    return waitpid(pid_, &st, WNOHANG) == 0;
  }

  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int status_ = -1;
};

bool WaitForSocket(const std::string& path, Worker& w, int ms) {
  for (int waited = 0; waited <= ms; waited += 10) {
    struct stat st{};
    if (stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) return true;
    if (!w.Running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Waits up to `ms` until the worker has read every byte sent on c: on a
// Unix stream socket, SIOCOUTQ counts the bytes the peer has not read yet.
bool WaitUntilRead(const FcgiClient& c, int ms) {
  for (int waited = 0; waited <= ms; waited += 10) {
    int unread = 0;
    if (ioctl(c.fd(), SIOCOUTQ, &unread) != 0) return false;
    if (unread == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::vector<std::string> BaseEnv(const testutil::TempDir& dir,
                                 const std::string& log_level = "info") {
  return {"LMDB_PATH=" + dir.path() + "/data", "DURABILITY=nosync",
          "LMDB_MAP_SIZE_MB=64", "WORKER_THREADS=2",
          "LOG_LEVEL=" + log_level};
}

// Log lines are written around the response, not before it: give them a
// moment.
bool LogContains(const Worker& w, const std::string& text) {
  for (int waited = 0; waited < 3000; waited += 10) {
    if (w.Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

const TableDesc& MainTable() {
  for (const TableDesc& t : Schema::Compiled().tables)
    if (t.parent < 0) return t;
  return Schema::Compiled().tables.front();
}

Params ListParams() {
  return {{"REQUEST_METHOD", "GET"},
          {"DOCUMENT_URI", "/api/" + MainTable().name}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(worker)

BOOST_AUTO_TEST_CASE(a_bad_setting_exits_2_naming_it) {
  RequireWorker();
  testutil::TempDir dir;
  auto env = BaseEnv(dir);
  env.push_back("LMDB_MAP_SIZE_GB=ten");
  env.erase(env.begin() + 2);  // no LMDB_MAP_SIZE_MB, which would win
  Worker w(dir, env);
  BOOST_TEST(w.WaitExit(5000) == 2);
  BOOST_TEST(w.Log().find("LMDB_MAP_SIZE_GB: \"ten\" is not a whole number "
                          "of GiB (expected 1..1024)") != std::string::npos,
             w.Log());
}

BOOST_AUTO_TEST_CASE(an_unopenable_environment_exits_1) {
  RequireWorker();
  testutil::TempDir dir;
  std::ofstream(dir.path() + "/data") << "not a directory";
  Worker w(dir, BaseEnv(dir));
  BOOST_TEST(w.WaitExit(5000) == 1);
  BOOST_TEST(w.Log().find("LMDB_PATH") != std::string::npos, w.Log());
}

BOOST_AUTO_TEST_CASE(print_tables_lists_the_schema) {
  RequireWorker();
  std::string cmd = WorkerPath() + " --print-tables";
  FILE* p = popen(cmd.c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  BOOST_TEST(pclose(p) == 0);
  std::string want;
  for (const TableDesc& t : Schema::Compiled().tables) want += t.name + "\n";
  BOOST_TEST(out == want);
}

BOOST_AUTO_TEST_CASE(sigterm_stops_cleanly_after_the_request_in_flight) {
  RequireWorker();
  testutil::TempDir dir;
  const std::string sock = dir.path() + "/run/w.sock";  // dir made by worker
  auto env = BaseEnv(dir);
  env.push_back("FCGI_SOCKET=" + sock);
  Worker w(dir, env);
  BOOST_TEST_REQUIRE(WaitForSocket(sock, w, 10000), w.Log());
  BOOST_TEST(LogContains(w, "threads=2"), w.Log());
  BOOST_TEST(w.Log().find("schema=" + Schema::Compiled().FingerprintHash()) !=
                 std::string::npos,
             w.Log());

  FcgiClient idle(sock);  // a kept connection, idle: must not delay exit
  BOOST_TEST(idle.Call(ListParams()).status == 200);

  // The request in flight: params whole, and a body (a record after 128 KiB
  // of JSON white space) sent but for its last bytes. That is more than the
  // server peeks at before it takes a request (64 KiB, kPeekBytes in
  // fcgi_server.cc), so a request thread takes it and reads the body as it
  // comes; once every byte sent has been read, it is in flight.
  FcgiClient busy(sock);
  std::mt19937_64 rng(3);
  const std::string body =
      std::string(128 << 10, ' ') +
      testutil::BodyFor(testutil::RandomRecord(MainTable(), rng, 1),
                        MainTable());
  BOOST_TEST_REQUIRE(busy.Begin({{"REQUEST_METHOD", "POST"},
                                 {"DOCUMENT_URI", "/api/" + MainTable().name},
                                 {"CONTENT_TYPE", "application/json"},
                                 {"CONTENT_LENGTH", std::to_string(body.size())}}));
  BOOST_TEST_REQUIRE(busy.Stdin(body.substr(0, body.size() - 3), false));
  BOOST_TEST_REQUIRE(WaitUntilRead(busy, 5000),
                     "the worker did not read the request's bytes\n" << w.Log());

  // Stopping: the log line says the signal was taken; the answer below,
  // whole, says the worker finished the request before it exited.
  kill(w.pid(), SIGTERM);
  BOOST_TEST_REQUIRE(LogContains(w, "finishing requests in flight"), w.Log());
  BOOST_TEST(w.Running(), "exited with a request in flight");
  BOOST_TEST_REQUIRE(busy.Stdin(body.substr(body.size() - 3), true));
  FcgiReply r = busy.Read();
  BOOST_TEST(r.complete);
  BOOST_TEST(r.status == 201, r.body);

  BOOST_TEST(w.WaitExit(5000) == 0, w.Log());
  BOOST_TEST(!std::filesystem::exists(sock), "socket file left behind");
  BOOST_TEST(w.Log().find("stopped") != std::string::npos, w.Log());
}

BOOST_AUTO_TEST_CASE(sigint_stops_too) {
  RequireWorker();
  testutil::TempDir dir;
  const std::string sock = dir.path() + "/w.sock";
  auto env = BaseEnv(dir);
  env.push_back("FCGI_SOCKET=" + sock);
  Worker w(dir, env);
  BOOST_TEST_REQUIRE(WaitForSocket(sock, w, 10000), w.Log());
  kill(w.pid(), SIGINT);
  BOOST_TEST(w.WaitExit(5000) == 0, w.Log());
}

BOOST_AUTO_TEST_CASE(a_listening_socket_on_fd_0_is_used) {
  RequireWorker();
  testutil::TempDir dir;
  const std::string sock = dir.path() + "/spawned.sock";
  auto fd = http::ListenUnix(sock, 16);
  BOOST_TEST_REQUIRE(fd.ok(), fd.status().message());
  Worker w(dir, BaseEnv(dir, "debug"), fd.value());
  close(fd.value());
  FcgiClient c(sock);
  BOOST_TEST_REQUIRE(c.ok());
  FcgiReply r = c.Call(ListParams());
  BOOST_TEST(r.status == 200, r.body + w.Log());
  BOOST_TEST(LogContains(w, "serving fd 0"), w.Log());
  // LOG_LEVEL=debug: one line per request with status and latency.
  BOOST_TEST(LogContains(w, "GET /api/" + MainTable().name + " 200 "),
             w.Log());
  kill(w.pid(), SIGTERM);
  BOOST_TEST(w.WaitExit(5000) == 0, w.Log());
  // The inherited socket belongs to whoever passed it: left in place.
  BOOST_TEST(std::filesystem::exists(sock));
}

BOOST_AUTO_TEST_CASE(a_live_socket_is_not_stolen) {
  RequireWorker();
  testutil::TempDir dir;
  const std::string sock = dir.path() + "/w.sock";
  auto fd = http::ListenUnix(sock, 4);  // someone else is listening there
  BOOST_TEST_REQUIRE(fd.ok());
  auto env = BaseEnv(dir);
  env.push_back("FCGI_SOCKET=" + sock);
  Worker w(dir, env);
  BOOST_TEST(w.WaitExit(5000) == 1);
  BOOST_TEST(w.Log().find("another process") != std::string::npos, w.Log());
  close(fd.value());
}

BOOST_AUTO_TEST_SUITE_END()
