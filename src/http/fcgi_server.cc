// src/http/fcgi_server.cc - see fcgi_server.h.

#include "http/fcgi_server.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include <fcgiapp.h>

#include "http/handlers.h"
#include "http/log.h"
#include "http/query.h"
#include "http/router.h"

namespace lmdbapi::http {
namespace {

// Most ready connections one request thread takes per epoll_wait.
constexpr int kReadyPerWait = 8;
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
// is one. Writes are answered on the group committer's thread, which is
// not, and records into the spare shard (see Complete).
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

// For log lines: clipped, control characters replaced.
std::string Printable(std::string_view s) {
  std::string out(s.substr(0, 200));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

void SetSignalMask(int how) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, kWakeSignal);
  pthread_sigmask(how, &set, nullptr);
}

// Reads up to `limit` bytes of the request body into *body; returns false
// if the stream ended early or failed.
bool ReadBody(FCGX_Stream* in, std::size_t length, std::string* body) {
  // Grow as bytes arrive rather than to `length` up front: for a request
  // without CONTENT_LENGTH, `length` is the whole limit, and zero-filling a
  // megabyte per GET was most of a small request's CPU time.
  constexpr std::size_t kStep = 16384;
  body->clear();
  std::size_t got = 0;
  while (got < length) {
    std::size_t chunk = std::min(length - got, kStep);
    body->resize(got + chunk);
    int n = FCGX_GetStr(body->data() + got, static_cast<int>(chunk), in);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
    // FCGX_GetStr returns short only at the end of the stream.
    if (static_cast<std::size_t>(n) < chunk) break;
  }
  body->resize(got);
  return got == length;
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

}  // namespace

// One connection from the web server, kept between its requests. A thread
// owns it from the epoll event that reports a request until Complete
// re-arms it, and a write's Complete runs on the committer's thread. So the
// request's buffers live here, not with a thread, and are reused from one
// request on the connection to the next.
struct Server::Conn {
  FCGX_Request req;
  std::string body, path, head;
  Request request;
  Response response;
  std::chrono::steady_clock::time_point start;
};

struct Server::Worker {
  unsigned index = 0;  // also the metrics shard
  std::thread thread;
  Scratch scratch;  // only used until HandleRequestAsync returns
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
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // Level-triggered and never read: once Stop() writes it, every thread's
  // epoll_wait reports it, one after another.
  epoll_event stop{};
  stop.events = EPOLLIN;
  stop.data.ptr = nullptr;
  if (epoll_fd_ < 0 || stop_fd_ < 0 ||
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &stop) != 0) {
    Status s = Status::IOError(std::string("epoll: ") + strerror(errno));
    CloseEpoll();
    return s;
  }
  listen_fd_ = listen_fd;
  stopping_ = false;
  accepting_done_ = false;
  try {
    acceptor_ = std::thread([this] { Accept(); });
  } catch (const std::system_error& e) {
    CloseEpoll();
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
  // The request threads wait in epoll_wait, which the stop eventfd wakes.
  std::uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0)
    Log(LogLevel::kError, std::string("stop eventfd: ") + strerror(errno));
  // The acceptor waits in accept(2), where only a signal reaches it (not
  // shutdown(2) on the listener: see fcgi_server.h). It may check
  // stopping_ just before the signal and block just after it, so keep
  // signalling until it is out.
  while (!accepting_done_) {
    pthread_kill(acceptor_.native_handle(), kWakeSignal);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  acceptor_.join();
  for (auto& w : workers_) w->thread.join();
  workers_.clear();
  // Writes handed to the group committer may still be unanswered: its
  // thread answers them after their commit.
  {
    std::unique_lock<std::mutex> lock(unfinished_mu_);
    unfinished_cv_.wait(lock, [this] { return unfinished_ == 0; });
  }
  // Idle kept connections: nobody owns them now.
  for (Conn* c : conns_) Discard(c);
  conns_.clear();
  CloseEpoll();
}

void Server::CloseEpoll() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  epoll_fd_ = stop_fd_ = -1;
}

// accept(2) is the acceptor's wait, with the wake signal let through
// around it only. Each new connection joins the epoll set, armed for one
// event (EPOLLONESHOT): the thread that takes the event owns the
// connection until it re-arms it.
void Server::Accept() {
  SetSignalMask(SIG_BLOCK);
  while (!stopping_) {
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
    auto* c = new Conn;
    FCGX_InitRequest(&c->req, -1, 0);  // -1: libfcgi never accepts
    c->req.ipcFd = fd;
    // FCGX_Accept_r first finishes the previous request and closes its
    // connection unless that was kept: this one must stay.
    c->req.keepConnection = 1;
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
  ev.events = EPOLLIN | EPOLLONESHOT;
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
  Discard(c);
}

void Server::Discard(Conn* c) {
  // Close directly: FCGX_Free(&req, 1) would linger up to 2 s for the peer
  // to close first. Any response is already flushed, so nothing is lost.
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
  bool stop = false;
  while (!stop) {
    // Several ready connections per wake-up when they are there: under
    // load a thread then serves them one after another instead of each
    // costing a sleeping thread's wake-up (the largest cost the worker
    // adds to a GET; perf: finish_task_switch).
    epoll_event ready[kReadyPerWait];
    int n = epoll_wait(epoll_fd_, ready, kReadyPerWait, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      Log(LogLevel::kError, std::string("epoll_wait: ") + strerror(errno));
      return;
    }
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.ptr == nullptr) {  // the stop eventfd
        stop = true;
        continue;  // the connections already taken are still answered
      }
      Conn* c = static_cast<Conn*>(ready[i].data.ptr);
      // A request, or the end of the connection (nginx closed a connection
      // its keepalive cache had no room for): libfcgi then closes it and,
      // having no listener to accept on, returns -EBADF.
      if ((ready[i].events & EPOLLIN) == 0 || FCGX_Accept_r(&c->req) != 0) {
        Release(c);
        continue;
      }
      // Answered, or a write handed to the group committer: either way
      // Complete re-arms or releases c, maybe on another thread.
      Serve(w, c);
    }
  }
}

void Server::Serve(Worker* w, Conn* c) {
  const Services services{openapi_json_, metrics_};
  FCGX_Request& req = c->req;
  c->start = std::chrono::steady_clock::now();
  Request& r = c->request;
  Response& resp = c->response;
  r = Request();
  resp.Clear();
  unfinished_.fetch_add(1, std::memory_order_relaxed);
  try {
    r.method = Param(req, "REQUEST_METHOD");
    r.query = Param(req, "QUERY_STRING");
    r.content_type = Param(req, "CONTENT_TYPE");
    r.if_match = Param(req, "HTTP_IF_MATCH");
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
    if (!bad && options_.api_keys != nullptr && !AuthExempt(r.path))
      auth = Authorize(*options_.api_keys, Param(req, "HTTP_AUTHORIZATION"),
                       Param(req, "HTTP_X_API_KEY"), IsWriteMethod(r.method));
    c->body.clear();
    if (bad) {
      SetProblem(ProblemFor(HttpError::kBadRequest),
                 "malformed CONTENT_LENGTH or REQUEST_URI", "", &resp);
      if (!Drain(req.in)) req.keepConnection = 0;
    } else if (!auth.allowed) {
      SetProblem(auth.problem, auth.detail, "", &resp);
      resp.www_authenticate = auth.www_authenticate;
      if (!Drain(req.in)) req.keepConnection = 0;
    } else if (has_length && length > options_.max_body_bytes) {
      SetProblem(ProblemFor(HttpError::kBodyTooLarge),
                 "the body is " + std::string(cl) +
                     " bytes; at most " +
                     std::to_string(options_.max_body_bytes) +
                     " are accepted (MAX_BODY_BYTES)",
                 "", &resp);
      if (!Drain(req.in)) req.keepConnection = 0;
    } else {
      // Without a length, read to the end of FCGI_STDIN, one byte past
      // the limit to tell "at" from "over".
      std::size_t want = has_length ? length : options_.max_body_bytes + 1;
      bool complete = ReadBody(req.in, want, &c->body);
      if (!has_length && c->body.size() > options_.max_body_bytes) {
        SetProblem(ProblemFor(HttpError::kBodyTooLarge),
                   "the body is over " +
                       std::to_string(options_.max_body_bytes) +
                       " bytes (MAX_BODY_BYTES)",
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
        r.body = c->body;
        // Answered before the return, or (a write) later on the group
        // committer's thread: from here on c is not ours.
        HandleRequestAsync(env_, r, &resp, &w->scratch, services,
                           [this, c] { Complete(c, true); });
        return;
      }
    }
  } catch (...) {
    Log(LogLevel::kError, "exception in the request loop");
    SetProblem(ProblemFor(HttpError::kInternal),
               "the server failed to answer; the error is logged", "",
               &resp);
  }
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
  // that is none of ours (the group committer's, answering a write) has
  // the spare shard, if the metrics have one, under a lock.
  bool ours = current_server == this;
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
  if (resp.status != 204)
    AppendHeader("Content-Length", std::to_string(resp.body.size()), &head);
  if (!resp.location.empty()) AppendHeader("Location", resp.location, &head);
  if (!resp.etag.empty()) AppendHeader("ETag", resp.etag, &head);
  if (!resp.allow.empty()) AppendHeader("Allow", resp.allow, &head);
  if (!resp.www_authenticate.empty())
    AppendHeader("WWW-Authenticate", resp.www_authenticate, &head);
  if (!resp.query_plan.empty())
    AppendHeader("X-Query-Plan", resp.query_plan, &head);
  head += "\r\n";
  FCGX_PutStr(head.data(), static_cast<int>(head.size()), req.out);
  if (r.method != "HEAD" && !resp.body.empty())
    FCGX_PutStr(resp.body.data(), static_cast<int>(resp.body.size()),
                req.out);

  if (LogEnabled(LogLevel::kDebug))
    Log(LogLevel::kDebug, Printable(r.method) + " " + Printable(r.path) +
                              " " + std::to_string(resp.status) + " " +
                              std::to_string(micros) + "us");
  // r's views point into req's params: drop them before Finish frees them.
  r = Request();
  FCGX_Finish_r(&req);

  for (std::string* s : {&c->body, &c->path, &c->head, &resp.body})
    if (s->capacity() > kKeepCapacity) {
      s->clear();
      s->shrink_to_fit();
    }

  // Not kept (the web server said so, or the body could not be drained),
  // or stopping: the connection ends here.
  if (c->req.ipcFd < 0 || stopping_ || !Arm(c, EPOLL_CTL_MOD)) Release(c);

  // Last: Stop() joins our own threads, but waits on this count for any
  // other, which must not touch the Server once it is zero.
  if (ours) {
    unfinished_.fetch_sub(1, std::memory_order_relaxed);
  } else {
    std::lock_guard<std::mutex> lock(unfinished_mu_);
    if (unfinished_.fetch_sub(1, std::memory_order_relaxed) == 1)
      unfinished_cv_.notify_all();
  }
}

}  // namespace lmdbapi::http
