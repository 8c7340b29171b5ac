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

Result<int> ListenUnix(const std::string& path, int backlog) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return Status::IOError("socket path \"" + path +
                           "\" is empty or too long (at most " +
                           std::to_string(sizeof addr.sun_path - 1) +
                           " bytes)");
  memcpy(addr.sun_path, path.data(), path.size());

  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec)
      return Status::IOError("cannot create directory " + parent.string() +
                             " for the socket: " + ec.message());
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
  // nginx's workers run as another user (www-data); the directory the
  // socket lives in is what restricts access.
  if (chmod(path.c_str(), 0666) != 0) return SysError("cannot chmod", path);
  if (listen(fd, backlog) != 0) return SysError("cannot listen on", path);
  return guard.release();
}

}  // namespace lmdbapi::http
