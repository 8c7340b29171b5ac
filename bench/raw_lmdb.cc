// SPDX-License-Identifier: Apache-2.0
// bench/raw_lmdb.cc - see raw_lmdb.h.

#include "raw_lmdb.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace lmdbapi::bench {
namespace {

void Check(int rc, const char* what) {
  if (rc == MDB_SUCCESS) return;
  std::fprintf(stderr, "raw_lmdb: %s: %s\n", what, mdb_strerror(rc));
  std::exit(1);
}

MDB_val Val(const void* data, std::size_t size) {
  return MDB_val{size, const_cast<void*>(data)};
}

std::string CompositeKey(const std::string& client, const std::string& county,
                         const std::string& status) {
  std::string k = client;
  k += '\0';
  k += county;
  k += '\0';
  k += status;
  return k;
}

std::array<unsigned char, 4> DayKey(std::int32_t day) {
  std::uint32_t u = static_cast<std::uint32_t>(day) ^ 0x80000000u;
  return {static_cast<unsigned char>(u >> 24), static_cast<unsigned char>(u >> 16),
          static_cast<unsigned char>(u >> 8), static_cast<unsigned char>(u)};
}

// A string, a 0 byte, then a day: the client + day and county + day keys.
std::string StringDayKey(const std::string& s, std::int32_t day) {
  auto d = DayKey(day);
  std::string k = s;
  k += '\0';
  k.append(reinterpret_cast<const char*>(d.data()), d.size());
  return k;
}

// fee (8 bytes, native order) | day (4) | the strings, 0x1f-separated.
std::string EncodeValue(const Permit& p) {
  std::string v(12, '\0');
  std::memcpy(v.data(), &p.fee_cents, 8);
  std::memcpy(v.data() + 8, &p.issued_on, 4);
  for (const std::string* s : {&p.permit_number, &p.client, &p.county,
                               &p.county_status, &p.notes}) {
    v += *s;
    v += '\x1f';
  }
  return v;
}

// A reader brings the whole value into cache, as a decoder has to: one
// byte of every cache line it spans, and no work beyond that.
unsigned Touch(const MDB_val& v) {
  const unsigned char* b = static_cast<const unsigned char*>(v.mv_data);
  unsigned sum = b[v.mv_size - 1];
  for (std::size_t i = 0; i < v.mv_size; i += 64) sum += b[i];
  return sum;
}

}  // namespace

RawStore::~RawStore() { Close(); }

void RawStore::Open(const std::string& dir, bool sync) {
  mkdir(dir.c_str(), 0755);
  Check(mdb_env_create(&env_), "mdb_env_create");
  Check(mdb_env_set_mapsize(env_, std::size_t{1} << 30), "mdb_env_set_mapsize");
  Check(mdb_env_set_maxdbs(env_, 10), "mdb_env_set_maxdbs");
  Check(mdb_env_set_maxreaders(env_, 126), "mdb_env_set_maxreaders");
  unsigned flags = MDB_NOTLS | (sync ? 0 : MDB_NOSYNC);
  Check(mdb_env_open(env_, dir.c_str(), flags, 0644), "mdb_env_open");
  MDB_txn* txn;
  Check(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin");
  Check(mdb_dbi_open(txn, "records", MDB_CREATE, &records_), "open records");
  Check(mdb_dbi_open(txn, "by_number", MDB_CREATE, &by_number_), "open by_number");
  unsigned dup = MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED;
  Check(mdb_dbi_open(txn, "composite", dup, &composite_), "open composite");
  Check(mdb_dbi_open(txn, "by_day", dup, &by_day_), "open by_day");
  Check(mdb_dbi_open(txn, "client_day", dup, &client_day_), "open client_day");
  Check(mdb_dbi_open(txn, "county_day", dup, &county_day_), "open county_day");
  MDB_stat st;
  Check(mdb_stat(txn, records_, &st), "mdb_stat");
  next_key_ = st.ms_entries + 1;
  Check(mdb_txn_commit(txn), "mdb_txn_commit");
}

void RawStore::Close() {
  if (env_ != nullptr) mdb_env_close(env_);
  env_ = nullptr;
}

RawKey RawStore::Insert(const Permit& p) {
  std::uint64_t n = next_key_++;
  RawKey key{};
  for (int i = 0; i < 8; ++i) key[i] = static_cast<unsigned char>(n >> (56 - 8 * i));
  key[8] = 0x70;  // a constant "version" nibble, like a v7 uuid's
  std::string value = EncodeValue(p);
  std::string comp = CompositeKey(p.client, p.county, p.county_status);
  auto day = DayKey(p.issued_on);

  MDB_txn* txn;
  Check(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin");
  MDB_val k = Val(key.data(), 16), v = Val(value.data(), value.size());
  Check(mdb_put(txn, records_, &k, &v, MDB_NOOVERWRITE), "put record");
  MDB_val nk = Val(p.permit_number.data(), p.permit_number.size()),
          u = Val(key.data(), 16);
  Check(mdb_put(txn, by_number_, &nk, &u, MDB_NOOVERWRITE), "put by_number");
  MDB_val ck = Val(comp.data(), comp.size());
  Check(mdb_put(txn, composite_, &ck, &u, MDB_NODUPDATA), "put composite");
  MDB_val dk = Val(day.data(), day.size());
  Check(mdb_put(txn, by_day_, &dk, &u, MDB_NODUPDATA), "put by_day");
  std::string client_day = StringDayKey(p.client, p.issued_on);
  std::string county_day = StringDayKey(p.county, p.issued_on);
  MDB_val cdk = Val(client_day.data(), client_day.size());
  Check(mdb_put(txn, client_day_, &cdk, &u, MDB_NODUPDATA), "put client_day");
  MDB_val ndk = Val(county_day.data(), county_day.size());
  Check(mdb_put(txn, county_day_, &ndk, &u, MDB_NODUPDATA), "put county_day");
  Check(mdb_txn_commit(txn), "mdb_txn_commit");
  return key;
}

MDB_txn* RawStore::Reader(MDB_txn** txn) {
  if (*txn == nullptr) {
    Check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, txn), "mdb_txn_begin ro");
  } else {
    Check(mdb_txn_renew(*txn), "mdb_txn_renew");
  }
  return *txn;
}

bool RawStore::Get(const RawKey& key, MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  MDB_val k = Val(key.data(), 16), v;
  int rc = mdb_get(t, records_, &k, &v);
  volatile unsigned sink = rc == MDB_SUCCESS ? Touch(v) : 0;
  (void)sink;
  mdb_txn_reset(t);
  return rc == MDB_SUCCESS;
}

std::size_t RawStore::Composite(std::size_t combo, MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  std::string comp =
      CompositeKey(ClientOf(combo), CountyOf(combo), StatusOf(combo));
  MDB_cursor* cur;
  Check(mdb_cursor_open(t, composite_, &cur), "mdb_cursor_open");
  MDB_val k = Val(comp.data(), comp.size()), u, v;
  std::size_t n = 0;
  unsigned sink = 0;
  for (int rc = mdb_cursor_get(cur, &k, &u, MDB_SET); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(cur, &k, &u, MDB_NEXT_DUP)) {
    Check(mdb_get(t, records_, &u, &v), "mdb_get");
    sink += Touch(v);
    ++n;
  }
  mdb_cursor_close(cur);
  mdb_txn_reset(t);
  volatile unsigned keep = sink;
  (void)keep;
  return n;
}

std::size_t RawStore::Range(std::int32_t from, std::int32_t to, MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  auto lo = DayKey(from), hi = DayKey(to);
  MDB_cursor* cur;
  Check(mdb_cursor_open(t, by_day_, &cur), "mdb_cursor_open");
  MDB_val k = Val(lo.data(), 4), u, v;
  std::size_t n = 0;
  unsigned sink = 0;
  for (int rc = mdb_cursor_get(cur, &k, &u, MDB_SET_RANGE); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(cur, &k, &u, MDB_NEXT)) {
    if (std::memcmp(k.mv_data, hi.data(), 4) > 0) break;
    Check(mdb_get(t, records_, &u, &v), "mdb_get");
    sink += Touch(v);
    ++n;
  }
  mdb_cursor_close(cur);
  mdb_txn_reset(t);
  volatile unsigned keep = sink;
  (void)keep;
  return n;
}

std::size_t RawStore::ClientRange(const std::string& client, std::int32_t from,
                                  std::int32_t to, MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  std::string lo = StringDayKey(client, from), hi = StringDayKey(client, to);
  MDB_cursor* cur;
  Check(mdb_cursor_open(t, client_day_, &cur), "mdb_cursor_open");
  MDB_val k = Val(lo.data(), lo.size()), u, v;
  std::size_t n = 0;
  unsigned sink = 0;
  for (int rc = mdb_cursor_get(cur, &k, &u, MDB_SET_RANGE); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(cur, &k, &u, MDB_NEXT)) {
    if (std::string_view(static_cast<const char*>(k.mv_data), k.mv_size) > hi) break;
    Check(mdb_get(t, records_, &u, &v), "mdb_get");
    sink += Touch(v);
    ++n;
  }
  mdb_cursor_close(cur);
  mdb_txn_reset(t);
  volatile unsigned keep = sink;
  (void)keep;
  return n;
}

std::size_t RawStore::RangeDesc(std::int32_t from, std::int32_t to,
                                std::size_t limit, MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  auto lo = DayKey(from), after = DayKey(to + 1);
  MDB_cursor* cur;
  Check(mdb_cursor_open(t, by_day_, &cur), "mdb_cursor_open");
  MDB_val k = Val(after.data(), 4), u, v;
  int rc = mdb_cursor_get(cur, &k, &u, MDB_SET_RANGE);
  rc = rc == MDB_SUCCESS ? mdb_cursor_get(cur, &k, &u, MDB_PREV)
                         : mdb_cursor_get(cur, &k, &u, MDB_LAST);
  std::size_t n = 0;
  unsigned sink = 0;
  for (; rc == MDB_SUCCESS && n < limit;
       rc = mdb_cursor_get(cur, &k, &u, MDB_PREV)) {
    if (std::memcmp(k.mv_data, lo.data(), 4) < 0) break;
    Check(mdb_get(t, records_, &u, &v), "mdb_get");
    sink += Touch(v);
    ++n;
  }
  mdb_cursor_close(cur);
  mdb_txn_reset(t);
  volatile unsigned keep = sink;
  (void)keep;
  return n;
}

std::size_t RawStore::CountAll(MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  MDB_stat st;
  Check(mdb_stat(t, records_, &st), "mdb_stat");
  mdb_txn_reset(t);
  return st.ms_entries;
}

std::size_t RawStore::CountComposite(std::size_t combo, MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  std::string comp =
      CompositeKey(ClientOf(combo), CountyOf(combo), StatusOf(combo));
  MDB_cursor* cur;
  Check(mdb_cursor_open(t, composite_, &cur), "mdb_cursor_open");
  MDB_val k = Val(comp.data(), comp.size()), u;
  std::size_t n = 0;
  if (mdb_cursor_get(cur, &k, &u, MDB_SET) == MDB_SUCCESS)
    Check(mdb_cursor_count(cur, &n), "mdb_cursor_count");
  mdb_cursor_close(cur);
  mdb_txn_reset(t);
  return n;
}

std::size_t RawStore::Prefix(const std::string& prefix, std::size_t limit,
                             MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  MDB_cursor* cur;
  Check(mdb_cursor_open(t, composite_, &cur), "mdb_cursor_open");
  MDB_val k = Val(prefix.data(), prefix.size()), u, v;
  std::size_t n = 0;
  unsigned sink = 0;
  for (int rc = mdb_cursor_get(cur, &k, &u, MDB_SET_RANGE);
       rc == MDB_SUCCESS && n < limit;
       rc = mdb_cursor_get(cur, &k, &u, MDB_NEXT)) {
    if (k.mv_size < prefix.size() ||
        std::memcmp(k.mv_data, prefix.data(), prefix.size()) != 0)
      break;
    Check(mdb_get(t, records_, &u, &v), "mdb_get");
    sink += Touch(v);
    ++n;
  }
  mdb_cursor_close(cur);
  mdb_txn_reset(t);
  volatile unsigned keep = sink;
  (void)keep;
  return n;
}

std::size_t RawStore::Scan(std::int64_t fee, MDB_txn** txn) {
  MDB_txn* t = Reader(txn);
  MDB_cursor* cur;
  Check(mdb_cursor_open(t, records_, &cur), "mdb_cursor_open");
  MDB_val k, v;
  std::size_t n = 0;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    std::int64_t f;
    std::memcpy(&f, v.mv_data, 8);
    if (f == fee) ++n;
  }
  mdb_cursor_close(cur);
  mdb_txn_reset(t);
  return n;
}

}  // namespace lmdbapi::bench
