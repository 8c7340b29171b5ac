// SPDX-License-Identifier: Apache-2.0
// src/http/query.h - query strings into name/value pairs.
//
// application/x-www-form-urlencoded as browsers and curl write it: pairs
// separated by '&', name and value by the first '=', '+' for a space and
// %XX for any byte (RFC 3986 percent-encoding). What the pairs mean is
// params.h's business; this file only decodes them.

#ifndef LMDBAPI_HTTP_QUERY_H_
#define LMDBAPI_HTTP_QUERY_H_

#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/status.h"

namespace lmdbapi::http {

struct QueryParam {
  std::string name;
  std::string value;  // "" for "name" and "name="
};

// Replaces *out with the decoded pairs of `query` (QUERY_STRING, without
// the '?'), in order, duplicates kept. Empty pieces ("a=1&&b=2", a
// trailing '&') are skipped.
// Errors (kInvalidArgument):
//   a '%' not followed by two hex digits (subject: the parameter's name, or
//   "query" if the name itself is bad); a decoded name or value that is not
//   UTF-8; an empty name ("=x").
Status ParseQuery(std::string_view query, std::vector<QueryParam>* out);

// Decodes %XX escapes (and '+' as space if plus_is_space) into *out.
// False on a malformed escape; *out is then unspecified.
bool PercentDecode(std::string_view text, bool plus_is_space,
                   std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_QUERY_H_
