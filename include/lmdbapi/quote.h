// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/quote.h - client text shown back in a message: quoted,
// escaped and cut short. The store's messages (bad values, bad uuids), the
// HTTP layer's (query parameters, routes) and the worker's log lines all
// show it this way, so a reader meets one form everywhere.

#ifndef LMDBAPI_QUOTE_H_
#define LMDBAPI_QUOTE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace lmdbapi {

// Length of the well-formed UTF-8 sequence at the front of s (1..4), or 0
// if there is none: Unicode table 3-7, so overlong forms, surrogates and
// anything past U+10FFFF count as ill-formed. 0 for an empty s.
std::size_t Utf8SequenceLength(std::string_view s);

// Appends at most max_bytes bytes of `text` to *out, each one readable and
// safe in a log line or a JSON string: printable ASCII and well-formed
// UTF-8 as they are, '"' and '\' with a backslash, every other byte as
// \xNN. Never cuts a character. Returns true if text was cut short.
bool AppendEscaped(std::string_view text, std::size_t max_bytes,
                   std::string* out);

// The text in double quotes, escaped as above, and "..." after the closing
// quote if it was cut: enough to recognise a value, never a 1 MB echo.
std::string Quote(std::string_view text, std::size_t max_bytes = 64);

}  // namespace lmdbapi

#endif  // LMDBAPI_QUOTE_H_
