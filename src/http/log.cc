// SPDX-License-Identifier: Apache-2.0
// src/http/log.cc - see log.h.

#include "http/log.h"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

namespace lmdbapi::http {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kInfo:  return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "?";
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(level); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) <= static_cast<int>(g_level.load());
}

void Log(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char stamp[96];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, now.tv_nsec / 1000000);
  std::string line;
  line.reserve(64 + message.size());
  line += stamp;
  line += LevelName(level);
  line += ' ';
  line += message;
  line += '\n';
  // One write per line: stderr is unbuffered, and a short write to a pipe
  // or terminal is not worth retrying for a log line.
  ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace lmdbapi::http
