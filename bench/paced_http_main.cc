// SPDX-License-Identifier: Apache-2.0
// bench/paced_http_main.cc - the paced load generator of bench/paced.h over
// HTTP: the original design's latency claims through nginx and the worker.
//
//   paced-http PORT KIND RATE SECONDS CONNECTIONS KEY [RUN]
//
// Sends to 127.0.0.1:PORT over CONNECTIONS kept-alive HTTP/1.1
// connections, one thread each (each takes the next due request when
// free), at RATE requests/s for SECONDS, and prints a PACED line under
// KEY. KIND is
//   composite  GET /api/permits/get-record?client=..&county=..&county_status=..
//              over bench/permit_gen.h's combinations (10 hits each)
//   insert     POST /api/permits, a new permit_number each (RUN keeps runs on
//              one database apart)
// Any answer but 200 (composite) or 201 (insert) is a failure and ends
// the run. The response is read only as far as framing needs: the status
// code and Content-Length of the answers nginx gives here (it never sends
// them chunked, as the worker always gives a length).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "paced.h"
#include "permit_gen.h"

namespace lmdbapi::bench {
namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("paced-http: connect");
    std::exit(1);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// One kept-alive connection and the bytes read past the last response.
// nginx ends a connection after keepalive_requests (1,000) answers, saying
// so with "Connection: close"; a new one is opened then, as wrk does.
struct Conn {
  int port = 0;
  int fd = -1;
  std::string in;

  // Sends `request`, reads one response; returns its status (0: failed).
  int Exchange(const std::string& request) {
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size()))
      return 0;
    std::size_t head_end, need = 0;
    bool closing = false;
    for (;;) {
      head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::string_view head(in.data(), head_end);
        closing = head.find("\r\nConnection: close") != std::string_view::npos;
        std::size_t at = head.find("\r\nContent-Length: ");
        if (at == std::string_view::npos) return 0;
        need = head_end + 4 + std::strtoul(head.data() + at + 18, nullptr, 10);
        if (in.size() >= need) break;
      }
      char buf[65536];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return 0;
      in.append(buf, static_cast<std::size_t>(n));
    }
    int status = in.size() > 12 ? std::atoi(in.c_str() + 9) : 0;
    in.erase(0, need);
    if (closing) {
      close(fd);
      in.clear();
      fd = Connect(port);
    }
    return status;
  }
};

std::string Composite(std::size_t i) {
  const std::size_t k = (i * 2654435761u) % kCombos;
  return "GET /api/permits/get-record?client=" + ClientOf(k) + "&county=" +
         CountyOf(k) + "&county_status=" + StatusOf(k) +
         " HTTP/1.1\r\nHost: bench\r\n\r\n";
}

std::string Insert(const std::string& run, std::size_t i) {
  char body[256];
  int n = std::snprintf(
      body, sizeof body,
      "{\"permit_number\":\"PACED-%s-%zu\",\"client\":\"bench-http\","
      "\"county\":\"county-9\",\"county_status\":\"Active\","
      "\"issued_on\":\"2031-01-01\",\"fee_cents\":1,\"notes\":\"paced\"}",
      run.c_str(), i);
  return "POST /api/permits HTTP/1.1\r\nHost: bench\r\n"
         "Content-Type: application/json\r\nContent-Length: " +
         std::to_string(n) + "\r\n\r\n" + body;
}

}  // namespace

int Main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: paced-http PORT composite|insert RATE SECONDS "
                         "CONNECTIONS KEY [RUN]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string kind = argv[2];
  const double rate = std::atof(argv[3]), seconds = std::atof(argv[4]);
  const int conns = std::atoi(argv[5]);
  const std::string key = argv[6], run = argc > 7 ? argv[7] : "0";
  if (kind != "composite" && kind != "insert") {
    std::fprintf(stderr, "paced-http: KIND is composite or insert, not %s\n", kind.c_str());
    return 2;
  }
  const bool insert = kind == "insert";
  std::vector<Conn> pool(static_cast<std::size_t>(conns));
  for (Conn& c : pool) {
    c.port = port;
    c.fd = Connect(port);
  }
  // No spinning: dozens of threads spinning would take the cores the
  // server needs, and a few microseconds late is nothing against its
  // milliseconds.
  auto r = RunPaced(rate, seconds, conns, std::chrono::microseconds(0), [&](int t, std::size_t i) {
    int status = pool[static_cast<std::size_t>(t)].Exchange(
        insert ? Insert(run, i) : Composite(i));
    return status == (insert ? 201 : 200);
  });
  PrintPaced(key, r);
  for (Conn& c : pool) close(c.fd);
  return 0;
}

}  // namespace lmdbapi::bench

int main(int argc, char** argv) { return lmdbapi::bench::Main(argc, argv); }
