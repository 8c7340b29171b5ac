// SPDX-License-Identifier: Apache-2.0
// tests/e2e/harness.h - the real stack (nginx + FastCGI workers) for one
// test, on a free loopback port and a fresh data directory.
//
// A Stack starts $LMDBAPI_WORKER (one or more processes sharing one LMDB
// directory) and nginx rendered from $LMDBAPI_ROOT/conf/nginx/dev.conf.in,
// waits until GET /api/<first table>?limit=1 answers 200, and tears it all
// down again, also when the test fails or throws: every child runs in its
// own process group, which teardown kills, and dies with the test binary
// (PR_SET_PDEATHSIG). When the test has failed, teardown prints the tails of
// the worker and nginx logs.
//
// Set LMDBAPI_E2E_KEEP=1 to keep the temporary directory for a look.

#ifndef LMDBAPI_TESTS_E2E_HARNESS_H_
#define LMDBAPI_TESTS_E2E_HARNESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "lmdbapi/schema.h"

namespace lmdbapi::e2e {

struct StackOptions {
  int workers = 1;                   // processes on one data directory
  std::string durability = "sync";   // DURABILITY: sync | nosync
  std::string log_level = "info";    // LOG_LEVEL
  int worker_threads = 16;           // WORKER_THREADS (>= nginx keepalive)
  // More worker environment, "NAME=value" (LMDB_MAP_SIZE_MB, API_KEYS_FILE).
  std::vector<std::string> worker_env;
  // Sent as X-API-Key by the readiness probe (when API_KEYS_FILE is set).
  std::string probe_key;
};

// How a child process ended.
struct ProcessExit {
  bool exited = false;     // called exit(); `code` is its status
  int code = -1;
  int signal = 0;          // the signal that ended it, if one did
  bool timed_out = false;  // ignored SIGTERM and had to be SIGKILLed
  bool Clean() const { return exited && code == 0 && !timed_out; }
  std::string Describe() const;
};

class Stack {
 public:
  Stack();   // makes the temporary directory; starts nothing
  ~Stack();  // Stop(); logs if the test failed; removes the directory

  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Starts the workers and nginx on a new free port and waits until the API
  // answers. Fails the test (BOOST_TEST_REQUIRE, with the logs) if it
  // cannot. The data directory is kept across Stop()/Start().
  void Start(const StackOptions& options = {});

  // SIGTERMs nginx, then each worker; waits (SIGKILL after a timeout).
  // Returns how each worker ended. No-op when not running.
  std::vector<ProcessExit> Stop();

  // One worker only, while nginx keeps running.
  ProcessExit StopWorker(int i);
  void StartWorker(int i);
  bool WorkerRunning(int i);

  // Crash tests: SIGKILL worker i (and its process group) or nginx at once,
  // with no chance to finish anything, and reap it. RestartNginx starts
  // nginx again on the same port and waits until the API answers (false,
  // with *why, if it does not within 10 s).
  ProcessExit KillWorker(int i);
  ProcessExit KillNginx();
  bool RestartNginx(std::string* why);

  int port() const { return port_; }
  bool running() const { return nginx_pid_ > 0; }
  const std::string& dir() const { return dir_; }
  std::string DataDir() const { return dir_ + "/data"; }
  std::string WorkerLogPath(int i) const;
  const StackOptions& options() const { return options_; }

  // The main thread's client; other threads make their own HttpClient.
  HttpClient& client() { return *client_; }

  // The tails of every log the stack wrote, for failure messages.
  std::string Logs() const;

 private:
  void StartNginx();
  bool WaitReady(std::string* why);
  ProcessExit StopNginx();

  std::string dir_;
  std::string worker_path_;
  std::string root_;
  StackOptions options_;
  int port_ = 0;
  std::vector<pid_t> worker_pids_;
  pid_t nginx_pid_ = 0;
  std::unique_ptr<HttpClient> client_;
};

// For BOOST_FIXTURE_TEST_SUITE: a stack started with default options.
struct StackFixture {
  StackFixture() { stack.Start(); }
  Stack stack;
  HttpClient& http() { return stack.client(); }
};

// For tests that run a process of their own beside a Stack (an nginx with
// the production site): SpawnChild starts argv in its own process group,
// killed with the test binary, output appended to log_path; StopChild
// SIGTERMs it (SIGKILL after 5 s) and reaps it.
pid_t SpawnChild(const std::vector<std::string>& argv,
                 const std::string& log_path);
ProcessExit StopChild(pid_t pid);
int FreeLoopbackPort();   // a TCP port free on 127.0.0.1 just now
std::string NginxPath();  // the nginx binary the Stack runs

// The whole file, or "" when it cannot be read (logs, rendered pages).
std::string ReadFile(const std::string& path);

// The `user` line for dev.conf.in's @USER@: nginx's workers run as the
// user running the tests (when root; otherwise nginx cannot switch).
std::string NginxUserLine();

// The schema the worker serves: the one compiled into this binary.
const Schema& TheSchema();

}  // namespace lmdbapi::e2e

#endif  // LMDBAPI_TESTS_E2E_HARNESS_H_
