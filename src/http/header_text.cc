// SPDX-License-Identifier: Apache-2.0
// src/http/header_text.cc - see header_text.h.

#include "http/header_text.h"

#include <strings.h>

namespace lmdbapi::http {

bool IsHeaderSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsHeaderSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsHeaderSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  // strncasecmp in the C locale, which the worker never changes.
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lmdbapi::http
