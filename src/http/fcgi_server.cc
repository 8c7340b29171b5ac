// SPDX-License-Identifier: Apache-2.0
// src/http/fcgi_server.cc - see fcgi_server.h.

#include "http/fcgi_server.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <fastcgi.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include <fcgiapp.h>

#include "http/fcgi_response.h"
#include "http/handlers.h"
#include "http/log.h"
#include "http/query.h"
#include "http/router.h"
#include "lmdbapi/quote.h"

namespace lmdbapi::http {
namespace {

// How much of a connection's pending input a request thread looks at to
// tell whether a request is whole. A request's params (nginx: at most its
// header buffers, 32 KiB by default) must fit; a body that does not fit is
// read as it arrives, under the read deadline.
constexpr std::size_t kPeekBytes = std::size_t{64} << 10;
// The watchdog's sweep for deadlines; a deadline is met within this.
constexpr int kSweepMs = 100;
// Buffers beyond this are given back after the request that grew them.
// They are a connection's, and nginx keeps up to 64 connections, so the
// cap is what a 100-record page needs (about 35 KB) with room to spare,
// not the 4 MiB a page may reach.
constexpr std::size_t kKeepCapacity = std::size_t{256} << 10;
// A body over the limit is read and dropped, so the connection stays in
// step; past this much the connection is closed instead.
constexpr std::size_t kMaxDrain = std::size_t{64} << 20;

void OnWake(int) {}

// The server and metrics shard of the request thread running here, if it
// is one. The committer's thread is not: it queues its completions for
// them (QueueCompleted); Stop's thread is not either, and records into the
// spare shard (see Complete).
thread_local const void* current_server = nullptr;
thread_local unsigned current_shard = 0;

std::string_view Param(const FCGX_Request& req, const char* name) {
  const char* v = FCGX_GetParam(name, req.envp);
  return v == nullptr ? std::string_view() : std::string_view(v);
}

std::string_view Reason(int status) { return ReasonPhrase(status); }

// Header values come from our own code, but a CR or LF must never reach
// the header block whatever the library puts in, say, a plan string.
void AppendHeader(std::string_view name, std::string_view value,
                  std::string* out) {
  *out += name;
  *out += ": ";
  for (char c : value) out->push_back(c == '\r' || c == '\n' ? ' ' : c);
  *out += "\r\n";
}

// For log lines: client text escaped as in messages (lmdbapi/quote.h),
// unquoted, and clipped.
std::string Printable(std::string_view s) {
  std::string out;
  if (AppendEscaped(s, 200, &out)) out += "...";
  return out;
}

void SetSignalMask(int how) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, kWakeSignal);
  pthread_sigmask(how, &set, nullptr);
}

// Reads up to `length` bytes of the request body into *body; returns false
// if the stream ended early or failed.
bool ReadBody(FCGX_Stream* in, std::size_t length, std::string* body) {
  // Through a buffer on the stack, appending what arrived, rather than
  // growing *body first: for a request without CONTENT_LENGTH (every GET),
  // `length` is the whole limit, and zero-filling the space before a read
  // that finds nothing was 3% of a GET's CPU time (a megabyte up front,
  // before that was a 16 KiB step, had been most of it).
  char chunk[16384];
  body->clear();
  while (body->size() < length) {
    std::size_t want = std::min(length - body->size(), sizeof chunk);
    int n = FCGX_GetStr(chunk, static_cast<int>(want), in);
    if (n <= 0) break;
    body->append(chunk, static_cast<std::size_t>(n));
    // FCGX_GetStr returns short only at the end of the stream.
    if (static_cast<std::size_t>(n) < want) break;
  }
  return body->size() == length;
}

// Consumes what is left of the body, up to kMaxDrain; false if more was
// left (the connection must then be closed).
bool Drain(FCGX_Stream* in) {
  char sink[16384];
  std::size_t total = 0;
  while (total <= kMaxDrain) {
    int n = FCGX_GetStr(sink, sizeof sink, in);
    if (n <= 0) return true;
    total += static_cast<std::size_t>(n);
  }
  return false;
}

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t NanosFrom(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// What a connection's pending input holds.
enum class Arrival {
  kWhole,     // a request up to the end of its body, or as much of a long
              // one as kPeekBytes shows (params whole), or records that
              // are libfcgi's to judge: hand it to libfcgi
  kPartial,   // a request not all here yet
  kClosed,    // end of stream, or an error: nothing more will come
  kTooLarge,  // params past kPeekBytes
};

// Walks the FastCGI record headers (fastcgi.h's FCGI_Header) in the bytes
// pending on `fd`, without consuming them: libfcgi still reads the request;
// this only tells whether it is all here, so that a request thread never
// blocks on a client that sends part of one.
// `events`: the epoll events that woke us; with the peer's end of stream
// (EPOLLRDHUP, EPOLLHUP) an unfinished request never will be whole.
Arrival Look(int fd, std::uint32_t events, std::vector<char>* buf) {
  buf->resize(kPeekBytes);
  ssize_t n = recv(fd, buf->data(), buf->size(), MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return Arrival::kClosed;
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
               ? Arrival::kPartial
               : Arrival::kClosed;
  const auto* p = reinterpret_cast<const unsigned char*>(buf->data());
  const std::size_t size = static_cast<std::size_t>(n);
  bool params_whole = false;
  std::size_t at = 0;
  while (at + sizeof(FCGI_Header) <= size) {
    FCGI_Header h;
    std::memcpy(&h, p + at, sizeof h);
    const std::size_t content =
        std::size_t{h.contentLengthB1} << 8 | h.contentLengthB0;
    const std::size_t end = at + sizeof h + content + h.paddingLength;
    // Anything but a responder's request records (a management record, an
    // abort, a bad version) is libfcgi's to answer or refuse.
    if (h.version != FCGI_VERSION_1 ||
        (h.type != FCGI_BEGIN_REQUEST && h.type != FCGI_PARAMS &&
         h.type != FCGI_STDIN))
      return Arrival::kWhole;
    if (h.type == FCGI_PARAMS && content == 0) params_whole = true;
    if (h.type == FCGI_STDIN && content == 0 && end <= size)
      return Arrival::kWhole;
    at = end;
  }
  if (size < kPeekBytes)
    return (events & (EPOLLRDHUP | EPOLLHUP)) != 0 ? Arrival::kClosed
                                                    : Arrival::kPartial;
  return params_whole ? Arrival::kWhole : Arrival::kTooLarge;
}

}  // namespace

// One connection from the web server, kept between its requests. A thread
// owns it from the epoll event that reports a request until Complete
// re-arms it (the watchdog while it is parked), and a write's Complete may
// run on another request thread than its Serve. So the request's buffers
// live here, not with a thread, and are reused from one request on the
// connection to the next.
struct Server::Conn {
  explicit Conn(int socket) : fd(socket) {}
  FCGX_Request req;
  const int fd;  // == req.ipcFd while deadline is set (see DropExpired)
  std::string body, path, head;
  Request request;
  Response response;
  std::chrono::steady_clock::time_point start;
  // Steady-clock nanoseconds at which the watchdog drops the connection; 0:
  // none. Set while a request is parked or being read or its response
  // written; libfcgi never closes fd meanwhile, so the watchdog, holding
  // conns_mu_, may shut it down.
  std::atomic<std::int64_t> deadline{0};
  std::atomic<bool> sending{false};  // the deadline is the send deadline
  std::atomic<bool> parked{false};   // in park_fd_, the watchdog's
  // When the request now arriving is due whole (0: none has started).
  std::int64_t read_due = 0;
};

struct Server::Worker {
  unsigned index = 0;  // also the metrics shard
  std::thread thread;
  Scratch scratch;  // only used until HandleRequestAsync returns
  std::vector<char> peek;  // Look's buffer
};

Server::Server(Env& env, const ServerOptions& options, Metrics* metrics,
               std::string_view openapi_json)
    : env_(env),
      options_(options),
      metrics_(metrics),
      openapi_json_(openapi_json) {}

Server::~Server() { Stop(); }

Status Server::Start(int listen_fd) {
  if (metrics_ != nullptr &&
      metrics_->shards() < options_.threads)
    return Status::InvalidArgument(
        "threads", "the metrics have fewer shards than the server threads");
  if (FCGX_Init() != 0) return Status::IOError("FCGX_Init failed");
  // No SA_RESTART: the point of the signal is to make a blocked accept(2)
  // return EINTR.
  struct sigaction sa{};
  sa.sa_handler = OnWake;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  if (sigaction(kWakeSignal, &sa, nullptr) != 0)
    return Status::IOError(std::string("sigaction: ") + strerror(errno));
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  park_fd_ = epoll_create1(EPOLL_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  done_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // Level-triggered and never read: once Stop() writes it, every thread's
  // epoll_wait reports it, one after another.
  epoll_event stop{};
  stop.events = EPOLLIN;
  stop.data.ptr = nullptr;
  // Level-triggered: every thread that waits while completions are queued
  // wakes and helps send them.
  epoll_event done{};
  done.events = EPOLLIN;
  done.data.ptr = &done_fd_;
  if (epoll_fd_ < 0 || park_fd_ < 0 || stop_fd_ < 0 || done_fd_ < 0 ||
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &stop) != 0 ||
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, done_fd_, &done) != 0) {
    Status s = Status::IOError(std::string("epoll: ") + strerror(errno));
    CloseEpoll();
    return s;
  }
  if (env_.options().changes) {
    streams_ = std::make_unique<ChangeStreams>(env_, options_.streams,
                                               metrics_);
    Status started = streams_->Start();
    if (!started.ok()) {
      streams_.reset();
      CloseEpoll();
      return started;
    }
  }
  listen_fd_ = listen_fd;
  stopping_ = false;
  watch_stop_ = false;
  accepting_done_ = false;
  try {
    acceptor_ = std::thread([this] { Accept(); });
  } catch (const std::system_error& e) {
    CloseEpoll();
    return Status::IOError(std::string("cannot start a thread: ") + e.what());
  }
  try {
    watchdog_ = std::thread([this] { Watch(); });
  } catch (const std::system_error& e) {
    Stop();
    return Status::IOError(std::string("cannot start a thread: ") + e.what());
  }
  for (unsigned i = 0; i < options_.threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    Worker* raw = w.get();
    try {
      w->thread = std::thread([this, raw] { Run(raw); });
    } catch (const std::system_error& e) {
      Stop();
      return Status::IOError(std::string("cannot start a thread: ") +
                             e.what());
    }
    workers_.push_back(std::move(w));
  }
  return Status();
}

void Server::Stop() {
  if (!acceptor_.joinable()) return;
  stopping_ = true;
  // The acceptor waits in accept(2), where only a signal reaches it (not
  // shutdown(2) on the listener: see fcgi_server.h), or on conns_cv_ when
  // full. It may check stopping_ just before the signal and block just
  // after it, so keep signalling until it is out.
  while (!accepting_done_) {
    pthread_kill(acceptor_.native_handle(), kWakeSignal);
    conns_cv_.notify_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  acceptor_.join();
  // A request partly arrived is in flight too: let it arrive and be
  // answered, or reach its read deadline (the watchdog drops it).
  while (parked_.load() > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // The request threads wait in epoll_wait, which the stop eventfd wakes.
  // A connection the watchdog re-armed above is ahead of it in the ready
  // list, so some thread still takes it.
  std::uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0)
    Log(LogLevel::kError, std::string("stop eventfd: ") + strerror(errno));
  for (auto& w : workers_) w->thread.join();
  workers_.clear();
  // Writes handed to the group committer may still be unanswered: they
  // are answered here, on this thread, as their commits complete.
  FinishOutstanding();
  // No request thread hands it a stream now; each stream is ended.
  if (streams_ != nullptr) streams_->Stop();
  // Last: it bounds the sends above. It sees the flag within a sweep.
  watch_stop_ = true;
  if (watchdog_.joinable()) watchdog_.join();
  // Idle kept and parked connections: nobody owns them now.
  for (Conn* c : conns_) Discard(c);
  conns_.clear();
  CloseEpoll();
}

void Server::FinishOutstanding() {
  std::unique_lock<std::mutex> lock(done_mu_);
  for (;;) {
    while (!completed_.empty()) {
      Conn* c = completed_.front();
      completed_.pop_front();
      lock.unlock();
      Complete(c, true);
      lock.lock();
    }
    if (unfinished_.load() == 0) return;
    done_cv_.wait(lock);
  }
}

void Server::CloseEpoll() {
  for (int* fd : {&epoll_fd_, &park_fd_, &stop_fd_, &done_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

// accept(2) is the acceptor's wait, with the wake signal let through
// around it only. Each new connection joins the epoll set, armed for one
// event (EPOLLONESHOT): the thread that takes the event owns the
// connection until it re-arms it.
void Server::Accept() {
  SetSignalMask(SIG_BLOCK);
  while (!stopping_) {
    {
      // At the limit, new connections wait in the listen backlog.
      std::unique_lock<std::mutex> lock(conns_mu_);
      conns_cv_.wait(lock, [this] {
        return stopping_ || conns_.size() < options_.max_connections;
      });
      if (stopping_) break;
    }
    SetSignalMask(SIG_UNBLOCK);
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    int err = errno;
    SetSignalMask(SIG_BLOCK);
    if (fd < 0) {
      if (err == EINTR || err == ECONNABORTED) continue;
      // EMFILE and the like: slow down, try again.
      Log(LogLevel::kError, std::string("accept failed: ") + strerror(err));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (fd >= FD_SETSIZE) {
      // libfcgi releases before 2.4.2 select() on a connection's fd when
      // closing it; FD_SET past FD_SETSIZE writes out of bounds.
      close(fd);
      Log(LogLevel::kError,
          "accept: fd " + std::to_string(fd) + " is past FD_SETSIZE (" +
              std::to_string(FD_SETSIZE) +
              "); too many files are open: lower MAX_CONNECTIONS");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    auto* c = new Conn(fd);
    FCGX_InitRequest(&c->req, -1, 0);  // -1: libfcgi never accepts
    c->req.ipcFd = fd;
    {
      std::lock_guard<std::mutex> lock(conns_mu_);
      conns_.insert(c);
    }
    if (!Arm(c, EPOLL_CTL_ADD)) Release(c);
  }
  accepting_done_ = true;
}

bool Server::Arm(Conn* c, int op) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = c;
  if (epoll_ctl(epoll_fd_, op, c->req.ipcFd, &ev) == 0) return true;
  Log(LogLevel::kError, std::string("epoll_ctl: ") + strerror(errno));
  return false;
}

void Server::Release(Conn* c) {
  {
    std::lock_guard<std::mutex> lock(conns_mu_);
    conns_.erase(c);
  }
  conns_cv_.notify_one();
  Discard(c);
}

void Server::Discard(Conn* c) {
  // Close directly: libfcgi's close would linger for the peer to close
  // first. Any response is already flushed, so nothing is lost. ipcFd is
  // -1 if libfcgi closed it already (a failed FCGX_Accept_r).
  if (c->req.ipcFd >= 0) close(c->req.ipcFd);
  c->req.ipcFd = -1;
  FCGX_Free(&c->req, 0);
  delete c;
}

void Server::Run(Worker* w) {
  // The wake signal is the acceptor's alone.
  SetSignalMask(SIG_BLOCK);
  current_server = this;
  current_shard = w->index;
  w->peek.reserve(kPeekBytes);
  for (;;) {
    // One event per wait: a thread never holds a ready connection while it
    // serves another (see fcgi_server.h).
    epoll_event ready;
    int n = epoll_wait(epoll_fd_, &ready, 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      Log(LogLevel::kError, std::string("epoll_wait: ") + strerror(errno));
      return;
    }
    if (n == 0) continue;
    if (ready.data.ptr == nullptr) return;  // the stop eventfd
    if (ready.data.ptr == &done_fd_) {
      SendCompleted();
      continue;
    }
    Conn* c = static_cast<Conn*>(ready.data.ptr);
    // Stopping: no new request (the event is the connection's next one,
    // or its end), but one that had begun arriving is answered.
    if ((stopping_ && c->read_due == 0) || (ready.events & EPOLLIN) == 0) {
      Release(c);
      continue;
    }
    Take(w, c, ready.events);
  }
}

void Server::Take(Worker* w, Conn* c, std::uint32_t events) {
  switch (Look(c->req.ipcFd, events, &w->peek)) {
    case Arrival::kClosed:
      // nginx closed a connection its keepalive cache had no room for, or
      // a client went away mid-request.
      Release(c);
      return;
    case Arrival::kTooLarge:
      Log(LogLevel::kError, "a request's params are over " +
                                std::to_string(kPeekBytes >> 10) +
                                " KiB; connection closed");
      Release(c);
      return;
    case Arrival::kPartial:
      if (c->read_due == 0)
        c->read_due = Now() + NanosFrom(options_.read_timeout);
      Park(c);
      return;
    case Arrival::kWhole:
      break;
  }
  if (c->read_due == 0) c->read_due = Now() + NanosFrom(options_.read_timeout);
  // libfcgi first "finishes" the previous request (already freed: nothing
  // to do unless keepConnection is 0) and then reads this one, whose
  // params are all here, so it does not block. If the read fails it closes
  // the fd: detached, without lingering. The watchdog leaves fd alone
  // meanwhile (no deadline is set).
  c->req.keepConnection = 1;
  FCGX_Detach(&c->req);
  if (FCGX_Accept_r(&c->req) != 0) {
    Release(c);
    return;
  }
  Serve(w, c);
}

void Server::Park(Conn* c) {
  // Under conns_mu_, so that DropExpired never sees c half parked (marked
  // but not yet in park_fd_, or still being added by this thread).
  std::unique_lock<std::mutex> lock(conns_mu_);
  c->sending.store(false);
  c->deadline.store(c->read_due);
  c->parked.store(true);
  parked_.fetch_add(1);
  // Edge-triggered: an event each time more bytes come, not while what is
  // there stays unfinished. From here on c is the watchdog's.
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = c;
  if (epoll_ctl(park_fd_, EPOLL_CTL_ADD, c->req.ipcFd, &ev) == 0) return;
  Log(LogLevel::kError, std::string("epoll_ctl park: ") + strerror(errno));
  c->parked.store(false);
  c->deadline.store(0);
  parked_.fetch_sub(1);
  lock.unlock();
  Release(c);
}

void Server::Watch() {
  SetSignalMask(SIG_BLOCK);
  std::vector<char> peek;
  peek.reserve(kPeekBytes);
  epoll_event ready[64];
  while (!watch_stop_) {
    int n = epoll_wait(park_fd_, ready, 64, kSweepMs);
    if (n < 0 && errno != EINTR) {
      Log(LogLevel::kError, std::string("epoll_wait: ") + strerror(errno));
      return;
    }
    for (int i = 0; i < n; ++i) {
      Conn* c = static_cast<Conn*>(ready[i].data.ptr);
      Arrival a = Look(c->req.ipcFd, ready[i].events, &peek);
      if (a == Arrival::kPartial) continue;  // wait for more
      epoll_ctl(park_fd_, EPOLL_CTL_DEL, c->req.ipcFd, nullptr);
      c->parked.store(false);
      c->deadline.store(0);
      // Whole: back to the request threads, who answer it even while
      // stopping (Stop waits for parked_ to reach 0 before it stops them).
      if (a != Arrival::kWhole || !Arm(c, EPOLL_CTL_MOD)) Release(c);
      parked_.fetch_sub(1);
    }
    DropExpired();
  }
}

void Server::DropExpired() {
  const std::int64_t now = Now();
  std::vector<Conn*> expired;  // parked ones, which are ours to close
  std::uint64_t reads = 0, sends = 0;
  {
    std::lock_guard<std::mutex> lock(conns_mu_);
    for (Conn* c : conns_) {
      std::int64_t due = c->deadline.load();
      if (due == 0 || now < due) continue;
      if (c->parked.load()) {
        expired.push_back(c);
        continue;
      }
      // A request thread is blocked reading or writing c (or about to
      // clear the deadline). fd is open while we hold conns_mu_ (only
      // Release closes it, under this lock), and shutdown(2) ends the read
      // or write at once; the thread then releases c.
      if (!c->deadline.compare_exchange_strong(due, 0)) continue;
      (c->sending.load() ? sends : reads) += 1;
      shutdown(c->fd, SHUT_RDWR);
    }
  }
  for (Conn* c : expired) {
    epoll_ctl(park_fd_, EPOLL_CTL_DEL, c->req.ipcFd, nullptr);
    ++reads;
    Release(c);
    parked_.fetch_sub(1);
  }
  if (reads > 0)
    Log(LogLevel::kInfo,
        std::to_string(reads) +
            " requests not whole within REQUEST_READ_TIMEOUT_MS; closed");
  if (sends > 0)
    Log(LogLevel::kInfo,
        std::to_string(sends) +
            " responses not sent within RESPONSE_SEND_TIMEOUT_MS; closed");
  if (metrics_ != nullptr) {
    for (; reads > 0; --reads) metrics_->CountDropped(Metrics::Drop::kRead);
    for (; sends > 0; --sends) metrics_->CountDropped(Metrics::Drop::kSend);
  }
}

void Server::QueueCompleted(Conn* c) noexcept {
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    try {
      completed_.push_back(c);
      queued = true;
    } catch (...) {
    }
    if (queued && completed_.size() == 1) {
      std::uint64_t one = 1;
      if (write(done_fd_, &one, sizeof one) < 0)
        Log(LogLevel::kError,
            std::string("done eventfd: ") + strerror(errno));
    }
  }
  done_cv_.notify_one();
  if (!queued) {
    // No memory for the queue: answer it here rather than lose it.
    Log(LogLevel::kError, "completion queue: out of memory");
    Complete(c, true);
  }
}

void Server::SendCompleted() {
  for (;;) {
    Conn* c;
    {
      std::lock_guard<std::mutex> lock(done_mu_);
      if (completed_.empty()) return;
      c = completed_.front();
      completed_.pop_front();
      // The eventfd stays readable while anything is queued, so idle
      // threads wake and share the queue while this one writes.
      if (completed_.empty()) {
        std::uint64_t count;
        if (read(done_fd_, &count, sizeof count) < 0 && errno != EAGAIN)
          Log(LogLevel::kError,
              std::string("done eventfd: ") + strerror(errno));
      }
    }
    Complete(c, true);
  }
}

void Server::Serve(Worker* w, Conn* c) {
  const Services services{openapi_json_, metrics_, options_.max_string_bytes,
                          options_.batch_max_operations,
                          options_.idempotency_ttl_seconds,
                          options_.max_examined};
  FCGX_Request& req = c->req;
  c->start = std::chrono::steady_clock::now();
  Request& r = c->request;
  Response& resp = c->response;
  r = Request();
  resp.Clear();
  unfinished_.fetch_add(1, std::memory_order_relaxed);
  // The body may still be arriving (one past kPeekBytes): the watchdog
  // ends the read at the request's deadline. Cleared before anything that
  // may close the fd.
  c->sending.store(false);
  c->deadline.store(c->read_due);
  try {
    r.method = Param(req, "REQUEST_METHOD");
    r.query = Param(req, "QUERY_STRING");
    r.content_type = Param(req, "CONTENT_TYPE");
    r.accept = Param(req, "HTTP_ACCEPT");
    r.if_match = Param(req, "HTTP_IF_MATCH");
    r.if_none_match = Param(req, "HTTP_IF_NONE_MATCH");
    r.idempotency_key = Param(req, "HTTP_IDEMPOTENCY_KEY");
    r.origin = Param(req, "HTTP_ORIGIN");
    r.access_control_request_method =
        Param(req, "HTTP_ACCESS_CONTROL_REQUEST_METHOD");
    r.last_event_id = Param(req, "HTTP_LAST_EVENT_ID");
    // nginx's DOCUMENT_URI is the path already decoded and normalised;
    // other servers may only give REQUEST_URI.
    bool bad = false;
    r.path = Param(req, "DOCUMENT_URI");
    if (r.path.empty()) {
      std::string_view uri = Param(req, "REQUEST_URI");
      uri = uri.substr(0, uri.find('?'));
      bad = !PercentDecode(uri, false, &c->path);
      r.path = c->path;
    }

    std::string_view cl = Param(req, "CONTENT_LENGTH");
    std::size_t length = 0;
    bool has_length = !cl.empty();
    if (has_length) {
      auto [end, ec] = std::from_chars(cl.data(), cl.data() + cl.size(),
                                       length);
      if (ec == std::errc::result_out_of_range) {
        length = SIZE_MAX;
      } else if (ec != std::errc() || end != cl.data() + cl.size()) {
        bad = true;
      }
    }
    // Keys are checked before the body is read: a client without one
    // learns so even if its body is too large, and its body is dropped.
    AuthDecision auth;
    auth.allowed = true;
    if (!bad && options_.api_keys != nullptr) {
      auth = Authorize(*options_.api_keys, Param(req, "HTTP_AUTHORIZATION"),
                       Param(req, "HTTP_X_API_KEY"), IsWriteMethod(r.method));
      r.key_label = auth.who;
      // Exempt paths are answered anyway, with less to say (health.h);
      // so are CORS preflights, which browsers send without a key (their
      // answer holds no data: cors.h).
      if (!auth.allowed &&
          (AuthExempt(r.path) ||
           (options_.cors != nullptr &&
            options_.cors->IsAllowedPreflight(
                r.method, r.origin, r.access_control_request_method)))) {
        auth.allowed = true;
        r.keyless = true;
      }
    }
    // A bulk load has a limit of its own; the route is only looked up
    // for a body that could need it.
    std::size_t limit = options_.max_body_bytes;
    if (!bad && (!has_length || length > limit) && r.method == "POST" &&
        options_.bulk_max_body_bytes > limit &&
        MatchRoute(env_.schema(), r.method, r.path).route.kind ==
            RouteKind::kBulk)
      limit = options_.bulk_max_body_bytes;
    const char* limit_name = limit == options_.max_body_bytes
                                 ? "MAX_BODY_BYTES"
                                 : "BULK_MAX_BODY_BYTES";
    c->body.clear();
    if (bad) {
      SetProblem(ProblemFor(HttpError::kBadRequest),
                 "malformed CONTENT_LENGTH or REQUEST_URI", "", &resp);
      if (!Drain(req.in)) req.keepConnection = 0;
    } else if (!auth.allowed) {
      SetProblem(auth.problem, auth.detail, "", &resp);
      resp.www_authenticate = auth.www_authenticate;
      if (!Drain(req.in)) req.keepConnection = 0;
    } else if (has_length && length > limit) {
      SetProblem(ProblemFor(HttpError::kBodyTooLarge),
                 "the body is " + std::string(cl) + " bytes; at most " +
                     std::to_string(limit) + " are accepted (" + limit_name +
                     ")",
                 "", &resp);
      if (!Drain(req.in)) req.keepConnection = 0;
    } else {
      // Without a length, read to the end of FCGI_STDIN, one byte past
      // the limit to tell "at" from "over".
      std::size_t want = has_length ? length : limit + 1;
      bool complete = ReadBody(req.in, want, &c->body);
      if (!has_length && c->body.size() > limit) {
        SetProblem(ProblemFor(HttpError::kBodyTooLarge),
                   "the body is over " + std::to_string(limit) + " bytes (" +
                       limit_name + ")",
                   "", &resp);
        if (!Drain(req.in)) req.keepConnection = 0;
      } else if (has_length && !complete) {
        SetProblem(ProblemFor(HttpError::kBadRequest),
                   "the body ended before CONTENT_LENGTH bytes", "",
                   &resp);
      } else {
        // Consume the end-of-stream record, so a kept connection is at
        // the next request's first record.
        if (!Drain(req.in)) req.keepConnection = 0;
        c->deadline.store(0);
        r.body = c->body;
        // Answered before the return, on this thread, or (a write) after
        // its commit: the committer's thread only queues it for a request
        // thread. From here on c is not ours.
        HandleRequestAsync(env_, r, &resp, &w->scratch, services, [this, c] {
          if (current_server == this) {
            Complete(c, true);
          } else {
            // A write, answered after its commit: streams have news.
            if (streams_ != nullptr) streams_->Notify();
            QueueCompleted(c);
          }
        });
        return;
      }
    }
  } catch (...) {
    Log(LogLevel::kError, "exception in the request loop");
    SetProblem(ProblemFor(HttpError::kInternal),
               "the server failed to answer; the error is logged", "",
               &resp);
  }
  c->deadline.store(0);
  Complete(c, false);
}

void Server::Complete(Conn* c, bool handled) noexcept {
  FCGX_Request& req = c->req;
  Request& r = c->request;
  Response& resp = c->response;

  // Counted before a byte of the response leaves, so that whoever has
  // the response can already see it in /api/metrics. Answers made here
  // without HandleRequest (400, 413) get their route label too.
  if (!handled && metrics_ != nullptr) {
    try {
      resp.route_template =
          MatchRoute(env_.schema(), r.method, r.path).template_index;
    } catch (...) {
      resp.route_template = -1;
    }
  }
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - c->start)
                          .count();
  // Into this thread's shard, which only this thread writes. A thread
  // that is none of ours (Stop's, answering the last writes) has the spare
  // shard, if the metrics have one, under a lock.
  bool ours = current_server == this;
  if (metrics_ != nullptr && resp.examined > 0)
    metrics_->CountExamined(static_cast<std::uint64_t>(resp.examined));
  if (metrics_ != nullptr && ours) {
    metrics_->Record(current_shard, resp.route_template, r.method,
                     resp.status, static_cast<std::uint64_t>(micros));
  } else if (metrics_ != nullptr && metrics_->shards() > options_.threads) {
    std::lock_guard<std::mutex> lock(spare_shard_mu_);
    metrics_->Record(options_.threads, resp.route_template, r.method,
                     resp.status, static_cast<std::uint64_t>(micros));
  }

  std::string& head = c->head;
  head.clear();
  head += "Status: ";
  head += std::to_string(resp.status);
  head += ' ';
  head += Reason(resp.status);
  head += "\r\n";
  if (!resp.content_type.empty())
    AppendHeader("Content-Type", resp.content_type, &head);
  // A change stream (not for HEAD, which gets the headers alone) goes to
  // the dispatcher, with no length: its body never ends.
  const bool streaming = resp.stream.has_value() && r.method != "HEAD" &&
                         streams_ != nullptr;
  // 204 and 304 have no content (RFC 9110 8.6, 15.4.5).
  if (resp.status != 204 && resp.status != 304 && !streaming)
    AppendHeader("Content-Length", std::to_string(resp.body.size()), &head);
  if (streaming) {
    AppendHeader("Cache-Control", "no-cache", &head);
    // nginx passes each event on at once (also set by the location).
    AppendHeader("X-Accel-Buffering", "no", &head);
  }
  if (!resp.location.empty()) AppendHeader("Location", resp.location, &head);
  if (!resp.etag.empty()) AppendHeader("ETag", resp.etag, &head);
  if (!resp.allow.empty()) AppendHeader("Allow", resp.allow, &head);
  if (!resp.www_authenticate.empty())
    AppendHeader("WWW-Authenticate", resp.www_authenticate, &head);
  if (!resp.query_plan.empty())
    AppendHeader("X-Query-Plan", resp.query_plan, &head);
  if (resp.idempotent_replayed)
    AppendHeader("Idempotent-Replayed", "true", &head);
  if (resp.examined >= 0)
    AppendHeader("X-Examined", std::to_string(resp.examined), &head);
  if (resp.vary_accept) AppendHeader("Vary", "Accept", &head);
  if (options_.cors != nullptr)
    AppendCorsHeaders(*options_.cors,
                      {r.method, r.origin, r.access_control_request_method},
                      resp.status, resp.allow, &head);
  head += "\r\n";
  // Logged before the response leaves, so a client holding it finds it.
  if (LogEnabled(LogLevel::kDebug))
    Log(LogLevel::kDebug, Printable(r.method) + " " + Printable(r.path) +
                              " " + std::to_string(resp.status) + " " +
                              std::to_string(micros) + "us" +
                              (r.key_label.empty()
                                   ? std::string()
                                   : " key=" + Printable(r.key_label)));
  if (streaming) {
    HandOff(c);
    return;
  }
  // Bounded by the send deadline: a peer that stops reading fills the
  // socket and blocks the write until the watchdog shuts it down.
  c->sending.store(true);
  c->deadline.store(Now() + NanosFrom(options_.send_timeout));
  // FCGX_Finish_r's work, but the close is ours (Release), never libfcgi's
  // lingering one: flush stderr (empty: nothing is written), send the
  // response and END_REQUEST in one writev (fcgi_response.h; libfcgi's
  // stdout stream would write(2) every 8 KiB, and is never used), note any
  // error, and free the request without closing.
  bool failed = FCGX_FClose(req.err) != 0;
  failed |= !WriteFcgiResponse(
      req.ipcFd, req.requestId, head,
      r.method == "HEAD" ? std::string_view() : std::string_view(resp.body));
  failed |= FCGX_GetError(req.in) != 0;
  c->deadline.store(0);
  const bool keep = req.keepConnection != 0 && !failed;

  // r's views point into req's params: drop them before they are freed.
  r = Request();
  FCGX_Free(&req, 0);
  c->read_due = 0;

  for (std::string* s : {&c->body, &c->path, &c->head, &resp.body})
    if (s->capacity() > kKeepCapacity) {
      s->clear();
      s->shrink_to_fit();
    }

  // Not kept (the web server said so, the body could not be drained, the
  // response could not be sent), or stopping: the connection ends here.
  if (!keep || stopping_ || !Arm(c, EPOLL_CTL_MOD)) Release(c);

  // Stop() waits on this count, and on done_cv_, for the last writes.
  if (unfinished_.fetch_sub(1) == 1 && stopping_) {
    std::lock_guard<std::mutex> lock(done_mu_);
    done_cv_.notify_all();
  }
}

// The connection leaves the server for the change stream dispatcher: out
// of the epoll set and the connection count (a stream is not a request
// thread's to answer, and must not keep the acceptor waiting), the request
// freed without closing its socket, which the dispatcher now owns.
void Server::HandOff(Conn* c) noexcept {
  FCGX_Request& req = c->req;
  FCGX_FClose(req.err);
  const int fd = req.ipcFd;
  const int request_id = req.requestId;
  ChangesRequest request = std::move(*c->response.stream);
  std::string head = std::move(c->head);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  {
    std::lock_guard<std::mutex> lock(conns_mu_);
    conns_.erase(c);
  }
  conns_cv_.notify_one();
  c->request = Request();
  FCGX_Free(&req, 0);
  req.ipcFd = -1;
  delete c;
  streams_->Add(fd, request_id, std::move(head), request);
  if (unfinished_.fetch_sub(1) == 1 && stopping_) {
    std::lock_guard<std::mutex> lock(done_mu_);
    done_cv_.notify_all();
  }
}

}  // namespace lmdbapi::http
