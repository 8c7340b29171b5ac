// src/http/auth.cc - see auth.h.

#include "http/auth.h"

#include <strings.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace lmdbapi::http {
namespace {

constexpr ProblemType kUnauthorized{401, "unauthorized",
                                    "A valid API key is required"};
constexpr ProblemType kForbidden{403, "forbidden",
                                 "The API key may not do this"};
constexpr std::string_view kChallenge = "Bearer realm=\"lmdb-api\"";

bool IsKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The next space-separated word of *s, removed from it.
std::string_view TakeWord(std::string_view* s) {
  *s = Trim(*s);
  std::size_t end = 0;
  while (end < s->size() && !IsSpace((*s)[end])) ++end;
  std::string_view word = s->substr(0, end);
  s->remove_prefix(end);
  return word;
}

// ASCII case-insensitive equality (HTTP tokens), through libc.
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

AuthDecision Deny(const ProblemType& type, std::string detail) {
  AuthDecision d;
  d.problem = type;
  d.detail = std::move(detail);
  if (type.status == 401) d.www_authenticate = kChallenge;
  return d;
}

}  // namespace

std::vector<ProblemType> AuthProblemTypes() {
  return {kUnauthorized, kForbidden};
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  // Walk the longer length, reading past the shorter one's end as 0, and
  // OR every difference together; volatile keeps the compiler from turning
  // the loop into an early-exit memcmp.
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = diff | static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

Result<ApiKeys> ParseApiKeys(std::string_view text, std::string_view file_name) {
  ApiKeys out;
  std::set<std::string> seen;
  int line_no = 0;
  auto error = [&](const std::string& what) {
    return Status::InvalidArgument(
        "API_KEYS_FILE", std::string(file_name) + ":" + std::to_string(line_no) +
                             ": " + what);
  };
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;

    std::string_view comment;
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      comment = Trim(line.substr(hash + 1));
      line = line.substr(0, hash);
    }
    std::string_view rest = line;
    const std::string_view scope = TakeWord(&rest);
    if (scope.empty()) continue;  // blank or comment-only
    const std::string_view key = TakeWord(&rest);
    if (!Trim(rest).empty())
      return error("more than \"<scope> <key>\" before the comment; write "
                   "\"<scope> <key> # comment\"");

    ApiKey k;
    if (scope == "read") {
      k.scope = Scope::kRead;
    } else if (scope == "read-write") {
      k.scope = Scope::kReadWrite;
    } else {
      return error("scope \"" + std::string(scope).substr(0, 32) +
                   "\" is neither read nor read-write");
    }
    if (key.empty()) return error("a scope without a key");
    if (key.size() < kMinKeyLength || key.size() > kMaxKeyLength)
      return error("the key is " + std::to_string(key.size()) +
                   " characters; keys have " + std::to_string(kMinKeyLength) +
                   " to " + std::to_string(kMaxKeyLength) +
                   " (e.g. openssl rand -hex 24)");
    for (char c : key)
      if (!IsKeyChar(c))
        return error("the key holds a character outside A-Z a-z 0-9 - _ . ~ + / =");
    if (!seen.insert(std::string(key)).second)
      return error("this key is already listed on an earlier line");
    k.key = std::string(key);
    k.label = comment.empty()
                  ? std::string(file_name) + ":" + std::to_string(line_no)
                  : std::string(comment);
    out.keys.push_back(std::move(k));
  }
  if (out.keys.empty())
    return Status::InvalidArgument(
        "API_KEYS_FILE", std::string(file_name) +
                             ": no keys; every request would be refused "
                             "(unset API_KEYS_FILE to turn API keys off)");
  return out;
}

Result<ApiKeys> LoadApiKeys(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0)
    return Status::IOError("API_KEYS_FILE " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return Status::InvalidArgument("API_KEYS_FILE", path + ": not a regular file");
  if ((st.st_mode & S_IWOTH) != 0)
    return Status::InvalidArgument(
        "API_KEYS_FILE", path + ": anyone may write to it (mode " +
                             std::to_string(st.st_mode & 0777) +
                             " decimal); chmod o-w " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("API_KEYS_FILE " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("API_KEYS_FILE " + path + ": read failed");
  return ParseApiKeys(text.str(), path);
}

bool IsWriteMethod(std::string_view method) {
  return !(method == "GET" || method == "HEAD" || method == "OPTIONS");
}

bool AuthExempt(std::string_view path) { return path == "/api/health"; }

AuthDecision Authorize(const ApiKeys& keys, std::string_view authorization,
                       std::string_view x_api_key, bool is_write) {
  std::string_view presented;
  authorization = Trim(authorization);
  x_api_key = Trim(x_api_key);
  if (!authorization.empty()) {
    std::string_view rest = authorization;
    const std::string_view scheme = TakeWord(&rest);
    if (!EqualsIgnoreCase(scheme, "Bearer"))
      return Deny(kUnauthorized,
                  "the Authorization header uses a scheme other than Bearer; "
                  "send \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"");
    presented = TakeWord(&rest);
    if (presented.empty() || !Trim(rest).empty())
      return Deny(kUnauthorized,
                  "the Authorization header is not \"Bearer <key>\"");
    if (!x_api_key.empty() && !ConstantTimeEqual(presented, x_api_key))
      return Deny(kUnauthorized,
                  "Authorization and X-API-Key present different keys");
  } else {
    presented = x_api_key;
  }
  if (presented.empty())
    return Deny(kUnauthorized,
                "no API key; send \"Authorization: Bearer <key>\" or "
                "\"X-API-Key: <key>\"");
  // Too long to be any key: refuse before comparing, so a huge header
  // cannot make us compare megabytes per stored key.
  if (presented.size() > kMaxKeyLength)
    return Deny(kUnauthorized, "the API key is not valid");

  // Compare with every key; remember the match without branching on it.
  std::size_t match = keys.keys.size();
  for (std::size_t i = 0; i < keys.keys.size(); ++i) {
    const std::size_t eq = ConstantTimeEqual(presented, keys.keys[i].key) ? 1 : 0;
    match = eq * i + (1 - eq) * match;
  }
  if (match == keys.keys.size())
    return Deny(kUnauthorized, "the API key is not valid");
  const ApiKey& key = keys.keys[match];
  if (is_write && key.scope != Scope::kReadWrite)
    return Deny(kForbidden,
                "this API key may only read; writes need a read-write key");
  AuthDecision d;
  d.allowed = true;
  d.who = key.label;
  return d;
}

}  // namespace lmdbapi::http
