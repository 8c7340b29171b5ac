// SPDX-License-Identifier: Apache-2.0
// src/http/base64url.h - page cursors in URLs and JSON.
//
// The library's page cursors (Page::next, PageRequest::after) are opaque
// bytes. Clients see them as base64url without padding (RFC 4648 section
// 5), which needs no escaping in a query string or a JSON string.

#ifndef LMDBAPI_HTTP_BASE64URL_H_
#define LMDBAPI_HTTP_BASE64URL_H_

#include <string>
#include <string_view>

namespace lmdbapi::http {

void AppendBase64Url(std::string_view bytes, std::string* out);

// False if `text` is not unpadded base64url: a character outside
// [A-Za-z0-9_-], a length of 1 mod 4, or non-zero unused bits in the last
// character (so every byte string has exactly one accepted form).
bool DecodeBase64Url(std::string_view text, std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_BASE64URL_H_
