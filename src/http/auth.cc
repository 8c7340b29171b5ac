// SPDX-License-Identifier: Apache-2.0
// src/http/auth.cc - see auth.h.

#include "http/auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <vector>

#include "http/header_text.h"

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

// The next space-separated word of *s, removed from it.
std::string_view TakeWord(std::string_view* s) {
  *s = Trim(*s);
  std::size_t end = 0;
  while (end < s->size() && !IsHeaderSpace((*s)[end])) ++end;
  std::string_view word = s->substr(0, end);
  s->remove_prefix(end);
  return word;
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

std::string Octal(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

// True if the worker (effective ids) is in group `gid`.
bool InOurGroup(gid_t gid) {
  if (gid == getegid()) return true;
  const int n = getgroups(0, nullptr);
  if (n <= 0) return false;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  const int got = getgroups(n, groups.data());
  for (int i = 0; i < got; ++i)
    if (groups[static_cast<std::size_t>(i)] == gid) return true;
  return false;
}

// Closes the fd on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) close(fd);
  }
};

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

std::string WeakKeyReason(std::string_view key) {
  const std::string fix = "; make one with openssl rand -hex 16 (or -base64 24)";
  if (key.size() > kMaxKeyLength)
    return "the key is " + std::to_string(key.size()) + " characters; at most " +
           std::to_string(kMaxKeyLength) + " are accepted";
  bool all_hex = true;
  bool seen[256] = {};
  std::size_t distinct = 0;
  for (char c : key) {
    all_hex = all_hex && IsHexDigit(c);
    unsigned char u = static_cast<unsigned char>(c);
    if (!seen[u]) {
      seen[u] = true;
      ++distinct;
    }
  }
  const std::size_t need = all_hex ? kMinHexKeyLength : kMinKeyLength;
  if (key.size() < need)
    return "the key is " + std::to_string(key.size()) + " characters; a " +
           (all_hex ? "hex" : "non-hex") + " key needs at least " +
           std::to_string(need) + " for 128 bits" + fix;
  if (distinct < kMinDistinctKeyChars)
    return "the key has only " + std::to_string(distinct) +
           " different characters (at least " +
           std::to_string(kMinDistinctKeyChars) +
           "); it does not look random" + fix;
  return "";
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
    for (char c : key)
      if (!IsKeyChar(c))
        return error("the key holds a character outside A-Z a-z 0-9 - _ . ~ + / =");
    if (std::string why = WeakKeyReason(key); !why.empty()) return error(why);
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
  auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument("API_KEYS_FILE",
                                   "API_KEYS_FILE " + path + ": " + why);
  };
  // O_NOFOLLOW: a link could point anywhere later. O_NONBLOCK: a FIFO
  // must not hang start-up (a regular file ignores it). Every check below
  // is on this descriptor, the one read, so nothing can be swapped in
  // between the checks and the read.
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP)
      return refuse("is a symbolic link; name the file itself");
    return Status::IOError("API_KEYS_FILE " + path + ": " + std::strerror(errno));
  }
  FdCloser closer{fd};
  struct stat st{};
  if (fstat(fd, &st) != 0)
    return Status::IOError("API_KEYS_FILE " + path + ": fstat: " +
                           std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return refuse("not a regular file");
  if (st.st_uid != geteuid() && st.st_uid != 0)
    return refuse("owned by uid " + std::to_string(st.st_uid) +
                  ", neither this worker's user (uid " +
                  std::to_string(geteuid()) +
                  ") nor root; chown it to one of them");
  const unsigned perms = st.st_mode & 0777;
  const bool private_file = (perms & 077) == 0;
  const bool group_reads = (perms & 077) == 040 && InOurGroup(st.st_gid);
  if (!private_file && !group_reads)
    return refuse("mode " + Octal(perms) +
                  " lets other users read or change the keys; chmod 600 " +
                  path + " (or 640 with the worker's group)");

  // Whoever may write to the directory may replace the file before the
  // next start; the sticky bit (/tmp) stops that for files they don't own.
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  struct stat dst{};
  if (stat(dir.c_str(), &dst) != 0)
    return Status::IOError("API_KEYS_FILE " + path + ": directory " + dir +
                           ": " + std::strerror(errno));
  if ((dst.st_mode & S_IWOTH) != 0 && (dst.st_mode & S_ISVTX) == 0)
    return refuse("its directory " + dir + " (mode " + Octal(dst.st_mode) +
                  ") lets anyone replace it; move the file, or chmod o-w " +
                  dir);

  if (st.st_size > static_cast<off_t>(kMaxKeysFileBytes))
    return refuse("is " + std::to_string(st.st_size) +
                  " bytes; a keys file has at most " +
                  std::to_string(kMaxKeysFileBytes));
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Status::IOError("API_KEYS_FILE " + path + ": read: " +
                             std::strerror(errno));
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxKeysFileBytes)
      return refuse("grew past " + std::to_string(kMaxKeysFileBytes) +
                    " bytes while being read");
  }
  return ParseApiKeys(text, path);
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
