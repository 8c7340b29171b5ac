// src/http/listen_socket.h - the unix socket nginx connects to.
//
// The worker either creates its socket (FCGI_SOCKET, or the default path)
// or is handed one already listening on fd 0, as spawn-fcgi and a systemd
// .socket unit do. Both paths end in a listening fd for the server.

#ifndef LMDBAPI_HTTP_LISTEN_SOCKET_H_
#define LMDBAPI_HTTP_LISTEN_SOCKET_H_

#include <string>

#include "lmdbapi/status.h"

namespace lmdbapi::http {

// True if fd is a socket in the listening state (SO_ACCEPTCONN).
bool IsListeningSocket(int fd);

// Creates the parent directory if missing, removes a stale socket file at
// `path` (one nobody accepts on), binds, listens and makes the socket
// connectable by other users (mode 0666: access is governed by the
// directory's permissions, as with /run/lmdb-api/). Returns the fd.
// Errors (kIOError): the path exists and is not a socket; another process
// is accepting on it; any system call fails (message names it and errno).
Result<int> ListenUnix(const std::string& path, int backlog);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_LISTEN_SOCKET_H_
