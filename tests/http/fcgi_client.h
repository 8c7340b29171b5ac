// SPDX-License-Identifier: Apache-2.0
// tests/http/fcgi_client.h - a minimal FastCGI client for the server tests.
//
// Speaks just enough of FastCGI 1.0 (the responder role, as nginx uses it)
// to drive src/http/fcgi_server.cc over a real socket: BEGIN_REQUEST,
// PARAMS, STDIN out; STDOUT and END_REQUEST back. Binary framing, not JSON
// or HTTP, so it is written here rather than taken from a library.

#ifndef LMDBAPI_TESTS_HTTP_FCGI_CLIENT_H_
#define LMDBAPI_TESTS_HTTP_FCGI_CLIENT_H_

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lmdbapi::testutil {

struct FcgiReply {
  bool complete = false;  // END_REQUEST seen
  int status = 0;         // from the Status: header
  std::map<std::string, std::string> headers;
  std::string body;
};

class FcgiClient {
 public:
  // Connects to a unix socket; ok() is false on failure.
  explicit FcgiClient(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~FcgiClient() {
    if (fd_ >= 0) close(fd_);
  }
  FcgiClient(const FcgiClient&) = delete;
  FcgiClient& operator=(const FcgiClient&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Sends BEGIN_REQUEST (keep-conn) and all params, and the first
  // `body_prefix` bytes of STDIN; the rest comes from SendRest.
  bool Begin(const std::map<std::string, std::string>& params) {
    std::string begin(8, '\0');
    begin[1] = 1;       // role: responder
    begin[2] = 1;       // flags: FCGI_KEEP_CONN
    std::string out = Record(1, begin);
    std::string p;
    for (const auto& [name, value] : params) {
      Length(name.size(), &p);
      Length(value.size(), &p);
      p += name;
      p += value;
    }
    out += Record(4, p);
    out += Record(4, "");
    return WriteAll(out);
  }

  // STDIN bytes; `end` adds the empty record that closes the stream.
  bool Stdin(const std::string& data, bool end) {
    std::string out;
    for (std::size_t i = 0; i < data.size(); i += 65535)
      out += Record(5, data.substr(i, 65535));
    if (end) out += Record(5, "");
    return WriteAll(out);
  }

  // Reads records until END_REQUEST, EOF or `timeout_ms` of silence.
  FcgiReply Read(int timeout_ms = 5000) {
    FcgiReply reply;
    std::string stdout_data;
    for (;;) {
      std::string header;
      if (!ReadExactly(8, &header, timeout_ms)) break;
      int type = static_cast<unsigned char>(header[1]);
      std::size_t len = static_cast<unsigned char>(header[4]) << 8 |
                        static_cast<unsigned char>(header[5]);
      std::size_t pad = static_cast<unsigned char>(header[6]);
      std::string content;
      if (!ReadExactly(len + pad, &content, timeout_ms)) break;
      content.resize(len);
      if (type == 6) stdout_data += content;
      if (type == 3) {
        reply.complete = true;
        break;
      }
    }
    std::size_t end = stdout_data.find("\r\n\r\n");
    if (end == std::string::npos) return reply;
    std::string head = stdout_data.substr(0, end + 2);
    reply.body = stdout_data.substr(end + 4);
    for (std::size_t at = 0; at < head.size();) {
      std::size_t eol = head.find("\r\n", at);
      std::string line = head.substr(at, eol - at);
      at = eol + 2;
      std::size_t colon = line.find(": ");
      if (colon == std::string::npos) continue;
      reply.headers[line.substr(0, colon)] = line.substr(colon + 2);
    }
    reply.status = std::atoi(reply.headers["Status"].c_str());
    return reply;
  }

  // One whole request: params, body (with CONTENT_LENGTH unless the caller
  // set it or `with_length` is false), reply.
  FcgiReply Call(std::map<std::string, std::string> params,
                 const std::string& body = "", bool with_length = true) {
    if (with_length && !body.empty() && !params.count("CONTENT_LENGTH"))
      params["CONTENT_LENGTH"] = std::to_string(body.size());
    if (!Begin(params) || !Stdin(body, true)) return FcgiReply();
    return Read();
  }

  // True if the server closed the connection within `timeout_ms`.
  bool ClosedWithin(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char c;
    return recv(fd_, &c, 1, MSG_PEEK) <= 0;
  }

 private:
  static void Length(std::size_t n, std::string* out) {
    if (n < 128) {
      out->push_back(static_cast<char>(n));
    } else {
      out->push_back(static_cast<char>((n >> 24) | 0x80));
      out->push_back(static_cast<char>(n >> 16));
      out->push_back(static_cast<char>(n >> 8));
      out->push_back(static_cast<char>(n));
    }
  }

  static std::string Record(int type, const std::string& content) {
    std::string r(8, '\0');
    r[0] = 1;
    r[1] = static_cast<char>(type);
    r[3] = 1;  // request id 1, as nginx uses
    r[4] = static_cast<char>(content.size() >> 8);
    r[5] = static_cast<char>(content.size());
    return r + content;
  }

  bool WriteAll(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = send(fd_, data.data() + done, data.size() - done,
                       MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  bool ReadExactly(std::size_t n, std::string* out, int timeout_ms) {
    out->resize(n);
    std::size_t got = 0;
    while (got < n) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;
      ssize_t r = read(fd_, out->data() + got, n - got);
      if (r <= 0) return false;
      got += static_cast<std::size_t>(r);
    }
    return true;
  }

  int fd_ = -1;
};

}  // namespace lmdbapi::testutil

#endif  // LMDBAPI_TESTS_HTTP_FCGI_CLIENT_H_
