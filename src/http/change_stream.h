// SPDX-License-Identifier: Apache-2.0
// src/http/change_stream.h - the change stream's dispatcher: one thread
// that sends every GET /api/changes/stream client its changes as
// Server-Sent Events.
//
// Why not the request threads: a stream never ends, so a thread per
// stream would hold a thread per idle client, and a blocking write to one
// that stopped reading would hold it until the send deadline. Instead, once
// a stream request is accepted (handlers.cc sets Response::stream), the
// server writes nothing, takes the connection out of its own epoll set and
// hands the socket here (Add). From then on this thread alone owns it:
//
//   - an epoll set holds every stream socket (for its peer's end, and for
//     room to write when a write would block), an eventfd the server
//     signals after each commit (Notify: one non-blocking write, so a
//     writer never waits on a client), and one for new clients and Stop;
//   - after a wake-up, each client whose buffer is below its low-water
//     mark reads the feed after its position (its own read transaction,
//     on this thread) and its events are framed as FastCGI STDOUT records
//     into that buffer, which is written with non-blocking sends;
//   - a client's buffer holds at most about max_buffer bytes: a slow
//     client falls behind in the feed, not in memory. One whose buffer
//     makes no progress for stall_timeout is dropped (its socket closed;
//     nginx ends the client's response, and an EventSource reconnects
//     with Last-Event-ID and resumes after the last event it got);
//   - a client idle for `heartbeat` gets a comment line, which keeps
//     proxies from timing the connection out and tells a dead peer apart;
//   - now and then (every tick) the feed is read even without a Notify,
//     so writes of other processes (lmdbapi-admin import) reach streams.
//
// Every event is one change (id: its seq), in seq order, so a client that
// resumes after the last id it got sees every change exactly once.

#ifndef LMDBAPI_HTTP_CHANGE_STREAM_H_
#define LMDBAPI_HTTP_CHANGE_STREAM_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/metrics.h"
#include "lmdbapi/changes.h"
#include "lmdbapi/env.h"
#include "lmdbapi/status.h"

namespace lmdbapi::http {

struct StreamOptions {
  // A comment line after this long without an event (CHANGES_HEARTBEAT_MS).
  std::chrono::milliseconds heartbeat{15000};
  // A client whose pending bytes make no progress this long is dropped
  // (RESPONSE_SEND_TIMEOUT_MS).
  std::chrono::milliseconds stall_timeout{10000};
  // Bytes read ahead for one client; the feed is read again once half of
  // it is sent.
  std::size_t max_buffer = std::size_t{256} << 10;
};

class ChangeStreams {
 public:
  // REQUIRES: env and metrics (if not null) outlive this. `metrics`
  // counts the streams open and the clients dropped for stalling.
  ChangeStreams(Env& env, const StreamOptions& options,
                Metrics* metrics = nullptr);
  ~ChangeStreams();  // Stop()s
  ChangeStreams(const ChangeStreams&) = delete;
  ChangeStreams& operator=(const ChangeStreams&) = delete;

  // Starts the thread. kIOError if it or its epoll set cannot be made.
  Status Start();
  // Ends every stream (each gets the end of its response) and joins the
  // thread. Idempotent.
  void Stop();

  // Takes `fd` (a FastCGI connection whose request `request_id` asked for
  // the stream): sends `head` (the response's CGI header block), then the
  // changes `request` selects, until the peer goes or Stop. The socket is
  // closed here in the end; it is made non-blocking. Never blocks on the
  // socket. If not started (or stopping), closes fd at once.
  void Add(int fd, int request_id, std::string head,
           const ChangesRequest& request) noexcept;

  // A commit happened: wake the dispatcher. Cheap, never blocks; safe
  // from any thread.
  void Notify() noexcept;

  // Clients connected now (tests wait on it instead of sleeping).
  int clients() const { return clients_.load(); }
  // Clients dropped for falling behind, since Start.
  std::uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Client;
  void Loop();
  void Adopt();                 // new clients from Add
  void Fill(Client* c);         // read the feed into c's buffer
  bool Flush(Client* c);        // send what it can; false: drop c
  void Drop(Client* c, bool stalled);
  void Watch(Client* c, bool want_write);

  Env& env_;
  StreamOptions options_;
  Metrics* metrics_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;     // eventfd: Notify
  int control_fd_ = -1;  // eventfd: Add, Stop
  std::atomic<bool> notified_{false};  // a Notify not yet seen
  std::atomic<bool> stopping_{false};
  std::atomic<int> clients_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::mutex mu_;  // guards incoming_ and running_
  bool running_ = false;
  std::vector<std::unique_ptr<Client>> incoming_;
  std::vector<std::unique_ptr<Client>> live_;  // the thread's own
  std::thread thread_;
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_CHANGE_STREAM_H_
