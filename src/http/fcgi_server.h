// SPDX-License-Identifier: Apache-2.0
// src/http/fcgi_server.h - the FastCGI side: a thread pool over libfcgi.
//
// Connections are not threads. One acceptor thread accepts the web
// server's connections and adds each to an epoll set, armed for one event
// (EPOLLONESHOT). N request threads wait in epoll_wait on that set, each
// taking one ready connection per wait (not a batch: a connection taken
// behind a slow request, a long scan say, would wait for it while other
// threads sat idle). The thread that gets a connection's event looks at
// what has arrived (recv MSG_PEEK, FastCGI record headers only) and hands
// the connection to libfcgi (FCGX_Accept_r) only once the whole request is
// there; it then answers it (HandleRequestAsync), writes the response, and
// re-arms the connection. A connection keeps its buffers (body, response)
// from one request to the next.
//
// A request that has not arrived whole is parked: the watchdog thread
// holds it in a second, edge-triggered epoll set and looks again each time
// more bytes come, and hands it back to the request threads once it is
// whole. So an unfinished request holds no request thread. One that is
// still not whole ServerOptions::read_timeout after its first byte is
// dropped (the connection closed) and counted in the metrics. Only a
// request longer than the 64 KiB a thread looks at (a large body) is read
// by a request thread as it arrives; the watchdog then bounds that read by
// the same deadline, with shutdown(2), which ends the blocked read.
//
// Writes never wait on a socket. A write is not answered by the request
// thread: it hands the write to the group committer and goes back to
// epoll_wait. The committer, once the write's batch has committed, only
// queues the connection on the completion queue and signals its eventfd,
// which is in the request threads' epoll set; request threads that wake on
// it take the queued connections one at a time, write their responses and
// re-arm them. So the committer never writes to, or closes, a socket, and a
// client that stops reading cannot delay any commit.
//
// A response write may block (the peer's socket buffer is full: a client
// that stopped reading, straight on the socket, or a web server that does
// not buffer). It blocks the one request thread writing it, and no longer
// than ServerOptions::send_timeout: the watchdog then shuts the connection
// down, which fails the write (counted in the metrics). The other threads
// keep serving, and keep sending queued completions, meanwhile. We chose
// this over non-blocking sockets because libfcgi's streams treat EAGAIN as
// an error, and over a thread per blocked write because the deadline
// already bounds what one stalled client can hold to one thread for
// send_timeout.
//
// libfcgi reads and parses requests; responses are written by
// fcgi_response.h, in one sendmsg(2), not through libfcgi's stdout stream
// (a write(2) per 8 KiB). libfcgi never lingers on a close here (it would
// wait up to seconds for the peer, and older releases select() on the fd):
// we write and free the request ourselves and close connections directly, and a request whose
// read fails in FCGX_Accept_r is detached first, so libfcgi's own close is
// a plain close(2). No fd we hand libfcgi exceeds FD_SETSIZE - 1: at most
// ServerOptions::max_connections are open at once (the acceptor stops
// accepting until one closes), and an accepted fd >= FD_SETSIZE is closed
// at once.
//
// Why not libfcgi's own model, a thread blocked on each connection: with
// nginx's fastcgi_keep_conn an idle kept connection then holds a thread,
// so nginx's upstream keepalive had to stay below the thread count, and
// connections past it queued behind idle ones (a 118 ms p99 for 64
// concurrent inserts on 32 threads). And a durable write does not hold a
// thread through its fsync. So N bounds the requests being parsed and
// answered at once, not the writes waiting for a commit, nor unfinished
// requests, and a batch is bounded by Options::max_batch_writes alone.
//
// Change streams (GET /api/changes/stream) are the exception to "a
// connection comes back after its answer": once a stream request is
// accepted, Complete hands its connection to the change stream dispatcher
// (change_stream.h), which owns it from then on, writes to it only
// non-blocking, and is woken after each write's commit (Notify, from the
// completion). An idle stream costs a buffer and an epoll entry, no thread.
//
// Stopping: Stop() makes the threads take no new request, lets each finish
// the one it is answering (one partly arrived and parked too, until it is
// whole or its read deadline passes), joins them, and answers (on its own thread)
// every write the committer still completes; kept connections are closed.
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
#include <chrono>
#include <deque>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "http/auth.h"
#include "http/change_stream.h"
#include "http/config.h"
#include "http/cors.h"
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
  // POST /api/T/bulk's own limit (BULK_MAX_BODY_BYTES); larger: 413.
  std::size_t bulk_max_body_bytes = std::size_t{64} << 20;
  // MAX_STRING_BYTES (Services::max_string_bytes): longer strings are 400.
  std::size_t max_string_bytes = kDefaultMaxStringBytes;
  // BATCH_MAX_OPERATIONS and IDEMPOTENCY_TTL (Services in handlers.h).
  std::size_t batch_max_operations = kDefaultBatchMaxOperations;
  std::uint64_t idempotency_ttl_seconds = kDefaultIdempotencyTtlSeconds;
  // MAX_EXAMINED (Services::max_examined).
  std::size_t max_examined = kDefaultMaxExamined;
  // Non-null: every request but AuthExempt ones must present a key
  // (auth.h), checked before the body is read. REQUIRES: outlives the
  // Server.
  const ApiKeys* api_keys = nullptr;
  // Non-null and enabled(): CORS headers on every answer (cors.h).
  // REQUIRES: outlives the Server.
  const CorsPolicy* cors = nullptr;
  // Most connections open at once; past it the acceptor waits for one to
  // close. REQUIRES: well under FD_SETSIZE (config.cc caps it).
  unsigned max_connections = 960;
  // A request not whole this long after its first byte is dropped.
  std::chrono::milliseconds read_timeout{5000};
  // A response not written this long after its first byte is dropped.
  std::chrono::milliseconds send_timeout{10000};
  // The change stream dispatcher's (change_stream.h), when the Env's feed
  // is on.
  StreamOptions streams = StreamOptions();
};

class Server {
 public:
  // REQUIRES: env outlives the Server.
  //
  // `metrics`: every answered request is recorded there, by the thread
  // that answers it, request thread i into shard i, just before its
  // response is written (so a client holding the response can already see
  // it counted); /api/metrics renders it. A write answered by a thread
  // that is not the Server's (Stop's, for writes whose commit completes
  // after the request threads stopped) goes into shard `threads` under a
  // lock if there is one, else is not counted. Connections dropped by a
  // deadline are counted there too (Metrics::CountDropped). Null: nothing is recorded. REQUIRES: outlives the
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

  // Requests partly arrived and held by the watchdog (tests wait on it
  // instead of sleeping).
  int TEST_Parked() const { return parked_.load(); }

 private:
  struct Conn;
  struct Worker;
  void Accept();                 // the acceptor thread
  void Run(Worker* worker);      // a request thread
  void Watch();                  // the watchdog thread (parked, deadlines)
  // c's event on a request thread: read the request if whole, else park.
  void Take(Worker* worker, Conn* c, std::uint32_t events);
  void Serve(Worker* worker, Conn* c);  // one request, up to its answer
  // Writes c's response, finishes the request and re-arms (or releases)
  // c, on a request thread (or Stop's, for writes completed after the
  // request threads stopped). `handled`: HandleRequestAsync made it.
  void Complete(Conn* c, bool handled) noexcept;
  // From the committer's thread: queue c for Complete on a request thread.
  void QueueCompleted(Conn* c) noexcept;
  // Completes queued connections one at a time until the queue is empty.
  void SendCompleted();
  // Stop(): completes what the committer still hands over until every
  // request taken has been answered.
  void FinishOutstanding();
  void Park(Conn* c);            // to the watchdog until whole
  void DropExpired();            // the watchdog's deadline sweep
  bool Arm(Conn* c, int op);     // EPOLL_CTL_ADD or _MOD, one-shot
  void Release(Conn* c);         // close and forget a connection
  static void Discard(Conn* c);  // close and free it (Release, Stop)
  void CloseEpoll();
  // Complete's end for a change stream: c goes to streams_.
  void HandOff(Conn* c) noexcept;

  Env& env_;
  ServerOptions options_;
  Metrics* metrics_;
  std::string_view openapi_json_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: written once by Stop()
  int park_fd_ = -1;  // epoll set of parked connections (the watchdog's)
  int done_fd_ = -1;  // eventfd: readable while completed_ is not empty
  std::atomic<bool> stopping_{false};
  std::atomic<bool> accepting_done_{false};
  std::atomic<bool> watch_stop_{false};
  std::atomic<int> parked_{0};  // connections the watchdog holds
  std::thread acceptor_;
  std::thread watchdog_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex conns_mu_;
  std::unordered_set<Conn*> conns_;  // every open connection
  std::condition_variable conns_cv_;  // the acceptor waits here when full
  // Writes answered by the committer, to be sent by a request thread.
  std::mutex done_mu_;
  std::deque<Conn*> completed_;
  std::condition_variable done_cv_;  // FinishOutstanding waits here
  // Requests taken and not yet answered; Stop() waits for none.
  std::atomic<int> unfinished_{0};
  std::mutex spare_shard_mu_;  // metrics shard `threads`, see the ctor
  // GET /api/changes/stream's connections, once accepted; null with the
  // feed off.
  std::unique_ptr<ChangeStreams> streams_;
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_FCGI_SERVER_H_
