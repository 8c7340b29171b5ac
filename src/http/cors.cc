// SPDX-License-Identifier: Apache-2.0
// src/http/cors.cc - see cors.h.

#include "http/cors.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace lmdbapi::http {
namespace {

Status BadOrigin(std::string_view origin, std::string_view why) {
  std::string msg = "CORS_ORIGINS: \"";
  msg += origin.substr(0, 200);
  msg += "\" ";
  msg += why;
  return Status::InvalidArgument("CORS_ORIGINS", std::move(msg));
}

bool HostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// `origin` lower-cased; "" or why it is not an origin a browser sends.
std::string OriginProblem(const std::string& origin) {
  std::string_view rest = origin;
  std::string_view scheme;
  for (std::string_view s : {"https://", "http://"})
    if (rest.substr(0, s.size()) == s) scheme = s;
  if (scheme.empty())
    return "is not an origin (expected scheme://host[:port] with scheme "
           "http or https, e.g. https://app.example.com)";
  rest.remove_prefix(scheme.size());
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos || close < 2)
      return "has an unterminated IPv6 address (expected [::1])";
    for (char c : rest.substr(1, close - 1))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' ||
            c == '.'))
        return "has an invalid IPv6 address";
    host = rest.substr(0, close + 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':')
      return "has something after the host; an origin has no path (drop "
             "everything from the first '/')";
    port = rest.empty() ? rest : rest.substr(1);
    if (!rest.empty() && port.empty()) return "has an empty port";
  } else {
    const std::size_t colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) return "has an empty port";
    }
    if (host.empty()) return "has no host";
    for (char c : host)
      if (!HostChar(c))
        return c == '/' ? "has a path; an origin is scheme://host[:port] "
                          "only (drop everything from the first '/')"
                        : "has a character no host name has";
  }
  if (!port.empty()) {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || end != port.data() + port.size() || n < 1 ||
        n > 65535 || port.front() == '0')
      return "has a port that is not 1..65535 (or a path after it: an "
             "origin has none)";
    if ((scheme == "https://" && n == 443) || (scheme == "http://" && n == 80))
      return "names its scheme's default port, which browsers leave out of "
             "Origin; drop the port";
  }
  return "";
}

void AppendHeader(std::string_view name, std::string_view value,
                  std::string* head) {
  *head += name;
  *head += ": ";
  *head += value;
  *head += "\r\n";
}

}  // namespace

bool CorsPolicy::Allows(std::string_view origin) const {
  if (origin.empty()) return false;
  if (any_origin) return true;
  return std::find(origins.begin(), origins.end(), origin) != origins.end();
}

bool CorsPolicy::IsAllowedPreflight(std::string_view method,
                                    std::string_view origin,
                                    std::string_view request_method) const {
  return method == "OPTIONS" && !request_method.empty() && Allows(origin);
}

Result<CorsPolicy> ParseCorsOrigins(std::string_view text) {
  CorsPolicy policy;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = text.find_first_of(", \t", i);
    std::string_view item = text.substr(i, end - i);
    i = end == std::string_view::npos ? text.size() : end + 1;
    if (item.empty()) continue;
    if (item == "*") {
      policy.any_origin = true;
      continue;
    }
    // Scheme and host compare as browsers serialise them: lower-case.
    std::string origin(item);
    std::transform(origin.begin(), origin.end(), origin.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    const std::string why = OriginProblem(origin);
    if (!why.empty()) return BadOrigin(item, why);
    policy.origins.push_back(std::move(origin));
  }
  if (policy.any_origin && !policy.origins.empty())
    return BadOrigin(text,
                     "mixes * with origins; give * alone (any origin) or "
                     "only origins");
  if (!policy.enabled())
    return BadOrigin(text, "names no origin (expected * or e.g. "
                           "https://app.example.com)");
  return policy;
}

void AppendCorsHeaders(const CorsPolicy& policy, const CorsRequest& req,
                       int status, std::string_view allow, std::string* head) {
  if (!policy.enabled()) return;
  const bool options = req.method == "OPTIONS";
  AppendHeader("Vary",
               options ? "Origin, Access-Control-Request-Method, "
                         "Access-Control-Request-Headers"
                       : "Origin",
               head);
  if (!policy.Allows(req.origin)) return;
  AppendHeader("Access-Control-Allow-Origin",
               policy.any_origin ? std::string_view("*") : req.origin, head);
  const bool preflight = options && !req.request_method.empty() &&
                         status == 204 && !allow.empty();
  if (!preflight) {
    AppendHeader("Access-Control-Expose-Headers", kCorsExposeHeaders, head);
    return;
  }
  AppendHeader("Access-Control-Allow-Methods", allow, head);
  AppendHeader("Access-Control-Allow-Headers", kCorsAllowHeaders, head);
  AppendHeader("Access-Control-Max-Age", std::to_string(kCorsMaxAgeSeconds),
               head);
}

}  // namespace lmdbapi::http
