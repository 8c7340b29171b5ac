// SPDX-License-Identifier: Apache-2.0
// src/store/idempotency.cc - see idempotency.h.

#include "store/idempotency.h"

#include <msgpack.hpp>

#include <exception>

#include "store/index_ops.h"
#include "store/mdb_status.h"

namespace lmdbapi {
namespace {

std::string ExpiryKey(std::uint64_t expires_at, std::string_view key) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(expires_at & 0xff);
    expires_at >>= 8;
  }
  out.append(key);
  return out;
}

std::uint64_t ExpiryOf(std::string_view expiry_key) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<unsigned char>(expiry_key[i]);
  return v;
}

// The stored value; false if it is not one (the message says why).
bool Decode(std::string_view bytes, StoredIdempotencyKey* out) {
  try {
    msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
    const msgpack::object& o = oh.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 3) return false;
    const msgpack::object* a = o.via.array.ptr;
    if (a[0].type != msgpack::type::POSITIVE_INTEGER ||
        a[1].type != msgpack::type::BIN || a[2].type != msgpack::type::BIN)
      return false;
    out->expires_at = a[0].via.u64;
    out->digest.assign(a[1].via.bin.ptr, a[1].via.bin.size);
    out->answer.assign(a[2].via.bin.ptr, a[2].via.bin.size);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string Encode(const StoredIdempotencyKey& entry) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(3);
  pk.pack_uint64(entry.expires_at);
  pk.pack_bin(static_cast<std::uint32_t>(entry.digest.size()));
  pk.pack_bin_body(entry.digest.data(),
                   static_cast<std::uint32_t>(entry.digest.size()));
  pk.pack_bin(static_cast<std::uint32_t>(entry.answer.size()));
  pk.pack_bin_body(entry.answer.data(),
                   static_cast<std::uint32_t>(entry.answer.size()));
  return std::string(buf.data(), buf.size());
}

// The entry as stored, expired or not.
Status GetAny(Env::Impl& env, MDB_txn* txn, std::string_view key,
              StoredIdempotencyKey* out, bool* found) {
  *found = false;
  MDB_val k = ToVal(key), v;
  int rc = mdb_get(txn, env.idempotency, &k, &v);
  if (rc == MDB_NOTFOUND) return Status();
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_get idempotency-keys");
  if (!Decode(FromVal(v), out))
    return Status::Corruption("idempotency-keys: the entry of a key does "
                              "not decode (lmdbapi-admin check)");
  *found = true;
  return Status();
}

}  // namespace

Status GetIdempotencyKey(Env::Impl& env, MDB_txn* txn, std::string_view key,
                         std::uint64_t now, StoredIdempotencyKey* out,
                         bool* found) {
  Status s = GetAny(env, txn, key, out, found);
  if (s.ok() && *found && out->expires_at <= now) *found = false;
  return s;
}

Status PutIdempotencyKey(Env::Impl& env, MDB_txn* txn, std::string_view key,
                         const StoredIdempotencyKey& entry) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyBytes)
    return Status::InvalidArgument(
        "Idempotency-Key", "an idempotency key holds 1 to " +
                               std::to_string(kMaxIdempotencyKeyBytes) +
                               " bytes");
  StoredIdempotencyKey old;
  bool found = false;
  Status s = GetAny(env, txn, key, &old, &found);
  if (!s.ok()) return s;
  if (found) {
    std::string ek = ExpiryKey(old.expires_at, key);
    MDB_val k = ToVal(ek);
    int rc = mdb_del(txn, env.idempotency_expiry, &k, nullptr);
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
      return FromMdb(rc, "mdb_del idempotency-expiry");
  }
  std::string bytes = Encode(entry);
  MDB_val k = ToVal(key), v = ToVal(bytes);
  s = FromMdb(mdb_put(txn, env.idempotency, &k, &v, 0),
              "mdb_put idempotency-keys");
  if (!s.ok()) return s;
  std::string ek = ExpiryKey(entry.expires_at, key);
  MDB_val ekv = ToVal(ek), empty{0, nullptr};
  return FromMdb(mdb_put(txn, env.idempotency_expiry, &ekv, &empty, 0),
                 "mdb_put idempotency-expiry");
}

Status SweepIdempotencyKeys(Env::Impl& env, MDB_txn* txn, std::uint64_t now,
                            std::size_t max, std::size_t* removed) {
  if (removed != nullptr) *removed = 0;
  for (std::size_t n = 0; n < max; ++n) {
    // The oldest entry, found afresh each time: it is always the first
    // (the one before it was just deleted), and no cursor is kept across
    // the deletes.
    std::string ek;
    {
      Cursor cur;
      Status s = cur.Open(txn, env.idempotency_expiry, kIdempotencyExpiryDb);
      if (!s.ok()) return s;
      MDB_val k, v;
      int rc = cur.Get(&k, &v, MDB_FIRST);
      if (rc == MDB_NOTFOUND) return Status();
      if (rc != MDB_SUCCESS)
        return FromMdb(rc, "mdb_cursor_get idempotency-expiry");
      ek = std::string(FromVal(k));
    }
    if (ek.size() < 8)
      return Status::Corruption(
          "idempotency-expiry: a key shorter than 8 bytes (lmdbapi-admin "
          "check)");
    const std::uint64_t expires_at = ExpiryOf(ek);
    if (expires_at > now) return Status();
    const std::string_view key = std::string_view(ek).substr(8);
    // The key's own entry goes only if this is its expiry (a key stored
    // again has a later one, with an expiry entry of its own).
    StoredIdempotencyKey entry;
    bool found = false;
    Status s = GetAny(env, txn, key, &entry, &found);
    if (!s.ok()) return s;
    if (found && entry.expires_at == expires_at) {
      MDB_val kk = ToVal(key);
      s = FromMdb(mdb_del(txn, env.idempotency, &kk, nullptr),
                  "mdb_del idempotency-keys");
      if (!s.ok()) return s;
    }
    MDB_val ekv = ToVal(ek);
    s = FromMdb(mdb_del(txn, env.idempotency_expiry, &ekv, nullptr),
                "mdb_del idempotency-expiry");
    if (!s.ok()) return s;
    if (removed != nullptr) ++*removed;
  }
  return Status();
}

}  // namespace lmdbapi
