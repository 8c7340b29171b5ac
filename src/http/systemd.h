// SPDX-License-Identifier: Apache-2.0
// src/http/systemd.h - the two pieces of systemd's protocol the worker uses.
//
// Socket activation (sd_listen_fds(3)): a .socket unit passes the listening
// socket as fd 3 with LISTEN_PID/LISTEN_FDS set. Readiness (sd_notify(3)):
// a Type=notify service says READY=1 once it serves and STOPPING=1 when it
// begins to stop, as one datagram to $NOTIFY_SOCKET. Both are a few lines
// of a documented protocol, so the worker needs no libsystemd. Outside
// systemd neither variable is set and both calls do nothing.

#ifndef LMDBAPI_HTTP_SYSTEMD_H_
#define LMDBAPI_HTTP_SYSTEMD_H_

namespace lmdbapi::http {

// fd 3 if systemd passed this process a listening socket, else -1. Clears
// the LISTEN_* variables so children do not take them for their own.
int SystemdListenFd();

// Sends `state` (e.g. "READY=1") to $NOTIFY_SOCKET if it is set; errors are
// ignored, as sd_notify's callers usually do.
void NotifySystemd(const char* state);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_SYSTEMD_H_
