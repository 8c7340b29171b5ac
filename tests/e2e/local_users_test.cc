// SPDX-License-Identifier: Apache-2.0
// tests/e2e/local_users_test.cc - another local user gets nothing past
// nginx: not the worker's socket (which would bypass nginx and the API
// keys), not the LMDB files (which would bypass everything).
//
// A child process becomes `nobody` (setresuid, so root is needed; the
// cases skip otherwise) and tries. The stack's directory is opened up
// (0755) first, so that what refuses is the socket's or the file's own
// mode, not a private parent directory.

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>

#include <boost/test/unit_test.hpp>

#include "harness.h"

namespace lmdbapi::e2e {
namespace {

constexpr uid_t kNobody = 65534;

// Runs `attempt` in a child as uid/gid 65534 with no supplementary groups.
// Returns the errno `attempt` reported (0: it succeeded), or -1 if the
// child could not become nobody.
int AsNobody(const std::function<int()>& attempt) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (setgroups(0, nullptr) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
        setresuid(kNobody, kNobody, kNobody) != 0)
      _exit(255);
    _exit(attempt() & 0x7f);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

int ConnectUnix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = rc == 0 ? 0 : errno;
  close(fd);
  return err;
}

int OpenForReading(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(local_users)

BOOST_AUTO_TEST_CASE(another_user_cannot_connect_to_the_worker_socket) {
  if (geteuid() != 0) {
    BOOST_TEST_MESSAGE("not root: cannot become another user; skipped");
    return;
  }
  Stack stack;
  stack.Start();
  const std::string sock = stack.dir() + "/w1.sock";
  // The test itself can (it is the socket's owner), so a refusal below is
  // about the user.
  BOOST_TEST(ConnectUnix(sock) == 0);
  chmod(stack.dir().c_str(), 0755);
  struct stat st{};
  BOOST_TEST_REQUIRE(stat(sock.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u, "socket mode " << (st.st_mode & 0777));
  const int err = AsNobody([&] { return ConnectUnix(sock); });
  chmod(stack.dir().c_str(), 0700);
  BOOST_TEST(err == EACCES, "connect as nobody: " << (err > 0 ? std::strerror(err) : "connected"));
}

// Needs the environment's files to be 0600 (src/store/env.cc).
BOOST_AUTO_TEST_CASE(another_user_cannot_read_the_data_files) {
  if (geteuid() != 0) {
    BOOST_TEST_MESSAGE("not root: cannot become another user; skipped");
    return;
  }
  Stack stack;
  stack.Start();
  chmod(stack.dir().c_str(), 0755);
  for (const char* file : {"data.mdb", "lock.mdb"}) {
    const std::string path = stack.DataDir() + "/" + file;
    BOOST_TEST(OpenForReading(path) == 0, path);
    const int err = AsNobody([&] { return OpenForReading(path); });
    BOOST_TEST(err == EACCES,
               path << " as nobody: " << (err > 0 ? std::strerror(err) : "opened"));
  }
  chmod(stack.dir().c_str(), 0700);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
