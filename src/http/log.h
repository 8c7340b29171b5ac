// SPDX-License-Identifier: Apache-2.0
// src/http/log.h - the worker's log lines, on stderr.
//
// One line per event, written with a single write(2) so that lines from
// different threads never interleave. Errors are always written; info adds
// the start-up and shutdown lines; debug adds one line per request. The
// level is set once at start-up, before any thread starts.

#ifndef LMDBAPI_HTTP_LOG_H_
#define LMDBAPI_HTTP_LOG_H_

#include <string_view>

namespace lmdbapi::http {

enum class LogLevel { kError, kInfo, kDebug };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Writes "<UTC time> <level> <message>\n" if `level` is enabled.
void Log(LogLevel level, std::string_view message);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_LOG_H_
