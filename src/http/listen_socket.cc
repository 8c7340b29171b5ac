// SPDX-License-Identifier: Apache-2.0
// src/http/listen_socket.cc - see listen_socket.h.

#include "http/listen_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

namespace lmdbapi::http {
namespace {

Status SysError(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + strerror(errno));
}

// Closes the fd on scope exit unless released.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) close(fd_);
  }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

bool IsListeningSocket(int fd) {
  int accepting = 0;
  socklen_t len = sizeof accepting;
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) == 0 &&
         accepting != 0;
}

Result<int> ListenUnix(const std::string& path, int backlog, unsigned mode) {
  if ((mode & ~0660u) != 0)
    return Status::IOError("socket mode " + std::to_string(mode) +
                           " (decimal) grants more than owner and group "
                           "read-write; use 0600 or 0660 (FCGI_SOCKET_MODE)");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return Status::IOError("socket path \"" + path +
                           "\" is empty or too long (at most " +
                           std::to_string(sizeof addr.sun_path - 1) +
                           " bytes)");
  memcpy(addr.sun_path, path.data(), path.size());

  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    // Only the directories made here get 0750; an existing one is the
    // operator's (as /run/lmdb-api/ is systemd's RuntimeDirectory).
    std::error_code ec;
    std::filesystem::path made;
    for (const auto& part : parent) {
      made /= part;
      if (std::filesystem::exists(made, ec)) continue;
      if (mkdir(made.c_str(), 0750) != 0 && errno != EEXIST)
        return SysError("cannot create directory for the socket",
                        made.string());
    }
  }

  struct stat st{};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return Status::IOError(path + " exists and is not a socket; remove it "
                                    "or choose another FCGI_SOCKET");
    // A socket file outlives its process. Remove it only if nobody
    // accepts on it: two workers must not steal each other's socket.
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return SysError("socket() for", path);
    bool live = connect(probe, reinterpret_cast<sockaddr*>(&addr),
                        sizeof addr) == 0;
    close(probe);
    if (live)
      return Status::IOError("another process is accepting on " + path +
                             "; stop it or choose another FCGI_SOCKET");
    if (unlink(path.c_str()) != 0) return SysError("cannot remove", path);
  }

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SysError("socket() for", path);
  FdGuard guard(fd);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return SysError("cannot bind", path);
  // Set before listen(): until then nobody can connect, whatever the
  // umask gave the file.
  if (chmod(path.c_str(), mode) != 0) return SysError("cannot chmod", path);
  if (listen(fd, backlog) != 0) return SysError("cannot listen on", path);
  return guard.release();
}

}  // namespace lmdbapi::http
