// SPDX-License-Identifier: Apache-2.0
// src/http/utf8.h - checking and repairing UTF-8 text from clients.
//
// JSON bodies are validated by RapidJSON; this covers the rest of what a
// client sends (query strings, paths) and the text echoed back in problem
// details, which must itself be valid UTF-8 to be valid JSON.

#ifndef LMDBAPI_HTTP_UTF8_H_
#define LMDBAPI_HTTP_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace lmdbapi::http {

// True if `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). If not, *bad_offset (when given) is
// the offset of the first byte that is not.
bool IsValidUtf8(std::string_view text, std::size_t* bad_offset = nullptr);

// Appends `text` to *out with every ill-formed sequence replaced by U+FFFD.
void AppendRepairedUtf8(std::string_view text, std::string* out);

// Client text for a message: in double quotes, its first max_bytes bytes
// with ill-formed UTF-8 repaired, and "..." before the closing quote if it
// was cut. Not escaped: the problem+json writer escapes what it must.
std::string QuoteForMessage(std::string_view text, std::size_t max_bytes = 64);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_UTF8_H_
