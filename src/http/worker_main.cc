// SPDX-License-Identifier: Apache-2.0
// src/http/worker_main.cc - lmdbapi-worker: the FastCGI worker process.
//
//   environment -> Config -> Env::Open -> listening socket -> Server
//   -> wait for SIGTERM/SIGINT -> stop accepting, finish requests in
//   flight, close the Env, exit 0.
//
// Exit codes: 0 after a clean stop, 1 if the environment or the socket
// cannot be opened, 2 for a bad setting (config.h) or a bad argument.
//
//   lmdbapi-worker                  serve (settings from the environment)
//   lmdbapi-worker --print-tables   print the schema's tables, one a line
//   lmdbapi-worker --print-openapi  print the OpenAPI document it serves
//   lmdbapi-worker --print-nginx-problems
//                                   print nginx's error pages (make writes
//                                   them to build/<schema>/nginx/)

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "http/auth.h"
#include "http/config.h"
#include "http/fcgi_server.h"
#include "http/listen_socket.h"
#include "http/log.h"
#include "http/metrics.h"
#include "http/nginx_problems.h"
#include "http/openapi.h"
#include "http/systemd.h"
#include "lmdbapi/env.h"
#include "lmdbapi/schema.h"

namespace lmdbapi::http {
namespace {

constexpr const char* kUsage =
    "usage: lmdbapi-worker [--print-tables | --print-openapi |\n"
    "                       --print-nginx-problems]\n"
    "Serves the schema's REST API over FastCGI; settings come from the\n"
    "environment: HOST_URL LMDB_PATH LMDB_MAP_SIZE_GB LMDB_MAP_SIZE_MB\n"
    "LMDB_MAP_MAX_GB LMDB_MAP_MAX_MB\n"
    "LMDB_MAX_READERS DURABILITY WRITE_BATCH_MAX WORKER_THREADS LOG_LEVEL\n"
    "FCGI_SOCKET FCGI_SOCKET_MODE MAX_BODY_BYTES BULK_MAX_BODY_BYTES\n"
    "MAX_STRING_BYTES MAX_EXAMINED "
    "API_KEYS_FILE REQUIRE_API_KEYS MAX_CONNECTIONS REQUEST_READ_TIMEOUT_MS\n"
    "RESPONSE_SEND_TIMEOUT_MS CHANGES CHANGES_RETAIN CHANGES_HEARTBEAT_MS\n"
    "(see src/http/config.h). --print-openapi\n"
    "reads them too: the document states MAX_STRING_BYTES.\n";

// Frees reader slots left by dead processes every `period` until Stop().
class Maintenance {
 public:
  Maintenance(Env& env, std::chrono::seconds period)
      : thread_([this, &env, period] { Run(env, period); }) {}
  ~Maintenance() { Stop(); }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run(Env& env, std::chrono::seconds period) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
      auto cleared = env.ClearStaleReaders();
      if (!cleared.ok()) {
        Log(LogLevel::kError,
            "clearing stale readers: " + cleared.status().message());
      } else if (cleared.value() > 0) {
        Log(LogLevel::kInfo, "cleared " + std::to_string(cleared.value()) +
                                 " reader slots of dead processes");
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

std::string DurabilityName(Durability d) {
  switch (d) {
    case Durability::kSync:       return "sync";
    case Durability::kNoMetaSync: return "nometasync";
    case Durability::kNoSync:     return "nosync";
  }
  return "?";
}

int Main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--print-tables") == 0) {
    for (const TableDesc& t : Schema::Compiled().tables)
      std::printf("%s\n", t.name.c_str());
    return 0;
  }
  auto read_config = [] {
    return ParseConfig([](const char* name) { return std::getenv(name); },
                       std::thread::hardware_concurrency());
  };
  if (argc == 2 && std::strcmp(argv[1], "--print-openapi") == 0) {
    // The document says the string limit this environment's worker keeps.
    auto config = read_config();
    if (!config.ok()) {
      std::fprintf(stderr, "lmdbapi-worker: %s\n",
                   config.status().message().c_str());
      return 2;
    }
    std::fputs(
        OpenApiJson(Schema::Compiled(), config->max_string_bytes).c_str(),
        stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "--print-nginx-problems") == 0) {
    Result<std::string> conf = NginxProblemsConf();
    if (!conf.ok()) {
      std::fprintf(stderr, "lmdbapi-worker: %s\n",
                   conf.status().message().c_str());
      return 1;
    }
    std::fputs(conf->c_str(), stdout);
    return 0;
  }
  if (argc > 1) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  auto config = read_config();
  if (!config.ok()) {
    std::fprintf(stderr, "lmdbapi-worker: %s\n",
                 config.status().message().c_str());
    return 2;
  }
  const Config& cfg = config.value();
  SetLogLevel(cfg.log_level);

  // Loaded once: editing the file takes a restart.
  std::optional<ApiKeys> api_keys;
  if (cfg.api_keys_file) {
    auto loaded = LoadApiKeys(*cfg.api_keys_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "lmdbapi-worker: %s\n",
                   loaded.status().message().c_str());
      return 2;
    }
    api_keys = std::move(loaded.value());
    Log(LogLevel::kInfo, "API keys on: " +
                             std::to_string(api_keys->keys.size()) +
                             " keys from " + *cfg.api_keys_file);
  } else {
    // Logged at error level so that LOG_LEVEL=error still shows it.
    Log(LogLevel::kError,
        "warning: API keys are off (API_KEYS_FILE is unset): every client "
        "nginx lets in may read and write; set API_KEYS_FILE, and "
        "REQUIRE_API_KEYS=1 to refuse to start without it");
  }

  // A shell starts background jobs with SIGINT ignored, and an ignored
  // signal never reaches sigwait(); we want both.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  // Every thread started from here on inherits this mask, so the stop
  // signals reach only the sigwait() below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client gone mid-response is a failed write, not a dead process.
  signal(SIGPIPE, SIG_IGN);

  Options env_options = cfg.env;
  env_options.on_map_change = [](const std::string& line) {
    Log(LogLevel::kInfo, line);
  };
  auto env = Env::Open(env_options);
  if (!env.ok()) {
    Log(LogLevel::kError, "cannot open LMDB_PATH " + cfg.env.path + ": " +
                              env.status().message());
    return 1;
  }
  for (const std::string& change : env.value()->schema_changes())
    Log(LogLevel::kInfo, "schema: " + change);

  // Unless FCGI_SOCKET says otherwise: the socket systemd passed (fd 3,
  // LISTEN_FDS), else a listener on fd 0 (spawn-fcgi).
  int listen_fd = cfg.fcgi_socket ? -1 : SystemdListenFd();
  if (listen_fd < 0 && !cfg.fcgi_socket && IsListeningSocket(0)) listen_fd = 0;
  std::string socket_path;
  if (listen_fd < 0) {
    socket_path = cfg.fcgi_socket.value_or(kDefaultSocketPath);
    auto fd = ListenUnix(socket_path, SOMAXCONN, cfg.fcgi_socket_mode);
    if (!fd.ok()) {
      Log(LogLevel::kError, "FCGI_SOCKET: " + fd.status().message());
      return 1;
    }
    listen_fd = fd.value();
  }

  // Both constant for the life of the process: the document is made once
  // and served as these bytes.
  const std::string openapi_json =
      OpenApiJson(env.value()->schema(), cfg.max_string_bytes);
  // One shard per request thread, and one for Stop()'s thread, which
  // answers the writes whose commit completes as the threads stop.
  Metrics metrics(env.value()->schema(), cfg.worker_threads + 1);
  ServerOptions server_options;
  server_options.threads = cfg.worker_threads;
  server_options.max_body_bytes = cfg.max_body_bytes;
  server_options.bulk_max_body_bytes = cfg.bulk_max_body_bytes;
  server_options.max_string_bytes = cfg.max_string_bytes;
  server_options.batch_max_operations = cfg.batch_max_operations;
  server_options.idempotency_ttl_seconds = cfg.idempotency_ttl_seconds;
  server_options.max_examined = cfg.max_examined;
  server_options.api_keys = api_keys ? &*api_keys : nullptr;
  server_options.cors = cfg.cors.enabled() ? &cfg.cors : nullptr;
  server_options.max_connections = cfg.max_connections;
  server_options.read_timeout =
      std::chrono::milliseconds(cfg.request_read_timeout_ms);
  server_options.send_timeout =
      std::chrono::milliseconds(cfg.response_send_timeout_ms);
  server_options.streams.heartbeat =
      std::chrono::milliseconds(cfg.changes_heartbeat_ms);
  server_options.streams.stall_timeout = server_options.send_timeout;
  Server server(*env.value(), server_options, &metrics, openapi_json);
  Status started = server.Start(listen_fd);
  if (!started.ok()) {
    Log(LogLevel::kError, started.message());
    if (!socket_path.empty()) unlink(socket_path.c_str());
    return 1;
  }
  Maintenance maintenance(*env.value(), std::chrono::seconds(10));

  Log(LogLevel::kInfo,
      "lmdbapi-worker " + std::to_string(getpid()) + " serving " +
          (socket_path.empty() ? "fd " + std::to_string(listen_fd) : socket_path) +
          " for http://" + cfg.host_url + "/api/; LMDB_PATH=" +
          cfg.env.path + " map=" +
          std::to_string(cfg.env.map_size_bytes >> 20) + "MiB durability=" +
          DurabilityName(cfg.env.durability) + " write_batch_max=" +
          (cfg.env.max_batch_writes == 0
               ? std::string("256")
               : std::to_string(cfg.env.max_batch_writes)) +
          " threads=" + std::to_string(cfg.worker_threads) + " schema=" +
          env.value()->schema().FingerprintHash());

  NotifySystemd("READY=1");
  int sig = 0;
  sigwait(&stop_signals, &sig);
  NotifySystemd("STOPPING=1");
  Log(LogLevel::kInfo, std::string(strsignal(sig)) +
                           ": finishing requests in flight, then exiting");
  // Further stop signals stay blocked: Ctrl-C under run-dev.sh reaches
  // this process and the script, which then sends TERM; that must not cut
  // the drain short. SIGKILL remains for "now".

  // Unlinking first makes new connections fail at once (nginx then tries
  // another worker) while the threads drain the backlog.
  if (!socket_path.empty()) unlink(socket_path.c_str());
  server.Stop();
  maintenance.Stop();
  if (!socket_path.empty()) close(listen_fd);
  env.value().reset();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace lmdbapi::http

int main(int argc, char** argv) { return lmdbapi::http::Main(argc, argv); }
