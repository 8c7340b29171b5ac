// SPDX-License-Identifier: Apache-2.0
// src/http/query.cc - see query.h.

#include "http/query.h"

#include "json/utf8.h"
#include "lmdbapi/hex.h"

namespace lmdbapi::http {
namespace {

}  // namespace

bool PercentDecode(std::string_view text, bool plus_is_space,
                   std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return false;
      int hi = HexDigitValue(text[i + 1]), lo = HexDigitValue(text[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

Status ParseQuery(std::string_view query, std::vector<QueryParam>* out) {
  out->clear();
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    if (piece.empty()) continue;

    std::size_t eq = piece.find('=');
    std::string_view raw_name = piece.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);

    QueryParam p;
    if (!PercentDecode(raw_name, true, &p.name))
      return Status::InvalidArgument(
          "query", "query parameter name " + QuoteForMessage(raw_name) +
                       " has a malformed %-escape (expected % and two hex "
                       "digits)");
    if (p.name.empty())
      return Status::InvalidArgument(
          "query", "query parameter " + QuoteForMessage(piece) + " has no name");
    if (!IsValidUtf8(p.name))
      return Status::InvalidArgument(
          "query", "query parameter name " + QuoteForMessage(raw_name) +
                       " is not UTF-8 once decoded");
    if (!PercentDecode(raw_value, true, &p.value))
      return Status::InvalidArgument(
          p.name, "query parameter " + p.name + ": value " +
                      QuoteForMessage(raw_value) +
                      " has a malformed %-escape (expected % and two hex "
                      "digits)");
    if (!IsValidUtf8(p.value))
      return Status::InvalidArgument(
          p.name, "query parameter " + p.name + ": value " +
                      QuoteForMessage(raw_value) + " is not UTF-8 once decoded");
    out->push_back(std::move(p));
  }
  return Status();
}

}  // namespace lmdbapi::http
