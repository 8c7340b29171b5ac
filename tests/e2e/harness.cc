// SPDX-License-Identifier: Apache-2.0
// tests/e2e/harness.cc - see harness.h.

#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include "http/nginx_problems.h"

extern char** environ;

namespace lmdbapi::e2e {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr auto kReadyTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);

// Process groups still alive, killed at exit if a test leaves them behind
// (an exception out of a fixture constructor, a crash turned into a test
// failure by Boost.Test's execution monitor).
// Likewise the temporary directories of stacks whose destructor never ran.
std::mutex g_mu;
std::set<pid_t> g_groups;
std::set<std::string> g_dirs;

void CleanUpLeftovers() {
  std::lock_guard<std::mutex> lock(g_mu);
  for (pid_t pg : g_groups) kill(-pg, SIGKILL);
  g_groups.clear();
  if (std::getenv("LMDBAPI_E2E_KEEP") == nullptr)
    for (const std::string& dir : g_dirs) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
}

void RegisterAtExit() {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(CleanUpLeftovers); });
}

void Track(pid_t pg) {
  RegisterAtExit();
  std::lock_guard<std::mutex> lock(g_mu);
  g_groups.insert(pg);
}

void TrackDir(const std::string& dir, bool add) {
  RegisterAtExit();
  std::lock_guard<std::mutex> lock(g_mu);
  if (add)
    g_dirs.insert(dir);
  else
    g_dirs.erase(dir);
}

void Untrack(pid_t pg) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_groups.erase(pg);
}

std::string RequireEnv(const char* name) {
  const char* v = std::getenv(name);
  BOOST_TEST_REQUIRE((v != nullptr && *v != '\0'),
                     name << " is not set; run the suite through `make check`"
                             " (it sets LMDBAPI_WORKER and LMDBAPI_ROOT)");
  return v;
}

// Forks and execs argv in its own process group, with `env` added to (and
// overriding) this process's environment, stdout and stderr appended to
// log_path, stdin from /dev/null.
pid_t Spawn(const std::vector<std::string>& argv,
            const std::vector<std::string>& env, const std::string& log_path) {
  std::vector<std::string> env_strings = env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const std::string& mine : env)
      if (std::string_view(mine).substr(0, mine.find('=')) == name)
        overridden = true;
    if (!overridden) env_strings.emplace_back(entry);
  }
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : env_strings) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) _exit(125);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    close_range(3, ~0U, 0);
    signal(SIGPIPE, SIG_DFL);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so kill(-pid) works at once
  Track(pid);
  return pid;
}

ProcessExit FromWaitStatus(int status) {
  ProcessExit e;
  if (WIFEXITED(status)) {
    e.exited = true;
    e.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  }
  return e;
}

// Non-blocking: nullopt while pid is still running.
std::optional<ProcessExit> Reap(pid_t pid) {
  int status = 0;
  pid_t r = waitpid(pid, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  if (r < 0) return ProcessExit{};  // already reaped or not ours
  Untrack(pid);
  return FromWaitStatus(status);
}

// Sends sig, waits up to `timeout`, then SIGKILLs the whole group.
ProcessExit Terminate(pid_t pid, int sig, Clock::duration timeout) {
  if (auto gone = Reap(pid)) {
    kill(-pid, SIGKILL);
    return *gone;
  }
  kill(pid, sig);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto gone = Reap(pid)) {
      kill(-pid, SIGKILL);  // anything the process left in its group
      return *gone;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  Untrack(pid);
  ProcessExit e = FromWaitStatus(status);
  e.timed_out = true;
  return e;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool UnixConnectable(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string Tail(const std::string& path, std::size_t bytes) {
  std::string all = ReadFile(path);
  if (all.size() <= bytes) return all;
  return "..." + all.substr(all.size() - bytes);
}

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  for (std::size_t at = s->find(from); at != std::string::npos;
       at = s->find(from, at + to.size()))
    s->replace(at, from.size(), to);
}

std::string NginxBinary() {
  if (const char* v = std::getenv("NGINX"); v != nullptr && *v != '\0') return v;
  for (const char* p : {"/usr/sbin/nginx", "/usr/local/sbin/nginx",
                        "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx"})
    if (access(p, X_OK) == 0) return p;
  return "/usr/sbin/nginx";
}

bool CurrentTestFailed() {
  namespace utf = boost::unit_test;
  return !utf::results_collector
              .results(utf::framework::current_test_case().p_id)
              .passed();
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Schema& TheSchema() { return Schema::Compiled(); }

pid_t SpawnChild(const std::vector<std::string>& argv,
                 const std::string& log_path) {
  return Spawn(argv, {}, log_path);
}

ProcessExit StopChild(pid_t pid) { return Terminate(pid, SIGTERM, kStopTimeout); }

int FreeLoopbackPort() { return FreePort(); }

std::string NginxPath() { return NginxBinary(); }

std::string NginxUserLine() {
  if (geteuid() != 0) return "# not root: nginx's workers run as this user";
  const passwd* pw = getpwuid(geteuid());
  const group* gr = getgrgid(getegid());
  if (pw == nullptr || gr == nullptr) return "user root root;";
  return std::string("user ") + pw->pw_name + " " + gr->gr_name + ";";
}

std::string ProcessExit::Describe() const {
  std::string out;
  if (exited)
    out = "exited with status " + std::to_string(code);
  else if (signal != 0)
    out = std::string("killed by signal ") + strsignal(signal);
  else
    out = "not reaped";
  if (timed_out) out += " (ignored SIGTERM for 5 s; SIGKILLed)";
  return out;
}

Stack::Stack() {
  worker_path_ = RequireEnv("LMDBAPI_WORKER");
  root_ = RequireEnv("LMDBAPI_ROOT");
  std::string tmpl = (fs::temp_directory_path() / "lmdbapi-e2e-XXXXXX").string();
  BOOST_TEST_REQUIRE(mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
  dir_ = tmpl;
  TrackDir(dir_, true);
  // mkdtemp made it 0700: nginx's workers run as this user (@USER@ in
  // dev.conf.in), and nobody else has any business here.
}

Stack::~Stack() {
  const bool failed = CurrentTestFailed();
  if (failed) std::cerr << Logs();
  Stop();
  if (std::getenv("LMDBAPI_E2E_KEEP") != nullptr) {
    std::cerr << "e2e: kept " << dir_ << "\n";
    return;
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  TrackDir(dir_, false);
}

std::string Stack::WorkerLogPath(int i) const {
  return dir_ + "/worker" + std::to_string(i + 1) + ".log";
}

void Stack::StartWorker(int i) {
  if (static_cast<int>(worker_pids_.size()) <= i) worker_pids_.resize(i + 1, 0);
  const std::string sock = dir_ + "/w" + std::to_string(i + 1) + ".sock";
  std::vector<std::string> env = {
      "FCGI_SOCKET=" + sock,
      "FCGI_SOCKET_MODE=0600",
      "LMDB_PATH=" + DataDir(),
      "DURABILITY=" + options_.durability,
      "WORKER_THREADS=" + std::to_string(options_.worker_threads),
      "LOG_LEVEL=" + options_.log_level,
      "HOST_URL=127.0.0.1:" + std::to_string(port_),
  };
  env.insert(env.end(), options_.worker_env.begin(), options_.worker_env.end());
  pid_t pid = Spawn({worker_path_}, env, WorkerLogPath(i));
  BOOST_TEST_REQUIRE(pid > 0, "fork failed: " << std::strerror(errno));
  worker_pids_[i] = pid;

  // Ready when the socket accepts connections (a stale socket file from an
  // earlier run does not).
  const auto deadline = Clock::now() + kReadyTimeout;
  for (;;) {
    if (UnixConnectable(sock)) break;
    if (auto gone = Reap(pid)) {
      worker_pids_[i] = 0;
      BOOST_TEST_REQUIRE(false, "worker " << i + 1 << " " << gone->Describe()
                                          << " before listening on " << sock);
    }
    if (Clock::now() > deadline) {
      BOOST_TEST_REQUIRE(false, "worker " << i + 1 << " not listening on "
                                          << sock << " after 10 s");
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
}

bool Stack::WorkerRunning(int i) {
  if (i >= static_cast<int>(worker_pids_.size()) || worker_pids_[i] <= 0)
    return false;
  if (auto gone = Reap(worker_pids_[i])) {
    BOOST_TEST_MESSAGE("worker " << i + 1 << " " << gone->Describe());
    worker_pids_[i] = 0;
    return false;
  }
  return true;
}

ProcessExit Stack::StopWorker(int i) {
  if (i >= static_cast<int>(worker_pids_.size()) || worker_pids_[i] <= 0)
    return ProcessExit{};
  ProcessExit e = Terminate(worker_pids_[i], SIGTERM, kStopTimeout);
  worker_pids_[i] = 0;
  return e;
}

ProcessExit Stack::KillWorker(int i) {
  if (i >= static_cast<int>(worker_pids_.size()) || worker_pids_[i] <= 0)
    return ProcessExit{};
  ProcessExit e = Terminate(worker_pids_[i], SIGKILL, kStopTimeout);
  worker_pids_[i] = 0;
  return e;
}

ProcessExit Stack::KillNginx() {
  if (nginx_pid_ <= 0) return ProcessExit{};
  // The master and its worker processes at once (one process group): were
  // the master killed first, a worker could still take a connection that a
  // client (libcurl does this) opens to resend a request its kept
  // connection lost, and the request would run twice.
  kill(-nginx_pid_, SIGKILL);
  ProcessExit e = Terminate(nginx_pid_, SIGKILL, kStopTimeout);
  nginx_pid_ = 0;
  return e;
}

bool Stack::RestartNginx(std::string* why) {
  if (nginx_pid_ > 0) KillNginx();
  StartNginx();
  return WaitReady(why);
}

void Stack::StartNginx() {
  const std::string tmpl_path = root_ + "/conf/nginx/dev.conf.in";
  BOOST_TEST_REQUIRE(fs::exists(tmpl_path),
                     tmpl_path << " is missing: the nginx template is needed");
  std::string conf = ReadFile(tmpl_path);
  const std::string prefix = dir_ + "/nginx";
  fs::create_directories(prefix + "/logs");
  std::string servers;
  for (std::size_t i = 0; i < worker_pids_.size(); ++i) {
    // With several workers, never let nginx take one out of rotation: a
    // test stops and restarts workers on purpose.
    // One line for all: the placeholder also appears in a comment.
    servers += "server unix:" + dir_ + "/w" + std::to_string(i + 1) + ".sock" +
               (worker_pids_.size() > 1 ? " max_fails=0" : "") + "; ";
  }
  ReplaceAll(&conf, "@LISTEN@", "127.0.0.1:" + std::to_string(port_));
  ReplaceAll(&conf, "@PREFIX@", prefix);
  ReplaceAll(&conf, "@UPSTREAM_SERVERS@", servers);
  ReplaceAll(&conf, "@ROOT@", root_);
  ReplaceAll(&conf, "@USER@", NginxUserLine());
  // nginx's error pages from the library this suite links, which is the
  // worker's: the same problems.def that make renders for make run/install.
  Result<std::string> problems = http::NginxProblemsConf();
  BOOST_TEST_REQUIRE(problems.ok(), problems.status().message());
  const std::string problems_path = prefix + "/problems.conf";
  std::ofstream(problems_path) << problems.value();
  ReplaceAll(&conf, "@PROBLEMS_CONF@", problems_path);
  const std::string conf_path = prefix + "/nginx.conf";
  std::ofstream(conf_path) << conf;

  nginx_pid_ = Spawn({NginxBinary(), "-p", prefix + "/", "-c", conf_path,
                      "-e", "stderr"},
                     {}, dir_ + "/nginx.log");
  BOOST_TEST_REQUIRE(nginx_pid_ > 0, "fork failed: " << std::strerror(errno));
}

bool Stack::WaitReady(std::string* why) {
  const TableDesc& first = TheSchema().tables.front();
  HttpClient probe(port_, 1000);
  const auto deadline = Clock::now() + kReadyTimeout;
  Response last;
  while (Clock::now() < deadline) {
    if (auto gone = Reap(nginx_pid_)) {
      nginx_pid_ = 0;
      *why = "nginx " + gone->Describe();
      return false;
    }
    for (std::size_t i = 0; i < worker_pids_.size(); ++i) {
      if (!WorkerRunning(static_cast<int>(i))) {
        *why = "worker " + std::to_string(i + 1) + " died";
        return false;
      }
    }
    const std::string path = "/api/" + first.name + "?limit=1";
    last = options_.probe_key.empty()
               ? probe.Get(path)
               : probe.Request("GET", path, {}, {{"X-API-Key", options_.probe_key}});
    if (last.status == 200) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  *why = "no 200 after 10 s; last: " + last.Describe();
  return false;
}

void Stack::Start(const StackOptions& options) {
  BOOST_TEST_REQUIRE(!running(), "Start() on a running stack");
  options_ = options;
  std::string why;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    BOOST_TEST_REQUIRE(port_ > 0, "no free loopback port");
    worker_pids_.assign(options_.workers, 0);
    for (int i = 0; i < options_.workers; ++i) StartWorker(i);
    StartNginx();
    if (WaitReady(&why)) {
      client_ = std::make_unique<HttpClient>(port_);
      return;
    }
    const bool port_taken =
        ReadFile(dir_ + "/nginx.log").find("Address already in use") !=
        std::string::npos;
    Stop();
    if (!port_taken) break;
  }
  BOOST_TEST_REQUIRE(false, "the stack did not come up: " << why);
}

ProcessExit Stack::StopNginx() {
  if (nginx_pid_ <= 0) return ProcessExit{};
  ProcessExit e = Terminate(nginx_pid_, SIGTERM, kStopTimeout);
  nginx_pid_ = 0;
  return e;
}

std::vector<ProcessExit> Stack::Stop() {
  client_.reset();
  std::vector<ProcessExit> exits;
  if (nginx_pid_ <= 0 && worker_pids_.empty()) return exits;
  StopNginx();
  for (std::size_t i = 0; i < worker_pids_.size(); ++i)
    exits.push_back(StopWorker(static_cast<int>(i)));
  worker_pids_.clear();
  return exits;
}

std::string Stack::Logs() const {
  std::string out;
  auto add = [&](const std::string& path) {
    if (!fs::exists(path)) return;
    out += "----- " + path + " (tail) -----\n" + Tail(path, 3000) + "\n";
  };
  for (std::size_t i = 0; i < std::max<std::size_t>(worker_pids_.size(), 2); ++i)
    add(WorkerLogPath(static_cast<int>(i)));
  add(dir_ + "/nginx.log");
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_ + "/nginx", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".log") add(it->path().string());
  }
  return out;
}

}  // namespace lmdbapi::e2e
