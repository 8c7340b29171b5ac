// SPDX-License-Identifier: Apache-2.0
// src/http/idempotency_key.cc - see idempotency_key.h.

#include "http/idempotency_key.h"

#include <openssl/evp.h>

#include <msgpack.hpp>

#include <cstdint>
#include <exception>

#include "http/header_text.h"
#include "http/problem.h"
#include "lmdbapi/batch.h"

namespace lmdbapi::http {
namespace {

Status BadKey(std::string msg) {
  return Status::InvalidArgument("Idempotency-Key", "Idempotency-Key: " + msg);
}

void AddPart(EVP_MD_CTX* ctx, std::string_view part) {
  std::uint8_t len[8];
  std::uint64_t n = part.size();
  for (int i = 7; i >= 0; --i, n >>= 8) len[i] = static_cast<std::uint8_t>(n);
  EVP_DigestUpdate(ctx, len, sizeof len);
  EVP_DigestUpdate(ctx, part.data(), part.size());
}

// The content types an answer may have: a replayed answer's view points
// at one of these (or, for one not listed, at the Response's own copy).
const std::string_view kKnownTypes[] = {kJsonContentType, kProblemContentType};

}  // namespace

Status ParseIdempotencyKey(std::string_view header, std::string* key) {
  key->clear();
  // RFC 8941 4.2: leading and trailing spaces are dropped before parsing.
  std::string_view v = Trim(header);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"')
    return BadKey("the key must be a quoted string (an RFC 8941 sf-string), "
                  "e.g. \"8e03978e-40d5-43e8-bc93-6894a57f9324\"");
  v = v.substr(1, v.size() - 2);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if (c == '\\') {
      if (i + 1 == v.size() || (v[i + 1] != '"' && v[i + 1] != '\\'))
        return BadKey("in an sf-string only \\\" and \\\\ are escapes");
      key->push_back(v[++i]);
    } else if (c == '"') {
      return BadKey("a quote inside the key must be escaped as \\\"");
    } else if (c < 0x20 || c > 0x7e) {
      return BadKey("the key may hold only printable ASCII (RFC 8941 "
                    "sf-string)");
    } else {
      key->push_back(static_cast<char>(c));
    }
  }
  if (key->empty()) return BadKey("the key is empty");
  if (key->size() > kMaxIdempotencyKeyBytes)
    return BadKey("the key is " + std::to_string(key->size()) +
                  " characters; at most " +
                  std::to_string(kMaxIdempotencyKeyBytes) +
                  " are accepted (a UUID is 36)");
  return Status();
}

std::string RequestDigest(std::string_view method, std::string_view path,
                          std::string_view query, std::string_view body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) throw std::bad_alloc();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (std::string_view part : {method, path, query, body}) AddPart(ctx, part);
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string EncodeAnswer(const Response& resp) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(5);
  pk.pack_int(resp.status);
  pk.pack(std::string(resp.content_type));
  pk.pack(resp.location);
  pk.pack(resp.etag);
  pk.pack_bin(static_cast<std::uint32_t>(resp.body.size()));
  pk.pack_bin_body(resp.body.data(), static_cast<std::uint32_t>(resp.body.size()));
  return std::string(buf.data(), buf.size());
}

bool DecodeAnswer(std::string_view bytes, Response* resp) {
  try {
    msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
    const msgpack::object& o = oh.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 5) return false;
    const msgpack::object* a = o.via.array.ptr;
    if (a[4].type != msgpack::type::BIN) return false;
    resp->status = a[0].as<int>();
    resp->replayed_content_type = a[1].as<std::string>();
    resp->content_type = resp->replayed_content_type;
    for (std::string_view known : kKnownTypes)
      if (known == resp->replayed_content_type) resp->content_type = known;
    resp->location = a[2].as<std::string>();
    resp->etag = a[3].as<std::string>();
    resp->body.assign(a[4].via.bin.ptr, a[4].via.bin.size);
    resp->idempotent_replayed = true;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool KeysInFlight::Claim(const Env* env, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.emplace(env, key).second;
}

void KeysInFlight::Release(const Env* env, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.erase({env, key});
}

KeysInFlight& KeysInFlight::Process() {
  static KeysInFlight keys;
  return keys;
}

}  // namespace lmdbapi::http
