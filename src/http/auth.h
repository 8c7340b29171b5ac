// SPDX-License-Identifier: Apache-2.0
// src/http/auth.h - optional API keys: who may read, who may write.
//
// Off unless API_KEYS_FILE names a keys file. The file is plain text, one
// key per line:
//
//   # lines starting with '#' and blank lines are ignored
//   read        3q2+7wBx9ZkQ1mLpR4tVu8==      # dashboard (reads only)
//   read-write  k7Jd9Qm2Zp4x8Rt1Lw6Nc3Vb      # importer
//
//   <scope> <key> [# comment]
//     scope    read | read-write
//     key      characters from A-Z a-z 0-9 and - _ . ~ + / = (hex, base64
//              and base64url keys all fit; no spaces, no '#'), at most 256,
//              and worth at least 128 bits if random (WeakKeyReason):
//              32 characters if all are hex digits (4 bits each), else 22
//              (base64's 6 bits each); and at least 8 different characters
//              (refuses "aaaa..." and "abab..."). openssl rand -hex 16 or
//              openssl rand -base64 24 makes one.
//     comment  anything after '#': names the key in the worker's log (the
//              debug line of each request it allows), which never shows
//              the key itself
//
// A key may appear once. A file with no key at all is an error (it would
// lock everyone out; unset API_KEYS_FILE to turn keys off).
//
// The file itself (LoadApiKeys) must be one only the worker and root may
// change or read: opened with O_NOFOLLOW (no symbolic link) and checked on
// the descriptor read (fstat, so nothing is swapped in between), it must
// be a regular file owned by the worker's effective user or root, with
// mode 0600 or stricter, or 0640 with a group the worker is in; and its
// directory must not let everyone replace it (world-writable without the
// sticky bit, as /tmp has). Each refusal is one line naming the file, and
// the line for a bad key.
//
// A request presents its key as `Authorization: Bearer <key>` or
// `X-API-Key: <key>` (both may be sent if they agree). With keys on:
//   no key, an unknown key, a malformed header     401 + WWW-Authenticate
//   a read key on a write (anything but GET/HEAD)  403
// both as application/problem+json (the ProblemType below). AuthExempt
// paths (/api/health) are answered without a key.
//
// The presented key is compared with every stored key, each comparison
// touching every byte, with no early exit, so the time taken does not tell
// how much of a key was right or which key matched.
//
// Pure functions over an ApiKeys value: no I/O apart from LoadApiKeys.
// An ApiKeys is immutable once loaded; share it between threads freely.

#ifndef LMDBAPI_HTTP_AUTH_H_
#define LMDBAPI_HTTP_AUTH_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/problem.h"
#include "lmdbapi/status.h"

namespace lmdbapi::http {

enum class Scope { kRead, kReadWrite };

// A key not all hex digits needs kMinKeyLength characters; an all-hex one
// kMinHexKeyLength; both need kMinDistinctKeyChars different characters.
inline constexpr std::size_t kMinKeyLength = 22;
inline constexpr std::size_t kMinHexKeyLength = 32;
inline constexpr std::size_t kMinDistinctKeyChars = 8;
inline constexpr std::size_t kMaxKeyLength = 256;
inline constexpr std::size_t kMaxKeysFileBytes = 1 << 20;

struct ApiKey {
  Scope scope = Scope::kRead;
  std::string key;
  std::string label;  // the comment, or "<file>:<line>" if none
};

struct ApiKeys {
  std::vector<ApiKey> keys;
};

// Parses a keys file's text; `file_name` only appears in error messages.
// Errors: kInvalidArgument "<file>:<line>: <what is wrong>", subject
// "API_KEYS_FILE".
Result<ApiKeys> ParseApiKeys(std::string_view text, std::string_view file_name);

// Why `key` (of valid characters) is too weak to use, or "" if it is not:
// over kMaxKeyLength, shorter than the rule above, or too few different
// characters. The text completes "<file>:<line>: ".
std::string WeakKeyReason(std::string_view key);

// Checks, reads and parses the file at `path` (see above). kIOError if it
// cannot be opened or read; kInvalidArgument "API_KEYS_FILE <path>: <why>"
// if its kind, owner, mode or directory is refused, or as ParseApiKeys.
Result<ApiKeys> LoadApiKeys(const std::string& path);

struct AuthDecision {
  bool allowed = false;
  ProblemType problem{0, "", ""};  // when !allowed: 401 or 403
  std::string detail;              // when !allowed: for the problem body
  // When !allowed with 401: the WWW-Authenticate header value to send.
  std::string_view www_authenticate;
  // When allowed: the key's label, for the access log. Never the key.
  std::string_view who;
};

// Decides one request. `authorization` and `x_api_key` are the values of
// those headers ("" when absent; the FastCGI params HTTP_AUTHORIZATION and
// HTTP_X_API_KEY). is_write: IsWriteMethod(REQUEST_METHOD).
AuthDecision Authorize(const ApiKeys& keys, std::string_view authorization,
                       std::string_view x_api_key, bool is_write);

// Everything but GET, HEAD and OPTIONS needs a read-write key.
bool IsWriteMethod(std::string_view method);

// Paths answered without a key (liveness probes): /api/health.
bool AuthExempt(std::string_view path);

// The problem types Authorize answers (401, 403), for the OpenAPI document.
std::vector<ProblemType> AuthProblemTypes();

// True iff a == b, in time that depends only on the lengths. Exposed for
// the tests.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_AUTH_H_
