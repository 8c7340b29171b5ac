// SPDX-License-Identifier: Apache-2.0
// tests/e2e/http_client.cc - see http_client.h.

#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>

#include <curl/curl.h>

namespace lmdbapi::e2e {
namespace {

std::atomic<ResponseObserver> g_observer{nullptr};

void Observed(std::string_view method, std::string_view path,
              const Response& r) {
  if (ResponseObserver o = g_observer.load()) o(method, path, r);
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' ||
                        s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return std::string(s);
}

// One header line ("Name: value\r\n") or a status line, which starts a new
// response (after a 100 Continue) and so clears what came before.
void AddHeaderLine(std::string_view line, Response* r) {
  if (line.substr(0, 5) == "HTTP/") {
    r->headers.clear();
    return;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return;
  std::string name = Trim(line.substr(0, colon));
  std::string value = Trim(line.substr(colon + 1));
  auto it = r->headers.find(name);
  if (it == r->headers.end())
    r->headers.emplace(std::move(name), std::move(value));
  else
    it->second += ", " + value;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<Response*>(user)->body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  AddHeaderLine(std::string_view(data, size * n), static_cast<Response*>(user));
  return size * n;
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a,
                                     std::string_view b) const {
  const std::size_t n = std::min(a.size(), b.size());
  int c = strncasecmp(a.data(), b.data(), n);
  return c != 0 ? c < 0 : a.size() < b.size();
}

std::string Response::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string Response::Describe() const {
  std::string out = request + " -> ";
  if (status == 0) return out + "no response (" + error + ")";
  out += std::to_string(status);
  std::string ct = Header("Content-Type");
  if (!ct.empty()) out += " [" + ct + "]";
  std::string shown = body.substr(0, 400);
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  out += " " + shown;
  if (body.size() > 400) out += "...(" + std::to_string(body.size()) + " bytes)";
  return out;
}

HttpClient::HttpClient(int port, long timeout_ms)
    : curl_(nullptr), port_(port), timeout_ms_(timeout_ms) {
  GlobalInitOnce();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Response HttpClient::Request(std::string_view method, std::string_view path,
                             std::string_view body, const Headers& headers) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);  // keeps the connection cache
  Response r;
  r.request = std::string(method) + " " + std::string(path.substr(0, 200));
  const std::string url =
      "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms_);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  if (!accept_encoding_.empty())
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, accept_encoding_.c_str());

  const std::string m(method);
  if (m == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (m == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m.c_str());
  }
  if (!body.empty() || m == "POST" || m == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
  }

  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    if (strcasecmp(name.c_str(), "Content-Type") == 0) has_content_type = true;
    // "Name:" makes curl leave out a header it would add.
    std::string line = value.empty() ? name + ":" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  if (!has_content_type && (!body.empty() || m == "POST" || m == "PUT"))
    list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);

  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    r.error = curl_easy_strerror(rc);
    // A response may have arrived even so (e.g. 413 while we still sent).
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    r.status = status;
    Observed(method, path, r);
    return r;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  Observed(method, path, r);
  return r;
}

void SetResponseObserver(ResponseObserver observer) { g_observer = observer; }

Response RawRequest(int port, std::string_view request, int timeout_ms) {
  Response r;
  r.request = "raw " + std::string(request.substr(0, std::min<std::size_t>(
                                                         request.find('\r'), 120)));
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    r.error = std::string("socket: ") + std::strerror(errno);
    return r;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    r.error = std::string("connect: ") + std::strerror(errno);
    close(fd);
    return r;
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto remaining_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long>(0, left.count()));
  };
  // Send and read together: the server may answer (413, 414) and close
  // before it has read everything.
  std::size_t sent = 0;
  std::string in;
  for (;;) {
    pollfd p{fd, static_cast<short>(POLLIN | (sent < request.size() ? POLLOUT : 0)), 0};
    int left = remaining_ms();
    if (left == 0) {
      r.error = "timeout";
      break;
    }
    if (poll(&p, 1, left) <= 0) continue;
    if (p.revents & POLLIN) {
      char buf[65536];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
    } else if (p.revents & POLLOUT) {
      ssize_t n = send(fd, request.data() + sent, request.size() - sent,
                       MSG_NOSIGNAL);
      if (n < 0) {
        sent = request.size();  // peer closed; read what it said
        continue;
      }
      sent += static_cast<std::size_t>(n);
    } else if (p.revents & (POLLERR | POLLHUP)) {
      break;
    }
  }
  close(fd);
  // "HTTP/1.1 404 Not Found\r\n" headers "\r\n\r\n" body
  std::size_t head_end = in.find("\r\n\r\n");
  if (in.compare(0, 5, "HTTP/") != 0 || head_end == std::string::npos) {
    if (r.error.empty()) r.error = "no HTTP response (" + std::to_string(in.size()) + " bytes)";
    return r;
  }
  std::size_t sp = in.find(' ');
  r.status = std::strtol(in.c_str() + sp + 1, nullptr, 10);
  std::size_t line_start = in.find("\r\n") + 2;
  while (line_start < head_end) {
    std::size_t line_end = in.find("\r\n", line_start);
    AddHeaderLine(std::string_view(in).substr(line_start, line_end - line_start), &r);
    line_start = line_end + 2;
  }
  r.body = in.substr(head_end + 4);
  return r;
}

std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

rapidjson::Document ParseJson(std::string_view text) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  return d;
}

const rapidjson::Value* JsonMember(const rapidjson::Value& obj, std::string_view name) {
  if (!obj.IsObject()) return nullptr;
  const rapidjson::Value key(rapidjson::StringRef(name.data(), name.size()));
  return obj.HasMember(key) ? &obj[key] : nullptr;
}

}  // namespace lmdbapi::e2e
