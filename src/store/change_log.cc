// SPDX-License-Identifier: Apache-2.0
// src/store/change_log.cc - see change_log.h.

#include "store/change_log.h"

#include <chrono>
#include <exception>
#include <msgpack.hpp>

#include "store/index_ops.h"
#include "store/mdb_status.h"

namespace lmdbapi {
namespace {

// msgpack-c's packer writes to any stream with write(); a std::string
// reused by the thread avoids an sbuffer's allocation per change.
struct StringStream {
  std::string* out;
  void write(const char* data, std::size_t n) { out->append(data, n); }
};

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Strings and bins stay in the buffer unpacked (views into LMDB's map),
// not copied into the zone.
bool Reference(msgpack::type::object_type, std::size_t, void*) { return true; }

Status Bad(const std::string& why) {
  return Status::Corruption(std::string(kChangesDb) + " holds a change " + why);
}

// The last seq held in `txn`, 0 if none.
Status LastSeq(Env::Impl& env, MDB_txn* txn, std::uint64_t* seq) {
  Cursor cur;
  Status s = cur.Open(txn, env.changes, kChangesDb);
  if (!s.ok()) return s;
  MDB_val k, v;
  int rc = cur.Get(&k, &v, MDB_LAST);
  if (rc == MDB_NOTFOUND) {
    *seq = 0;
    return Status();
  }
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_cursor_get changes");
  if (!ChangeSeq(FromVal(k), seq)) return Bad("with a key not 8 bytes long");
  return Status();
}

}  // namespace

std::string ChangeKey(std::uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8)
    key[i] = static_cast<char>(seq & 0xff);
  return key;
}

bool ChangeSeq(std::string_view key, std::uint64_t* seq) {
  if (key.size() != 8) return false;
  std::uint64_t n = 0;
  for (char c : key) n = (n << 8) | static_cast<unsigned char>(c);
  *seq = n;
  return true;
}

Status AppendChange(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                    const Uuid& uuid, ChangeOp op, std::uint64_t revision,
                    std::string_view record) {
  if (!env.options.changes) return Status();
  std::uint64_t last = 0;
  Status s = LastSeq(env, txn, &last);
  if (!s.ok()) return s;
  std::uint64_t seq = last + 1;
  if (env.feed_marked_write != env.feed_write) {
    env.feed_marked_write = env.feed_write;
    env.feed_txn_first = seq;
  }
  thread_local std::string value;
  value.clear();
  StringStream stream{&value};
  msgpack::packer<StringStream> pk(stream);
  pk.pack_array(7);
  pk.pack_uint64(env.feed_txn_first);
  pk.pack_str(static_cast<std::uint32_t>(table.name.size()));
  pk.pack_str_body(table.name.data(), static_cast<std::uint32_t>(table.name.size()));
  std::string_view id = uuid.AsBytes();
  pk.pack_bin(static_cast<std::uint32_t>(id.size()));
  pk.pack_bin_body(id.data(), static_cast<std::uint32_t>(id.size()));
  pk.pack_uint8(static_cast<std::uint8_t>(op));
  pk.pack_uint64(revision);
  if (op == ChangeOp::kDelete) {
    pk.pack_nil();
  } else {
    pk.pack_bin(static_cast<std::uint32_t>(record.size()));
    pk.pack_bin_body(record.data(), static_cast<std::uint32_t>(record.size()));
  }
  pk.pack_int64(NowMs());
  std::string key = ChangeKey(seq);
  MDB_val k = ToVal(key), v = ToVal(value);
  // The largest key: MDB_APPEND skips the search and fills pages whole.
  return FromMdb(mdb_put(txn, env.changes, &k, &v, MDB_APPEND),
                 "mdb_put changes");
}

Status DecodeChange(std::string_view value, Change* change) {
  try {
    msgpack::object_handle oh =
        msgpack::unpack(value.data(), value.size(), Reference);
    const msgpack::object& o = oh.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size < 7)
      return Bad("that is not an array of 7");
    const msgpack::object* a = o.via.array.ptr;
    if (a[1].type != msgpack::type::STR) return Bad("whose table is not a string");
    if (a[2].type != msgpack::type::BIN) return Bad("whose uuid is not bytes");
    change->txn = a[0].as<std::uint64_t>();
    change->table_name = std::string_view(a[1].via.str.ptr, a[1].via.str.size);
    if (!Uuid::FromBytes(std::string_view(a[2].via.bin.ptr, a[2].via.bin.size),
                         &change->uuid))
      return Bad("whose uuid is not 16 bytes");
    unsigned op = a[3].as<unsigned>();
    if (op < 1 || op > 3) return Bad("with operation " + std::to_string(op));
    change->op = static_cast<ChangeOp>(op);
    change->revision = a[4].as<std::uint64_t>();
    if (a[5].type == msgpack::type::BIN)
      change->record = std::string_view(a[5].via.bin.ptr, a[5].via.bin.size);
    else if (a[5].type == msgpack::type::NIL)
      change->record = {};
    else
      return Bad("whose record is neither bytes nor nil");
    change->time_ms = a[6].as<std::int64_t>();
    // The views point into `value`, which outlives the handle's zone:
    // Reference kept every string and bin there.
    return Status();
  } catch (const std::exception& e) {
    return Bad(std::string("that is not msgpack: ") + e.what());
  }
}

Result<std::size_t> TrimChanges(Env::Impl& env, MDB_txn* txn,
                                std::size_t max_steps) {
  const Options& o = env.options;
  if (o.changes_retain_count == 0 && o.changes_retain_seconds == 0)
    return std::size_t{0};
  MDB_stat st;
  int rc = mdb_stat(txn, env.changes, &st);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_stat changes");
  std::uint64_t entries = st.ms_entries;
  std::uint64_t over_count =
      o.changes_retain_count != 0 && entries > o.changes_retain_count
          ? entries - o.changes_retain_count
          : 0;
  std::int64_t cutoff =
      o.changes_retain_seconds != 0
          ? NowMs() - static_cast<std::int64_t>(o.changes_retain_seconds) * 1000
          : 0;
  if (over_count == 0 && cutoff == 0) return std::size_t{0};

  Cursor cur;
  Status s = cur.Open(txn, env.changes, kChangesDb);
  if (!s.ok()) return s;
  std::size_t trimmed = 0;
  MDB_val k, v;
  for (rc = cur.Get(&k, &v, MDB_FIRST);
       rc == MDB_SUCCESS && trimmed < max_steps && entries > 1;
       rc = cur.Get(&k, &v, MDB_FIRST)) {
    if (trimmed >= over_count) {
      if (cutoff == 0) break;
      Change c;
      s = DecodeChange(FromVal(v), &c);
      if (!s.ok()) return s;
      if (c.time_ms >= cutoff) break;
    }
    // A copy: the key LMDB handed out lies in the page being changed.
    std::string key(FromVal(k));
    MDB_val del = ToVal(key);
    rc = mdb_del(txn, env.changes, &del, nullptr);
    if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_del changes");
    ++trimmed;
    --entries;
  }
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
    return FromMdb(rc, "mdb_cursor_get changes");
  return trimmed;
}

}  // namespace lmdbapi
