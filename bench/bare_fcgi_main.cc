// SPDX-License-Identifier: Apache-2.0
// bench/bare_fcgi_main.cc - the HTTP ceiling: a FastCGI responder that does
// nothing but answer, so nginx + libfcgi cost is measured alone.
//
//   bare-fcgi SOCKET THREADS NAME=FILE...
//
// Listens on the unix socket SOCKET with THREADS accept threads (as the
// worker does) and answers a request for a path ending in /NAME with the
// bytes of FILE, read once at start-up, as application/json with the status
// the worker would give (201 for POST). It reads and drops any request
// body, as the worker reads one. Stops on SIGTERM.
//
// It waits for requests on a kept connection as the worker does, in
// poll(2) before FCGX_Accept_r (see NextRequest in src/http/fcgi_server.cc):
// waiting in libfcgi's read(2) costs a second context switch per request,
// and a ceiling that paid it would flatter the worker.

#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::map<std::string, std::string> bodies;  // by NAME; read-only once serving

// libfcgi leaves SIGTERM's default alone only sometimes; say what we mean.
void OnTerm(int) { _exit(0); }

void Serve(int listen_fd) {
  FCGX_Request req;
  FCGX_InitRequest(&req, listen_fd, 0);
  char sink[16384];
  std::string head;
  for (;;) {
    if (req.ipcFd >= 0) {
      pollfd p{req.ipcFd, POLLIN, 0};
      if (poll(&p, 1, -1) < 0) continue;
    }
    if (FCGX_Accept_r(&req) < 0) break;
    while (FCGX_GetStr(sink, sizeof sink, req.in) > 0) {
    }
    const char* uri = FCGX_GetParam("DOCUMENT_URI", req.envp);
    const char* method = FCGX_GetParam("REQUEST_METHOD", req.envp);
    std::string path = uri ? uri : "";
    auto it = bodies.find(path.substr(path.rfind('/') + 1));
    if (it == bodies.end()) {
      FCGX_FPrintF(req.out, "Status: 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    } else {
      bool post = method != nullptr && std::strcmp(method, "POST") == 0;
      head = post ? "Status: 201 Created\r\n" : "Status: 200 OK\r\n";
      head += "Content-Type: application/json\r\nContent-Length: ";
      head += std::to_string(it->second.size());
      head += "\r\n\r\n";
      FCGX_PutStr(head.data(), static_cast<int>(head.size()), req.out);
      FCGX_PutStr(it->second.data(), static_cast<int>(it->second.size()), req.out);
    }
    FCGX_Finish_r(&req);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bare-fcgi SOCKET THREADS NAME=FILE...\n");
    return 2;
  }
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    std::size_t eq = arg.find('=');
    std::ifstream in(arg.substr(eq + 1), std::ios::binary);
    if (eq == std::string::npos || !in) {
      std::fprintf(stderr, "bare-fcgi: cannot read %s\n", argv[i]);
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    bodies[arg.substr(0, eq)] = ss.str();
  }
  struct sigaction sa{};
  sa.sa_handler = OnTerm;
  sigaction(SIGTERM, &sa, nullptr);
  if (FCGX_Init() != 0) return 1;
  unlink(argv[1]);
  int fd = FCGX_OpenSocket(argv[1], 128);
  if (fd < 0) {
    std::fprintf(stderr, "bare-fcgi: cannot listen on %s\n", argv[1]);
    return 1;
  }
  // nginx's worker processes may run as another user.
  chmod(argv[1], 0666);
  int threads = std::max(1, std::atoi(argv[2]));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(Serve, fd);
  for (auto& t : pool) t.join();
  return 0;
}
