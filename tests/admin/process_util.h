// SPDX-License-Identifier: Apache-2.0
// tests/admin/process_util.h - the few process tools the systemd and
// install suites need: find the repository and the built binaries, run a
// shell command for its output, and own a child process.

#ifndef LMDBAPI_TESTS_ADMIN_PROCESS_UTIL_H_
#define LMDBAPI_TESTS_ADMIN_PROCESS_UTIL_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace lmdbapi::testutil {

// The checkout: $LMDBAPI_ROOT, else the one whose schema/ this binary was
// built from (LMDBAPI_SCHEMA is an absolute path).
inline std::filesystem::path RepoRoot() {
  if (const char* r = std::getenv("LMDBAPI_ROOT")) return r;
  return std::filesystem::path(LMDBAPI_SCHEMA).parent_path().parent_path();
}

inline std::string SchemaName() {
  return std::filesystem::path(LMDBAPI_SCHEMA).stem().string();
}

// A binary of this schema's build: $<var>, else build/<schema>/<name>.
inline std::string BuiltBinary(const char* var, const std::string& name) {
  if (const char* p = std::getenv(var)) return p;
  return (RepoRoot() / "build" / SchemaName() / name).string();
}

// Single-quoted for sh.
inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Ran {
  int status = -1;  // exit status, or -1 if it did not exit normally
  std::string output;  // stdout and stderr
};

inline Ran Sh(const std::string& command) {
  Ran r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;)
    r.output.append(buf, n);
  int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline bool HaveTool(const std::string& tool) {
  return Sh("command -v " + tool).status == 0;
}

// A child running argv with exactly envp, output to `log`; killed at scope
// exit if still running.
class Child {
 public:
  Child(const std::vector<std::string>& argv,
        const std::vector<std::string>& envp, const std::string& log) {
    std::vector<std::string> a = argv, e = envp;
    std::vector<char*> av, ev;
    for (std::string& s : a) av.push_back(s.data());
    for (std::string& s : e) ev.push_back(s.data());
    av.push_back(nullptr);
    ev.push_back(nullptr);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = fork();
    if (pid_ == 0) {
      int in = open("/dev/null", O_RDONLY);
      dup2(in, 0);
      dup2(out, 1);
      dup2(out, 2);
      execve(av[0], av.data(), ev.data());
      _exit(127);
    }
    close(out);
  }
  ~Child() {
    if (pid_ > 0 && status_ == kRunning) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

  // Sends sig, waits up to `wait` for the exit; its status or -1.
  int Stop(int sig, std::chrono::seconds wait = std::chrono::seconds(10)) {
    kill(pid_, sig);
    return Wait(wait);
  }

  // Waits up to `wait` for the exit; its status or -1.
  int Wait(std::chrono::seconds wait = std::chrono::seconds(10)) {
    auto end = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < end) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  static constexpr int kRunning = -2;
  pid_t pid_ = -1;
  int status_ = kRunning;
};

// Waits up to 5 s for a path to appear.
inline bool AwaitPath(const std::string& path) {
  for (int i = 0; i < 500; ++i) {
    if (std::filesystem::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

inline std::string ReadFile(const std::string& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
    out.append(buf, n);
  std::fclose(f);
  return out;
}

}  // namespace lmdbapi::testutil

#endif  // LMDBAPI_TESTS_ADMIN_PROCESS_UTIL_H_
