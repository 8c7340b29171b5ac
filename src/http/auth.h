// src/http/auth.h - optional API keys: who may read, who may write.
//
// Off unless API_KEYS_FILE names a keys file. The file is plain text, one
// key per line:
//
//   # lines starting with '#' and blank lines are ignored
//   read        3q2+7wAAAAAAAAAAAAAAAA        # dashboard (reads only)
//   read-write  k7Jd9Qm2Zp4x8Rt1Lw6Nc3Vb      # importer
//
//   <scope> <key> [# comment]
//     scope    read | read-write
//     key      16..256 characters from A-Z a-z 0-9 and - _ . ~ + / =
//              (hex, base64 and base64url keys all fit; no spaces, no '#')
//     comment  anything after '#': names the key in the worker's log, which
//              never shows the key itself
//
// A key may appear once. A file with no key at all is an error (it would
// lock everyone out; unset API_KEYS_FILE to turn keys off), and so is a
// file others may write to. Errors name the file and the line.
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

inline constexpr std::size_t kMinKeyLength = 16;
inline constexpr std::size_t kMaxKeyLength = 256;

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

// Reads and parses the file at `path`. kIOError if it cannot be read;
// kInvalidArgument if it is writable by others, or as ParseApiKeys.
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
