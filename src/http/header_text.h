// SPDX-License-Identifier: Apache-2.0
// src/http/header_text.h - the two string tests HTTP header values need.
//
// Header values reach the worker as FastCGI params, already split from
// their names; what is left is optional whitespace around them and tokens
// (media types, auth schemes, parameter names) that compare without case.
// One place for both, so that the keys check (auth.cc) and the request
// checks (handlers.cc) agree on what "blank" and "the same token" mean.

#ifndef LMDBAPI_HTTP_HEADER_TEXT_H_
#define LMDBAPI_HTTP_HEADER_TEXT_H_

#include <string_view>

namespace lmdbapi::http {

// True for the whitespace Trim removes: space, tab (RFC 9110 OWS) and a
// stray carriage return (a keys file written on Windows).
bool IsHeaderSpace(char c);

// `s` without leading and trailing IsHeaderSpace characters.
std::string_view Trim(std::string_view s);

// ASCII case-insensitive equality (HTTP tokens); bytes >= 0x80 compare
// exactly.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_HEADER_TEXT_H_
