// SPDX-License-Identifier: Apache-2.0
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

// Creates the parent directory if missing (mode 0750: the worker's group
// may pass, nobody else), removes a stale socket file at `path` (one nobody
// accepts on), binds, listens and sets the socket's mode to `mode`: 0660
// lets the worker's group connect (put nginx's user in it), 0600 only the
// worker's own user (make run, where nginx runs as the same user). Anyone
// who may connect may speak FastCGI to the worker without nginx, so
// without its checks. Never world-connectable: a mode with any of 0007 is
// refused. Returns the fd.
// Errors (kIOError): the path exists and is not a socket; another process
// is accepting on it; `mode` grants others; any system call fails (message
// names it and errno).
Result<int> ListenUnix(const std::string& path, int backlog,
                       unsigned mode = 0600);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_LISTEN_SOCKET_H_
