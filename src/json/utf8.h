// SPDX-License-Identifier: Apache-2.0
// src/json/utf8.h - checking and repairing UTF-8 text from clients.
//
// JSON bodies are validated by RapidJSON; this covers the rest of what a
// client sends (query strings, paths) and the text echoed back in problem
// details, which must itself be valid UTF-8 to be valid JSON.

#ifndef LMDBAPI_JSON_UTF8_H_
#define LMDBAPI_JSON_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "lmdbapi/quote.h"

namespace lmdbapi::http {

// True if `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). If not, *bad_offset (when given) is
// the offset of the first byte that is not.
bool IsValidUtf8(std::string_view text, std::size_t* bad_offset = nullptr);

// Appends `text` to *out with every ill-formed sequence replaced by U+FFFD.
void AppendRepairedUtf8(std::string_view text, std::string* out);

// Client text for a message: lmdbapi::Quote (include/lmdbapi/quote.h),
// the one form the store's messages use too. Kept under this name for the
// callers in src/http.
inline std::string QuoteForMessage(std::string_view text,
                                   std::size_t max_bytes = 64) {
  return Quote(text, max_bytes);
}

}  // namespace lmdbapi::http

#endif  // LMDBAPI_JSON_UTF8_H_
