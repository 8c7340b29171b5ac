// SPDX-License-Identifier: Apache-2.0
// src/store/check.cc - Check(): the databases of an environment against
// each other (see include/lmdbapi/admin.h).
//
// Three passes in one read transaction, each from one side of a relation,
// so a missing entry and a stray entry are both found:
//   records -> their index entries, their parent and their link;
//   index entries -> the record they name, and that record's key;
//   link entries -> the child they name, and that child's parent link.

#include <lmdb.h>

#include <string>
#include <vector>

#include "lmdbapi/admin.h"
#include "lmdbapi/hex.h"
#include "store/change_log.h"
#include "store/env_impl.h"
#include "store/index_ops.h"
#include "store/key_codec.h"
#include "store/map_growth.h"
#include "store/mdb_status.h"
#include "store/record_codec.h"

namespace lmdbapi {
namespace {

// Entries between progress calls: often enough for a display, rarely
// enough to cost nothing.
constexpr std::uint64_t kProgressEvery = 4096;


// `client "Acme", county "NY"` from index key bytes; hex if they do not
// decode as the index's key (which is itself worth showing).
std::string ShowKey(const TableDesc& table, const IndexDesc& index,
                    std::string_view key) {
  std::string out;
  std::vector<Value> parts;
  Uuid suffix;
  if (!ReadIndexKey(table, index, key, &parts, &suffix))
    return "undecodable key 0x" + HexBytes(key);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!out.empty()) out += ", ";
    std::string text = FormatValue(parts[i]);
    if (text.size() > 64) text = text.substr(0, 64) + "...";
    out += table.fields[index.key_fields[i]].name +
           (IsNull(parts[i]) ? " null" : " \"" + text + "\"");
  }
  return out;
}

class Checker {
 public:
  Checker(Env::Impl& env, MDB_txn* txn,
          const std::function<void(const CheckProblem&)>& report,
          const Progress& progress, std::uint64_t total)
      : env_(env), txn_(txn), report_(report), progress_(progress),
        total_(total) {}

  Status Run() {
    for (const TableDesc& t : env_.schema.tables) {
      Status s = Records(t);
      for (std::size_t i = 0; s.ok() && i < t.indexes.size(); ++i)
        s = IndexEntries(t, static_cast<int>(i));
      if (s.ok() && t.parent >= 0) s = Links(t);
      if (!s.ok()) return s;
    }
    Status s = Changes();
    if (!s.ok()) return s;
    if (progress_) progress_(done_, total_);
    return Status();
  }

  const CheckSummary& summary() const { return summary_; }

 private:
  void Problem(const std::string& db, const std::string& uuid,
               std::string what) {
    ++summary_.problems;
    if (report_) report_({db, uuid, std::move(what)});
  }

  void Tick() {
    if (++done_ % kProgressEvery == 0 && progress_) progress_(done_, total_);
  }

  enum class Found { kAbsent, kUndecodable, kYes };

  // The record under uuid, decoded. A record that does not decode is
  // reported by the record pass, not again by the caller.
  Status Load(const TableDesc& t, const Uuid& uuid, Found* found,
              Record* record) {
    MDB_val k = ToVal(uuid.AsBytes()), v;
    int rc = mdb_get(txn_, env_.dbs[t.position].records, &k, &v);
    *found = Found::kAbsent;
    if (rc == MDB_NOTFOUND) return Status();
    if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_get " + t.name);
    record->uuid = uuid;
    *found = DecodeRecord(t, FromVal(v), record).ok() ? Found::kYes
                                                      : Found::kUndecodable;
    return Status();
  }

  // True if (key, value) is in the database: the exact pair for dupsort
  // databases, the key holding exactly that value otherwise.
  Status HasPair(MDB_dbi dbi, bool dupsort, std::string_view key,
                 std::string_view value, const std::string& name,
                 bool* present, std::string* other) {
    MDB_val k = ToVal(key), v = ToVal(value);
    int rc;
    if (dupsort) {
      Cursor cur;
      Status s = cur.Open(txn_, dbi, name);
      if (!s.ok()) return s;
      rc = cur.Get(&k, &v, MDB_GET_BOTH);
    } else {
      rc = mdb_get(txn_, dbi, &k, &v);
      if (rc == MDB_SUCCESS && FromVal(v) != value) {
        *present = false;
        Uuid u;
        *other = Uuid::FromBytes(FromVal(v), &u) ? u.ToString()
                                                 : "0x" + HexBytes(FromVal(v));
        return Status();
      }
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
      return FromMdb(rc, "mdb_get " + name);
    *present = rc == MDB_SUCCESS;
    return Status();
  }

  Status Records(const TableDesc& t) {
    Cursor cur;
    Status s = cur.Open(txn_, env_.dbs[t.position].records, t.name);
    if (!s.ok()) return s;
    MDB_val k, v;
    int rc;
    Record record;
    std::string key, other;
    for (rc = cur.Get(&k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = cur.Get(&k, &v, MDB_NEXT)) {
      Tick();
      ++summary_.records;
      if (!Uuid::FromBytes(FromVal(k), &record.uuid)) {
        Problem(t.name, "", "key 0x" + HexBytes(FromVal(k)) + " is not a uuid");
        continue;
      }
      std::string uuid = record.uuid.ToString();
      Status d = DecodeRecord(t, FromVal(v), &record);
      if (d.ok()) d = CheckFieldOffsets(t, FromVal(v), record);
      if (!d.ok()) {
        Problem(t.name, uuid, "the record does not decode: " + d.message());
        continue;
      }
      for (std::size_t i = 0; i < t.indexes.size(); ++i) {
        const IndexDesc& index = t.indexes[i];
        Status ks = IndexKey(t, index, record.fields, record.uuid, &key);
        if (!ks.ok()) {
          Problem(index.db_name, uuid, "the record has no valid key: " +
                                           ks.message());
          continue;
        }
        bool present = false;
        other.clear();
        s = HasPair(env_.dbs[t.position].indexes[i],
                    index.kind != IndexKind::UNIQUE, key, record.uuid.AsBytes(),
                    index.db_name, &present, &other);
        if (!s.ok()) return s;
        if (present) continue;
        if (!other.empty())
          Problem(index.db_name, uuid,
                  "the entry for " + ShowKey(t, index, key) + " names " +
                      other + " instead of this record");
        else
          Problem(index.db_name, uuid,
                  "no entry for this record's " + ShowKey(t, index, key));
      }
      if (t.parent >= 0) {
        const TableDesc& parent = env_.schema.tables[t.parent];
        const Uuid& p = std::get<Uuid>(record.fields[t.link_field]);
        MDB_val pk = ToVal(p.AsBytes()), pv;
        int prc = mdb_get(txn_, env_.dbs[parent.position].records, &pk, &pv);
        if (prc == MDB_NOTFOUND)
          Problem(t.name, uuid,
                  t.fields[t.link_field].name + " names " + p.ToString() +
                      ", which is not in " + parent.name);
        else if (prc != MDB_SUCCESS)
          return FromMdb(prc, "mdb_get " + parent.name);
        bool linked = false;
        s = HasPair(env_.dbs[t.position].links, true, p.AsBytes(),
                    record.uuid.AsBytes(), t.links_db_name, &linked, &other);
        if (!s.ok()) return s;
        if (!linked)
          Problem(t.links_db_name, uuid,
                  "no link from " + parent.name + " " + p.ToString() +
                      " to this record");
      }
    }
    if (rc != MDB_NOTFOUND) return FromMdb(rc, "mdb_cursor_get " + t.name);
    return Status();
  }

  Status IndexEntries(const TableDesc& t, int i) {
    const IndexDesc& index = t.indexes[i];
    Cursor cur;
    Status s = cur.Open(txn_, env_.dbs[t.position].indexes[i], index.db_name);
    if (!s.ok()) return s;
    MDB_val k, v;
    int rc;
    Record record;
    std::string key;
    for (rc = cur.Get(&k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = cur.Get(&k, &v, MDB_NEXT)) {
      Tick();
      ++summary_.index_entries;
      std::string_view entry_key = FromVal(k);
      Uuid uuid;
      if (!Uuid::FromBytes(FromVal(v), &uuid)) {
        Problem(index.db_name, "",
                "the entry for " + ShowKey(t, index, entry_key) +
                    " holds 0x" + HexBytes(FromVal(v)) + ", not a uuid");
        continue;
      }
      Found found;
      s = Load(t, uuid, &found, &record);
      if (!s.ok()) return s;
      if (found == Found::kAbsent)
        Problem(index.db_name, uuid.ToString(),
                "the entry for " + ShowKey(t, index, entry_key) +
                    " names a record that is not in " + t.name);
      if (found != Found::kYes) continue;
      if (!IndexKey(t, index, record.fields, uuid, &key).ok())
        continue;  // pass 1
      if (key != entry_key)
        Problem(index.db_name, uuid.ToString(),
                "the entry is under " + ShowKey(t, index, entry_key) +
                    " but the record has " + ShowKey(t, index, key));
    }
    if (rc != MDB_NOTFOUND)
      return FromMdb(rc, "mdb_cursor_get " + index.db_name);
    return Status();
  }

  Status Links(const TableDesc& t) {
    const TableDesc& parent = env_.schema.tables[t.parent];
    const std::string& link = t.fields[t.link_field].name;
    Cursor cur;
    Status s = cur.Open(txn_, env_.dbs[t.position].links, t.links_db_name);
    if (!s.ok()) return s;
    MDB_val k, v;
    int rc;
    Record record;
    for (rc = cur.Get(&k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = cur.Get(&k, &v, MDB_NEXT)) {
      Tick();
      ++summary_.links;
      Uuid p, child;
      if (!Uuid::FromBytes(FromVal(k), &p) ||
          !Uuid::FromBytes(FromVal(v), &child)) {
        Problem(t.links_db_name, "",
                "entry 0x" + HexBytes(FromVal(k)) + " -> 0x" +
                    HexBytes(FromVal(v)) + " is not a pair of uuids");
        continue;
      }
      Found found;
      s = Load(t, child, &found, &record);
      if (!s.ok()) return s;
      if (found == Found::kAbsent)
        Problem(t.links_db_name, child.ToString(),
                "linked from " + parent.name + " " + p.ToString() +
                    " but not in " + t.name);
      if (found != Found::kYes) continue;
      const Uuid& actual = std::get<Uuid>(record.fields[t.link_field]);
      if (!(actual == p))
        Problem(t.links_db_name, child.ToString(),
                "linked from " + parent.name + " " + p.ToString() +
                    " but its " + link + " is " + actual.ToString());
    }
    if (rc != MDB_NOTFOUND)
      return FromMdb(rc, "mdb_cursor_get " + t.links_db_name);
    return Status();
  }

  // The feed: consecutive seqs, decodable values, and transactions whose
  // changes are contiguous (each change's txn is its own seq or its
  // predecessor's txn).
  Status Changes() {
    Cursor cur;
    Status s = cur.Open(txn_, env_.changes, kChangesDb);
    if (!s.ok()) return s;
    MDB_val k, v;
    int rc;
    std::uint64_t prev = 0, prev_txn = 0;
    for (rc = cur.Get(&k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = cur.Get(&k, &v, MDB_NEXT)) {
      Tick();
      ++summary_.changes;
      std::uint64_t seq;
      if (!ChangeSeq(FromVal(k), &seq)) {
        Problem(kChangesDb, "", "a key is not an 8-byte sequence number");
        continue;
      }
      Change c;
      s = DecodeChange(FromVal(v), &c);
      std::string at = "change " + std::to_string(seq);
      if (!s.ok()) {
        Problem(kChangesDb, "", at + ": " + s.message());
      } else {
        if (c.txn != seq && (prev == 0 || c.txn != prev_txn))
          Problem(kChangesDb, c.uuid.ToString(),
                  at + " belongs to transaction " + std::to_string(c.txn) +
                      ", which does not precede it contiguously");
        prev_txn = c.txn;
      }
      if (prev != 0 && seq != prev + 1)
        Problem(kChangesDb, "",
                at + " follows " + std::to_string(prev) + ": a gap");
      prev = seq;
    }
    if (rc != MDB_NOTFOUND) return FromMdb(rc, "mdb_cursor_get changes");
    return Status();
  }

  Env::Impl& env_;
  MDB_txn* txn_;
  const std::function<void(const CheckProblem&)>& report_;
  const Progress& progress_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  CheckSummary summary_;
};

// Entries in every database the check walks: the progress total.
std::uint64_t CountEntries(Env::Impl& env, MDB_txn* txn) {
  std::uint64_t n = 0;
  auto add = [&](MDB_dbi dbi) {
    MDB_stat st;
    if (mdb_stat(txn, dbi, &st) == MDB_SUCCESS) n += st.ms_entries;
  };
  for (const TableDesc& t : env.schema.tables) {
    const TableDbs& dbs = env.dbs[t.position];
    add(dbs.records);
    for (MDB_dbi i : dbs.indexes) add(i);
    if (t.parent >= 0) add(dbs.links);
  }
  add(env.changes);
  return n;
}

}  // namespace

Result<CheckSummary> Check(
    Env& env, const std::function<void(const CheckProblem&)>& report,
    const Progress& progress) {
  Env::Impl& impl = env.impl();
  // Through the map gate like every transaction (map_gate.h): a map grown
  // by a worker meanwhile is adopted, not reported as an error.
  MapGate::Hold hold(impl.gate);
  MDB_txn* txn = nullptr;
  Status begun = BeginTxn(impl, hold, MDB_RDONLY, &txn, "check");
  if (!begun.ok()) return begun;
  Checker checker(impl, txn, report, progress, CountEntries(impl, txn));
  Status s = checker.Run();
  mdb_txn_abort(txn);
  if (!s.ok()) return s;
  return checker.summary();
}

}  // namespace lmdbapi
