// SPDX-License-Identifier: Apache-2.0
// src/http/change_stream.cc - see change_stream.h.

#include "http/change_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "http/changes_json.h"
#include "http/fcgi_response.h"
#include "http/log.h"

namespace lmdbapi::http {
namespace {

// Changes read per feed read; a client reads again while below low water.
constexpr std::size_t kReadBatch = 100;

using Clock = std::chrono::steady_clock;

void Signal(int fd) {
  std::uint64_t one = 1;
  if (fd >= 0 && write(fd, &one, sizeof one) < 0 && errno != EAGAIN)
    Log(LogLevel::kError, std::string("stream eventfd: ") + strerror(errno));
}

void Drain(int fd) {
  std::uint64_t n;
  while (read(fd, &n, sizeof n) > 0) {
  }
}

}  // namespace

struct ChangeStreams::Client {
  int fd = -1;
  int request_id = 0;
  ChangesRequest request;  // .after: the last seq read into `out`
  std::string out;         // FastCGI records not yet sent
  std::size_t sent = 0;    // bytes of `out` already sent
  bool writing = false;    // EPOLLOUT is armed
  bool gone = false;       // peer closed or failed: drop at the end
  Clock::time_point last_progress;  // a send moved, or nothing pending
  Clock::time_point last_event;     // an event or heartbeat was queued

  std::size_t pending() const { return out.size() - sent; }
};

// Each client's events as FastCGI STDOUT records, straight into its buffer.
class EventSink : public ChangeSink {
 public:
  EventSink(int request_id, std::string* out)
      : request_id_(request_id), out_(out) {}
  Status Add(const Change& c) override {
    event_.clear();
    Status s = AppendChangeEvent(c, &event_);
    if (!s.ok()) return s;
    AppendFcgiStdout(request_id_, event_, out_);
    return Status();
  }

 private:
  int request_id_;
  std::string* out_;
  std::string event_;
};

ChangeStreams::ChangeStreams(Env& env, const StreamOptions& options,
                             Metrics* metrics)
    : env_(env), options_(options), metrics_(metrics) {}

ChangeStreams::~ChangeStreams() { Stop(); }

Status ChangeStreams::Start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  control_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event wake{}, control{};
  wake.events = control.events = EPOLLIN;
  wake.data.ptr = &wake_fd_;
  control.data.ptr = &control_fd_;
  if (epoll_fd_ < 0 || wake_fd_ < 0 || control_fd_ < 0 ||
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0 ||
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, control_fd_, &control) != 0) {
    Status s = Status::IOError(std::string("stream epoll: ") + strerror(errno));
    for (int* fd : {&epoll_fd_, &wake_fd_, &control_fd_})
      if (*fd >= 0) close(*fd), *fd = -1;
    return s;
  }
  stopping_ = false;
  try {
    thread_ = std::thread([this] { Loop(); });
  } catch (const std::system_error& e) {
    return Status::IOError(std::string("cannot start a thread: ") + e.what());
  }
  std::lock_guard<std::mutex> lock(mu_);
  running_ = true;
  return Status();
}

void ChangeStreams::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
  }
  stopping_ = true;
  Signal(control_fd_);
  if (thread_.joinable()) thread_.join();
  for (auto& c : incoming_) close(c->fd);
  incoming_.clear();
  for (int* fd : {&epoll_fd_, &wake_fd_, &control_fd_})
    if (*fd >= 0) close(*fd), *fd = -1;
}

void ChangeStreams::Add(int fd, int request_id, std::string head,
                        const ChangesRequest& request) noexcept {
  try {
    auto c = std::make_unique<Client>();
    c->fd = fd;
    c->request_id = request_id;
    c->request = request;
    AppendFcgiStdout(request_id, head, &c->out);
    // Sent at once, so the client sees the stream open before any change.
    AppendFcgiStdout(request_id, ": stream after " +
                                     std::to_string(request.after) + "\n\n",
                     &c->out);
    std::lock_guard<std::mutex> lock(mu_);
    if (running_) {
      incoming_.push_back(std::move(c));
      Signal(control_fd_);
      return;
    }
  } catch (...) {
    Log(LogLevel::kError, "change stream: out of memory for a client");
  }
  close(fd);
}

void ChangeStreams::Notify() noexcept {
  // One eventfd write until the dispatcher has looked: a burst of commits
  // costs the committer an atomic exchange each.
  if (!notified_.exchange(true)) Signal(wake_fd_);
}

void ChangeStreams::Watch(Client* c, bool want_write) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u);
  ev.data.ptr = c;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev) != 0) c->gone = true;
  c->writing = want_write;
}

void ChangeStreams::Adopt() {
  std::vector<std::unique_ptr<Client>> fresh;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fresh.swap(incoming_);
  }
  for (auto& c : fresh) {
    int flags = fcntl(c->fd, F_GETFL);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = c.get();
    if (flags < 0 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
      close(c->fd);
      continue;
    }
    c->last_progress = c->last_event = Clock::now();
    clients_.fetch_add(1);
    if (metrics_ != nullptr) metrics_->CountStreams(1);
    live_.push_back(std::move(c));
    Fill(live_.back().get());
    if (!Flush(live_.back().get())) live_.back()->gone = true;
  }
}

void ChangeStreams::Fill(Client* c) {
  while (!c->gone && c->pending() < options_.max_buffer / 2) {
    if (c->sent > 0) {  // keep the buffer from growing at its front
      c->out.erase(0, c->sent);
      c->sent = 0;
    }
    EventSink sink(c->request_id, &c->out);
    ChangesRequest r = c->request;
    r.limit = kReadBatch;
    Result<ChangesPage> page = ReadChanges(env_, r, sink);
    if (!page.ok()) {
      // Trimmed past this client's position (it fell that far behind), or
      // the feed cannot be read: end the stream; a resume gets the 410 or
      // the error as a problem.
      Log(LogLevel::kInfo, "change stream ended after " +
                               std::to_string(c->request.after) + ": " +
                               page.status().message());
      c->gone = true;
      return;
    }
    if (page->count > 0) c->last_event = Clock::now();
    bool more = page->next > c->request.after &&
                page->next < page->bounds.newest;
    c->request.after = page->next;
    if (!more) return;
  }
}

bool ChangeStreams::Flush(Client* c) {
  while (c->pending() > 0) {
    ssize_t n = send(c->fd, c->out.data() + c->sent, c->pending(),
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    c->sent += static_cast<std::size_t>(n);
    c->last_progress = Clock::now();
  }
  if (c->pending() == 0) {
    c->out.clear();
    c->sent = 0;
    c->last_progress = Clock::now();
  }
  bool want_write = c->pending() > 0;
  if (want_write != c->writing) Watch(c, want_write);
  return true;
}

void ChangeStreams::Drop(Client* c, bool stalled) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  c->fd = -1;
  clients_.fetch_sub(1);
  if (metrics_ != nullptr) metrics_->CountStreams(-1);
  if (stalled) {
    dropped_.fetch_add(1);
    if (metrics_ != nullptr) metrics_->CountDropped(Metrics::Drop::kStream);
  }
}

void ChangeStreams::Loop() {
  const auto tick = std::clamp(options_.heartbeat / 2,
                               std::chrono::milliseconds(20),
                               std::chrono::milliseconds(1000));
  auto next_tick = Clock::now() + tick;
  epoll_event ready[64];
  while (!stopping_) {
    int wait_ms = static_cast<int>(
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                      next_tick - Clock::now())
                                      .count()));
    int n = epoll_wait(epoll_fd_, ready, 64, wait_ms);
    if (n < 0 && errno != EINTR) {
      Log(LogLevel::kError, std::string("stream epoll_wait: ") + strerror(errno));
      break;
    }
    bool read_feed = false;
    for (int i = 0; i < n; ++i) {
      void* p = ready[i].data.ptr;
      if (p == &wake_fd_) {
        Drain(wake_fd_);
        notified_.store(false);
        read_feed = true;
      } else if (p == &control_fd_) {
        Drain(control_fd_);
        if (!stopping_) Adopt();
      } else {
        Client* c = static_cast<Client*>(p);
        std::uint32_t ev = ready[i].events;
        if (ev & EPOLLIN) {  // nothing is expected: read and forget
          char sink[512];
          ssize_t got;
          while ((got = recv(c->fd, sink, sizeof sink, MSG_DONTWAIT)) > 0) {
          }
          if (got == 0) c->gone = true;
        }
        if (ev & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) c->gone = true;
        if (!c->gone && (ev & EPOLLOUT) && !Flush(c)) c->gone = true;
        if (!c->gone && c->pending() < options_.max_buffer / 2) {
          Fill(c);
          if (!Flush(c)) c->gone = true;
        }
      }
    }
    const auto now = Clock::now();
    const bool ticked = now >= next_tick;
    if (ticked) {
      next_tick = now + tick;
      read_feed = true;  // other processes' commits, and heartbeats
    }
    for (auto& c : live_) {
      if (c->gone) continue;
      if (read_feed) Fill(c.get());
      if (ticked && c->pending() == 0 && now - c->last_event >= options_.heartbeat) {
        AppendFcgiStdout(c->request_id, ": heartbeat\n\n", &c->out);
        c->last_event = now;
      }
      if (!c->gone && !Flush(c.get())) c->gone = true;
      if (!c->gone && c->pending() > 0 &&
          now - c->last_progress > options_.stall_timeout) {
        Log(LogLevel::kInfo, "change stream client stalled after " +
                                 std::to_string(c->request.after) +
                                 "; dropped (it resumes with Last-Event-ID)");
        Drop(c.get(), true);
        c->gone = true;
      }
    }
    for (auto& c : live_)
      if (c->gone && c->fd >= 0) Drop(c.get(), false);
    live_.erase(std::remove_if(live_.begin(), live_.end(),
                               [](const std::unique_ptr<Client>& c) {
                                 return c->fd < 0;
                               }),
                live_.end());
  }
  // Stopping: end each response properly, as far as the socket takes it
  // without waiting, then close.
  for (auto& c : live_) {
    AppendFcgiEnd(c->request_id, &c->out);
    Flush(c.get());
    Drop(c.get(), false);
  }
  live_.clear();
}

}  // namespace lmdbapi::http
