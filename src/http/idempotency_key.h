// SPDX-License-Identifier: Apache-2.0
// src/http/idempotency_key.h - the Idempotency-Key header (IETF httpapi
// draft "The Idempotency-Key HTTP Header Field") on the worker's side.
//
// The header's value is a Structured Field sf-string (RFC 8941 3.3.3): a
// quoted string of printable ASCII, with \" and \\ its only escapes, e.g.
//   Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"
// What a write stores under the key (lmdbapi/batch.h) is the request's
// digest, SHA-256 over method, path, query and body, and the answer it got
// (EncodeAnswer: status, Content-Type, Location, ETag, body), so a repeat
// gets the same answer with Idempotent-Replayed: true.
//
// A repeat that arrives while the first request with its key is still
// being written by this process is refused with 409 (the draft's choice),
// rather than held: holding would tie up the answer path for as long as the
// first write takes. KeysInFlight tracks those keys. Across worker
// processes the write's own transaction decides (the second one replays).

#ifndef LMDBAPI_HTTP_IDEMPOTENCY_KEY_H_
#define LMDBAPI_HTTP_IDEMPOTENCY_KEY_H_

#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "http/handlers.h"
#include "lmdbapi/env.h"
#include "lmdbapi/status.h"

namespace lmdbapi::http {

// The key an Idempotency-Key header value carries, unquoted. Errors:
// kInvalidArgument, subject "Idempotency-Key": not an sf-string, empty, or
// longer than kMaxIdempotencyKeyBytes.
Status ParseIdempotencyKey(std::string_view header, std::string* key);

// SHA-256 of the request, 32 bytes; requests that differ in any of the
// four parts have different inputs (each part is length-prefixed).
std::string RequestDigest(std::string_view method, std::string_view path,
                          std::string_view query, std::string_view body);

// The parts of an answer a replay repeats, as msgpack bytes, and back.
// DecodeAnswer: false if the bytes are not an answer (*resp then unset).
std::string EncodeAnswer(const Response& resp);
bool DecodeAnswer(std::string_view bytes, Response* resp);

// Keys of writes this process has queued and not yet answered.
class KeysInFlight {
 public:
  // False if (env, key) is in flight already; else it is now.
  bool Claim(const Env* env, const std::string& key);
  void Release(const Env* env, const std::string& key);
  static KeysInFlight& Process();  // the one for this process

 private:
  std::mutex mu_;
  std::set<std::pair<const Env*, std::string>> keys_;
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_IDEMPOTENCY_KEY_H_
