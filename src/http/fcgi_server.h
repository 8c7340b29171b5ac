// src/http/fcgi_server.h - the FastCGI side: a thread pool over libfcgi.
//
// Connections are not threads. One acceptor thread accepts the web
// server's connections and adds each to an epoll set, armed for one event
// (EPOLLONESHOT). N request threads wait in epoll_wait on that set; the one
// that gets a connection's event has libfcgi read the request
// (FCGX_Accept_r on that connection), answers it (HandleRequestAsync),
// writes the response, and re-arms the connection. A write is not answered
// by that thread: it hands the write to the group committer and goes back
// to epoll_wait, and the committer's thread, once the write's batch has
// committed, writes its response and re-arms its connection (Complete). A
// connection keeps its buffers (body, response) from one request to the
// next.
//
// Why not libfcgi's own model, a thread blocked on each connection: with
// nginx's fastcgi_keep_conn an idle kept connection then holds a thread,
// so nginx's upstream keepalive had to stay below the thread count, and
// connections past it queued behind idle ones (a 118 ms p99 for 64
// concurrent inserts on 32 threads). And every request cost a thread's
// sleep and wake-up; here a thread that finishes a request under load
// usually finds the next one ready in epoll_wait without sleeping. And a
// durable write does not hold a thread through its fsync, sleeping and
// being woken once per write (that was the largest CPU cost of inserts):
// the committer answers its whole batch. So N bounds the requests being read
// and parsed at once, not the writes waiting for a commit, and a batch is
// bounded by Options::max_batch_writes alone.
//
// Stopping: Stop() makes the threads take no new request, lets each finish
// the one it is answering, joins them, and waits for the committer to
// answer every write still queued; kept connections are closed.
// Request threads are woken through an eventfd in the epoll set; the
// acceptor, blocked in accept(2), with a signal (kWakeSignal, handled by a
// no-op and unblocked only around accept(2)). Not by shutdown(2) on the
// listening socket, because that socket may be shared: systemd keeps its
// own copy of a .socket unit's listener (shutting it down would break the
// next start), and spawn-fcgi -F hands one listener to several workers.

#ifndef LMDBAPI_HTTP_FCGI_SERVER_H_
#define LMDBAPI_HTTP_FCGI_SERVER_H_

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "http/auth.h"
#include "http/metrics.h"
#include "lmdbapi/env.h"
#include "lmdbapi/status.h"

// libfcgi's (fcgiapp.h declares too much to include here).
struct FCGX_Request;

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
  // `metrics`: every answered request is recorded there, by the thread
  // that answers it, request thread i into shard i, just before its
  // response is written (so a client holding the response can already see
  // it counted); /api/metrics renders it. A write answered by a thread
  // that is not the Server's (one that led the group commit through the
  // library API) goes into shard `threads` under a lock if there is one,
  // else is not counted. Null: nothing is recorded. REQUIRES: outlives the
  // Server.
  // `openapi_json`: served as GET /api/openapi.json (Services in
  // handlers.h). REQUIRES: the bytes outlive the Server.
  Server(Env& env, const ServerOptions& options, Metrics* metrics = nullptr,
         std::string_view openapi_json = {});
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Initialises libfcgi, installs the kWakeSignal handler and starts the
  // acceptor and request threads on `listen_fd` (which the caller keeps and
  // closes after Stop()). Errors: kIOError if a thread or the epoll set
  // cannot be made; kInvalidArgument if metrics has fewer shards than
  // threads.
  Status Start(int listen_fd);

  // Returns once every thread has finished its request and exited and
  // every request taken has been answered. Idempotent.
  void Stop();

 private:
  struct Conn;
  struct Worker;
  void Accept();                 // the acceptor thread
  void Run(Worker* worker);      // a request thread
  void Serve(Worker* worker, Conn* c);  // one request, up to its answer
  // Writes c's response, finishes the request and re-arms (or releases)
  // c, on the thread that answers: Serve's, or the committer's for a write.
  // `handled`: HandleRequestAsync made the response.
  void Complete(Conn* c, bool handled) noexcept;
  bool Arm(Conn* c, int op);     // EPOLL_CTL_ADD or _MOD, one-shot
  void Release(Conn* c);         // close and forget a connection
  static void Discard(Conn* c);  // close and free it (Release, Stop)
  void CloseEpoll();

  Env& env_;
  ServerOptions options_;
  Metrics* metrics_;
  std::string_view openapi_json_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: written once by Stop()
  std::atomic<bool> stopping_{false};
  std::atomic<bool> accepting_done_{false};
  std::thread acceptor_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex conns_mu_;
  std::unordered_set<Conn*> conns_;  // every open connection
  // Requests taken and not yet answered; Stop() waits for none.
  std::atomic<int> unfinished_{0};
  std::mutex unfinished_mu_;
  std::condition_variable unfinished_cv_;
  std::mutex spare_shard_mu_;  // metrics shard `threads`, see the ctor
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_FCGI_SERVER_H_
