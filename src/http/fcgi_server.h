// src/http/fcgi_server.h - the FastCGI side: accept threads over libfcgi.
//
// A Server runs N threads, each looping FCGX_Accept_r on one listening
// socket: read the request's params and body, HandleRequest, write the
// response. Every thread keeps its buffers (body, response, scratch) from
// one request to the next. With nginx's fastcgi_keep_conn a thread keeps
// its connection between requests, so nginx's upstream keepalive should
// not exceed the thread count (see conf/nginx/lmdb-api.conf).
//
// Each thread accepts its own connections and waits for the next request on
// a kept one in ppoll(2), handing the connection to libfcgi (FCGX_Accept_r)
// only once a request is there: a thread asleep in read(2) on a unix socket
// is also woken whenever nginx reads what it wrote (see NextRequest).
//
// Stopping: Stop() makes the threads take no new request, lets each finish
// the one it is answering, and joins them. Idle threads are blocked in
// accept(2) or in ppoll(2) on a kept connection; Stop wakes them with a
// signal (kWakeSignal, handled by a no-op, unblocked only while a thread is
// idle, so a request in progress is never interrupted). Not by shutdown(2)
// on the listening socket, because that socket may be shared: systemd
// keeps its own copy of a .socket unit's listener (shutting it down would
// break the next start), and spawn-fcgi -F hands one listener to several
// workers.

#ifndef LMDBAPI_HTTP_FCGI_SERVER_H_
#define LMDBAPI_HTTP_FCGI_SERVER_H_

#include <signal.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "http/auth.h"
#include "http/metrics.h"
#include "lmdbapi/env.h"
#include "lmdbapi/status.h"

namespace lmdbapi::http {

inline const int kWakeSignal = SIGUSR2;

struct ServerOptions {
  unsigned threads = 2;
  std::size_t max_body_bytes = std::size_t{1} << 20;  // larger: 413
  // Non-null: every request but AuthExempt ones must present a key
  // (auth.h), checked before the body is read. REQUIRES: outlives the
  // Server.
  const ApiKeys* api_keys = nullptr;
};

class Server {
 public:
  // REQUIRES: env outlives the Server.
  //
  // `metrics`: every answered request is recorded there, thread i into
  // shard i, just before its response is written (so a client holding the
  // response can already see it counted); /api/metrics renders it. Null:
  // nothing is recorded. REQUIRES: outlives the Server.
  // `openapi_json`: served as GET /api/openapi.json (Services in
  // handlers.h). REQUIRES: the bytes outlive the Server.
  Server(Env& env, const ServerOptions& options, Metrics* metrics = nullptr,
         std::string_view openapi_json = {});
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Initialises libfcgi, installs the kWakeSignal handler and starts the
  // threads on `listen_fd` (which the caller keeps and closes after
  // Stop()). Errors: kIOError if a thread cannot be started;
  // kInvalidArgument if metrics has fewer shards than threads.
  Status Start(int listen_fd);

  // Returns once every thread has finished its request and exited.
  // Idempotent.
  void Stop();

 private:
  struct Worker;
  void Run(Worker* worker);

  Env& env_;
  ServerOptions options_;
  Metrics* metrics_;
  std::string_view openapi_json_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_FCGI_SERVER_H_
