// SPDX-License-Identifier: Apache-2.0
// src/http/fcgi_response.cc - see fcgi_response.h.

#include "http/fcgi_response.h"

#include <errno.h>
#include <fastcgi.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstddef>

namespace lmdbapi::http {
namespace {

constexpr std::size_t kMaxContent = 65535;
// Records per sendmsg: far under IOV_MAX (two iovecs each), and enough for
// any page the API answers in one call.
constexpr int kBatch = 64;

FCGI_Header Header(unsigned char type, int id, std::size_t length) {
  FCGI_Header h{};
  h.version = FCGI_VERSION_1;
  h.type = type;
  h.requestIdB1 = static_cast<unsigned char>((id >> 8) & 0xff);
  h.requestIdB0 = static_cast<unsigned char>(id & 0xff);
  h.contentLengthB1 = static_cast<unsigned char>((length >> 8) & 0xff);
  h.contentLengthB0 = static_cast<unsigned char>(length & 0xff);
  return h;
}

// Sends iov[0..n) whole, resuming after partial sends.
bool SendAll(int fd, iovec* iov, int n) {
  while (n > 0) {
    msghdr m{};
    m.msg_iov = iov;
    m.msg_iovlen = static_cast<std::size_t>(n);
    ssize_t sent = sendmsg(fd, &m, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    auto left = static_cast<std::size_t>(sent);
    while (n > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --n;
    }
    if (n > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return true;
}

}  // namespace

bool WriteFcgiResponse(int fd, int request_id, std::string_view head,
                       std::string_view body) {
  FCGI_Header headers[kBatch + 1];
  iovec iov[2 * kBatch + 2];
  int h = 0, n = 0;
  for (std::string_view part : {head, body}) {
    while (!part.empty()) {
      const std::size_t length = std::min(part.size(), kMaxContent);
      headers[h] = Header(FCGI_STDOUT, request_id, length);
      iov[n++] = {&headers[h++], sizeof(FCGI_Header)};
      iov[n++] = {const_cast<char*>(part.data()), length};
      part.remove_prefix(length);
      if (h == kBatch) {
        if (!SendAll(fd, iov, n)) return false;
        h = n = 0;
      }
    }
  }
  headers[h] = Header(FCGI_STDOUT, request_id, 0);
  iov[n++] = {&headers[h], sizeof(FCGI_Header)};
  FCGI_EndRequestRecord end{};
  end.header = Header(FCGI_END_REQUEST, request_id, sizeof end.body);
  end.body.protocolStatus = FCGI_REQUEST_COMPLETE;
  iov[n++] = {&end, sizeof end};
  return SendAll(fd, iov, n);
}

void AppendFcgiStdout(int request_id, std::string_view data, std::string* out) {
  while (!data.empty()) {
    const std::size_t length = std::min(data.size(), kMaxContent);
    FCGI_Header h = Header(FCGI_STDOUT, request_id, length);
    out->append(reinterpret_cast<const char*>(&h), sizeof h);
    out->append(data.data(), length);
    data.remove_prefix(length);
  }
}

void AppendFcgiEnd(int request_id, std::string* out) {
  FCGI_Header h = Header(FCGI_STDOUT, request_id, 0);
  out->append(reinterpret_cast<const char*>(&h), sizeof h);
  FCGI_EndRequestRecord end{};
  end.header = Header(FCGI_END_REQUEST, request_id, sizeof end.body);
  end.body.protocolStatus = FCGI_REQUEST_COMPLETE;
  out->append(reinterpret_cast<const char*>(&end), sizeof end);
}

}  // namespace lmdbapi::http
