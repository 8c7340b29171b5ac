// SPDX-License-Identifier: Apache-2.0
// src/store/table.cc - the table operations: writes with their index
// entries and links in one transaction, and the read walks behind Find,
// Range and Children.

#include "lmdbapi/table.h"

#include <lmdb.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "store/change_log.h"
#include "store/env_impl.h"
#include "store/headroom.h"
#include "store/index_ops.h"
#include "store/key_codec.h"
#include "store/mdb_status.h"
#include "store/planner.h"
#include "store/record_codec.h"
#include "store/record_writes.h"
#include "store/txn.h"

namespace lmdbapi {
namespace {

bool UuidFromVal(const MDB_val& v, Uuid* out) {
  return Uuid::FromBytes(FromVal(v), out);
}

std::string Describe(const TableDesc& table, const Uuid& uuid) {
  return table.name + " " + uuid.ToString();
}

// One record's stored bytes, in LMDB's map. kNotFound if absent.
Status GetStored(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                 const Uuid& uuid, std::string_view* stored) {
  MDB_val k = ToVal(uuid.AsBytes()), v;
  int rc = mdb_get(txn, env.dbs[table.position].records, &k, &v);
  if (rc == MDB_NOTFOUND)
    return Status::NotFound("no " + Describe(table, uuid));
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_get " + table.name);
  *stored = FromVal(v);
  return Status();
}

// Reads and decodes one record. kNotFound if absent.
Status LoadRecord(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                  const Uuid& uuid, Record* record) {
  std::string_view stored;
  Status s = GetStored(env, txn, table, uuid, &stored);
  if (!s.ok()) return s;
  record->uuid = uuid;
  return DecodeRecord(table, stored, record);
}

Status DeleteLink(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                  const Uuid& parent, const Uuid& child) {
  MDB_val k = ToVal(parent.AsBytes()), v = ToVal(child.AsBytes());
  int rc = mdb_del(txn, env.dbs[table.position].links, &k, &v);
  if (rc == MDB_NOTFOUND)
    return Status::Corruption(table.links_db_name + " has no link to " +
                              child.ToString());
  return FromMdb(rc, "mdb_del " + table.links_db_name);
}

// The uuids linked under `parent` in child's links database.
Status LinkedChildren(Env::Impl& env, MDB_txn* txn, const TableDesc& child,
                      const Uuid& parent, std::vector<Uuid>* out) {
  Cursor cur;
  Status s = cur.Open(txn, env.dbs[child.position].links, child.links_db_name);
  if (!s.ok()) return s;
  MDB_val k = ToVal(parent.AsBytes()), v;
  int rc;
  for (rc = cur.Get(&k, &v, MDB_SET); rc == MDB_SUCCESS;
       rc = cur.Get(&k, &v, MDB_NEXT_DUP)) {
    Uuid u;
    if (!UuidFromVal(v, &u))
      return Status::Corruption(child.links_db_name + " holds a non-uuid");
    out->push_back(u);
  }
  if (rc != MDB_NOTFOUND) return FromMdb(rc, "mdb_cursor_get " + child.links_db_name);
  return Status();
}

// Deletes a record that exists, with everything hanging off it.
Status RemoveInTxn(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                   const Record& record) {
  for (int c : table.children) {
    const TableDesc& child = env.schema.tables[c];
    std::vector<Uuid> kids;
    Status s = LinkedChildren(env, txn, child, record.uuid, &kids);
    if (!s.ok()) return s;
    for (const Uuid& kid : kids) {
      Record child_record;
      s = LoadRecord(env, txn, child, kid, &child_record);
      if (s.code() == Status::Code::kNotFound)
        return Status::Corruption(child.links_db_name + " links a missing " +
                                  Describe(child, kid));
      if (s.ok()) s = RemoveInTxn(env, txn, child, child_record);
      if (!s.ok()) return s;
    }
  }
  std::vector<std::string> keys;
  Status s = AllIndexKeys(table, record.fields, record.uuid, &keys);
  for (std::size_t i = 0; s.ok() && i < keys.size(); ++i)
    s = DeleteIndexEntry(env, txn, table, static_cast<int>(i), keys[i],
                         record.uuid);
  if (s.ok() && table.parent >= 0)
    s = DeleteLink(env, txn, table,
                   std::get<Uuid>(record.fields[table.link_field]),
                   record.uuid);
  if (!s.ok()) return s;
  MDB_val k = ToVal(record.uuid.AsBytes());
  s = FromMdb(mdb_del(txn, env.dbs[table.position].records, &k, nullptr),
              "mdb_del " + table.name);
  if (!s.ok()) return s;
  return AppendChange(env, txn, table, record.uuid, ChangeOp::kDelete,
                      record.revision, {});
}

Status CheckRevision(const TableDesc& table, const Record& stored,
                     std::optional<std::uint64_t> expected) {
  if (!expected || *expected == stored.revision) return Status();
  return Status::Conflict(Describe(table, stored.uuid) + " is at revision " +
                          std::to_string(stored.revision) + ", not " +
                          std::to_string(*expected) +
                          "; read it again and retry");
}

// Collects matching records into a page (as Records, or handed to the
// request's sink), and looks one match past the limit so the page knows
// whether a next page exists. The walks offer every record that passed the
// index or link they walk; the residual filters, and an ordered condition
// the path does not serve, are checked here, on the stored bytes. Every
// record offered counts as examined; at the request's max_examined the page
// ends with a cursor after the last record examined. In count mode matches
// are counted, not kept, and only max_examined ends the walk early.
class PageBuilder {
 public:
  PageBuilder(const TableDesc& table, const PageRequest& request,
              std::string plan, const std::vector<Filter>& filters = {},
              const std::vector<int>& residual = {})
      : table_(table),
        filter_(table, filters, residual),
        sink_(request.sink),
        limit_(std::max<std::size_t>(request.limit, 1)),
        max_bytes_(request.max_bytes),
        max_examined_(request.max_examined) {
    page_.plan = std::move(plan);
    if (sink_ == nullptr) page_.records.reserve(std::min<std::size_t>(limit_, 128));
  }

  // How the walk's cursors are made (EncodeCursor's tag, index, query).
  void SetCursorKind(char tag, int index) {
    tag_ = descending_ ? static_cast<char>(tag - 'A' + 'a') : tag;
    index_ = index;
  }
  void SetQuery(const Plan& plan, std::uint32_t query) {
    descending_ = plan.descending;
    query_ = query;
    ordered_field_ = plan.ordered_field;
    ordered_ = plan.ordered;
  }
  void CountOnly() { count_only_ = true; }

  // *more turns false once the page is full and one more match was seen,
  // or max_examined records were read: stop walking. `key` is the record's
  // uuid as stored (16 bytes); `index_key` the index key it was found under
  // (empty for a scan or a link walk), in LMDB's map: the cursor that
  // resumes after a record is made from them only if the page ends there.
  Status Offer(std::string_view key, std::string_view stored,
               std::string_view index_key, bool* more) {
    *more = true;
    if (max_examined_ != 0 && page_.examined == max_examined_) {
      Uuid seen;
      if (!Uuid::FromBytes(seen_uuid_, &seen))
        return Status::Corruption(table_.name + " has a key that is not a uuid");
      page_.next = EncodeCursor(tag_, index_, seen_key_, seen, query_);
      *more = false;
      return Status();
    }
    ++page_.examined;
    seen_key_ = index_key;
    seen_uuid_ = key;
    bool match;
    Status s = filter_.Matches(stored, &match);
    if (s.ok() && match && ordered_field_ >= 0) s = CheckOrdered(stored, &match);
    if (!s.ok() || !match) return s;
    if (count_only_) {
      ++count_;
      return Status();
    }
    if (!Uuid::FromBytes(key, &uuid_))
      return Status::Corruption(table_.name + " has a key that is not a uuid");
    if (added_ == limit_ || (max_bytes_ != 0 && bytes_ >= max_bytes_)) {
      page_.next = EncodeCursor(tag_, index_, last_key_, last_uuid_, query_);
      *more = false;
      return Status();
    }
    if (sink_ != nullptr) {
      s = sink_->Add(StoredRecord(table_, uuid_, stored));
    } else {
      Record record;
      record.uuid = uuid_;
      s = DecodeRecord(table_, stored, &record);
      if (s.ok()) page_.records.push_back(std::move(record));
    }
    if (!s.ok()) return s;
    ++added_;
    bytes_ += stored.size();
    last_key_ = index_key;
    last_uuid_ = uuid_;
    return Status();
  }
  std::uint64_t count() const { return count_; }
  Page Finish() { return std::move(page_); }

 private:
  // The ordered condition, on the field's key part (planner.h).
  Status CheckOrdered(std::string_view stored, bool* match) {
    Status s = DecodeField(table_, stored, ordered_field_, &scratch_);
    if (!s.ok()) return s;
    part_.clear();
    AppendFieldKeyPart(table_.fields[ordered_field_], scratch_, &part_);
    *match = ordered_.Holds(part_);
    return Status();
  }

  const TableDesc& table_;
  StoredFilter filter_;
  RecordSink* sink_;
  std::size_t limit_;
  std::size_t max_bytes_;
  std::size_t max_examined_;
  std::size_t added_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t count_ = 0;
  bool count_only_ = false;
  Page page_;
  char tag_ = 'S';
  int index_ = -1;
  bool descending_ = false;
  std::uint32_t query_ = 0;
  int ordered_field_ = -1;
  PartBounds ordered_;
  Value scratch_;
  std::string part_;
  std::string_view last_key_;  // of the last record added
  Uuid last_uuid_;
  std::string_view seen_key_, seen_uuid_;  // of the last record examined
  Uuid uuid_;  // of the record being offered
};

// The stored bytes of the record an index or links entry names; a missing
// record is corruption of `db`.
Status LoadStored(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                  const MDB_val& entry, const std::string& db,
                  std::string_view* stored) {
  if (entry.mv_size != 16)
    return Status::Corruption(db + " holds a non-uuid value");
  MDB_val k = entry, v;
  int rc = mdb_get(txn, env.dbs[table.position].records, &k, &v);
  if (rc == MDB_NOTFOUND) {
    Uuid uuid;
    UuidFromVal(entry, &uuid);
    return Status::Corruption(db + " points at a missing " +
                              Describe(table, uuid));
  }
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_get " + table.name);
  *stored = FromVal(v);
  return Status();
}

// Where a walk resumes: *after is null without a cursor in the request,
// else it points at *resume, decoded and checked against `scope`. The one
// place a request's `after` is read, so every walk checks it the same way.
Status ResumeFrom(const TableDesc& table, const PageRequest& request,
                  const CursorScope& scope, Resume* resume,
                  const Resume** after) {
  *after = nullptr;
  if (request.after.empty()) return Status();
  Status s = DecodeCursor(request.after, table, scope, resume);
  if (s.ok()) *after = resume;
  return s;
}

// The smallest byte string greater than every string that starts with
// `bytes`; false if there is none (bytes empty or all 0xFF).
bool Successor(std::string_view bytes, std::string* out) {
  out->assign(bytes);
  while (!out->empty() && static_cast<unsigned char>(out->back()) == 0xFF)
    out->pop_back();
  if (out->empty()) return false;
  out->back() = static_cast<char>(static_cast<unsigned char>(out->back()) + 1);
  return true;
}

// Positions `cur` on the first entry of an ascending index walk of `keys`:
// strictly after `resume`, or at keys.lo without one. Returns the LMDB rc;
// k and v hold the entry. resume->key is one DecodeCursor accepted and
// keys.lo at most kMaxKeyBytes (the caller's check), so LMDB takes both.
int SeekUp(Cursor& cur, bool dupsort, std::string_view start,
           const Resume* resume, MDB_val* k, MDB_val* v) {
  if (resume == nullptr || resume->key < start) {
    if (start.empty()) return cur.Get(k, v, MDB_FIRST);
    *k = ToVal(start);
    return cur.Get(k, v, MDB_SET_RANGE);
  }
  if (dupsort) {
    *k = ToVal(resume->key);
    *v = ToVal(resume->uuid.AsBytes());
    int rc = cur.Get(k, v, MDB_GET_BOTH_RANGE);
    if (rc == MDB_SUCCESS) {
      if (FromVal(*v) != resume->uuid.AsBytes()) return rc;  // already past
      return cur.Get(k, v, MDB_NEXT);
    }
    if (rc != MDB_NOTFOUND) return rc;
  }
  *k = ToVal(resume->key);
  int rc = cur.Get(k, v, MDB_SET_RANGE);
  if (rc == MDB_SUCCESS && FromVal(*k) == resume->key)
    rc = cur.Get(k, v, dupsort ? MDB_NEXT_NODUP : MDB_NEXT);
  return rc;
}

// The same for a descending walk: the last entry of `keys`, or the last one
// strictly before `resume`.
int SeekDown(Cursor& cur, bool dupsort, const PartBounds& keys,
             const Resume* resume, MDB_val* k, MDB_val* v) {
  if (resume == nullptr ||
      (keys.has_hi &&
       std::string_view(resume->key).substr(0, keys.hi.size()) >
           std::string_view(keys.hi))) {
    std::string succ;
    if (!keys.has_hi || !Successor(keys.hi, &succ) || succ.size() > kMaxKeyBytes)
      return cur.Get(k, v, MDB_LAST);
    *k = ToVal(succ);
    int rc = cur.Get(k, v, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND) return cur.Get(k, v, MDB_LAST);
    if (rc != MDB_SUCCESS) return rc;
    return cur.Get(k, v, MDB_PREV);
  }
  if (dupsort) {
    *k = ToVal(resume->key);
    *v = ToVal(resume->uuid.AsBytes());
    int rc = cur.Get(k, v, MDB_GET_BOTH_RANGE);
    // At the resume entry or the first one after it: the one before.
    if (rc == MDB_SUCCESS) return cur.Get(k, v, MDB_PREV);
    if (rc != MDB_NOTFOUND) return rc;
  }
  *k = ToVal(resume->key);
  int rc = cur.Get(k, v, MDB_SET_RANGE);
  if (rc == MDB_NOTFOUND) return cur.Get(k, v, MDB_LAST);
  if (rc != MDB_SUCCESS) return rc;
  // The resume key with every duplicate before the resume uuid: its last.
  if (dupsort && FromVal(*k) == resume->key) return cur.Get(k, v, MDB_LAST_DUP);
  return cur.Get(k, v, MDB_PREV);
}

// Walks `plan`'s index interval (planner.h) in the plan's direction, from
// its end or after `resume`, offering each record to the page.
Status WalkIndex(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                 const Plan& plan, const Resume* resume, PageBuilder* page) {
  const IndexDesc& desc = table.indexes[plan.index];
  page->SetCursorKind('I', plan.index);
  // A bound longer than any key: nothing lies inside the interval that an
  // ascending walk could seek to (and LMDB would refuse the seek).
  if (plan.keys.lo.size() > kMaxKeyBytes) return Status();
  Cursor cur;
  Status s = cur.Open(txn, env.dbs[table.position].indexes[plan.index], desc.db_name);
  if (!s.ok()) return s;
  const bool dupsort = desc.kind != IndexKind::UNIQUE;
  const bool down = plan.descending;
  const std::string_view lo = plan.keys.lo, hi = plan.keys.hi;
  MDB_val k, v;
  int rc = down ? SeekDown(cur, dupsort, plan.keys, resume, &k, &v)
                : SeekUp(cur, dupsort, lo, resume, &k, &v);
  bool more = true;
  for (; rc == MDB_SUCCESS && more;
       rc = cur.Get(&k, &v, down ? MDB_PREV : MDB_NEXT)) {
    std::string_view key = FromVal(k);
    if (down ? key < lo
             : plan.keys.has_hi && key.substr(0, hi.size()) > hi)
      return Status();
    std::string_view stored;
    s = LoadStored(env, txn, table, v, desc.db_name, &stored);
    if (s.ok()) s = page->Offer(FromVal(v), stored, key, &more);
    if (!s.ok()) return s;
  }
  if (rc != MDB_NOTFOUND && rc != MDB_SUCCESS)
    return FromMdb(rc, "mdb_cursor_get " + desc.db_name, "after");
  return Status();
}

// The children of `parent` in `child`, in uuid order (or its reverse),
// after `resume`.
Status WalkLinks(Env::Impl& env, MDB_txn* txn, const TableDesc& child,
                 const Uuid& parent, bool down, const Resume* resume,
                 PageBuilder* page) {
  page->SetCursorKind('L', -1);
  Cursor cur;
  Status s = cur.Open(txn, env.dbs[child.position].links, child.links_db_name);
  if (!s.ok()) return s;
  MDB_val k = ToVal(parent.AsBytes()), v;
  int rc;
  if (resume == nullptr) {
    rc = cur.Get(&k, &v, MDB_SET);
    if (rc == MDB_SUCCESS && down) rc = cur.Get(&k, &v, MDB_LAST_DUP);
  } else {
    v = ToVal(resume->uuid.AsBytes());
    rc = cur.Get(&k, &v, MDB_GET_BOTH_RANGE);
    if (down) {
      if (rc == MDB_SUCCESS) {
        rc = cur.Get(&k, &v, MDB_PREV_DUP);
      } else if (rc == MDB_NOTFOUND) {  // every child is before the resume
        k = ToVal(parent.AsBytes());
        rc = cur.Get(&k, &v, MDB_SET);
        if (rc == MDB_SUCCESS) rc = cur.Get(&k, &v, MDB_LAST_DUP);
      }
    } else if (rc == MDB_SUCCESS && FromVal(v) == resume->uuid.AsBytes()) {
      rc = cur.Get(&k, &v, MDB_NEXT_DUP);
    }
  }
  bool more = true;
  for (; rc == MDB_SUCCESS && more;
       rc = cur.Get(&k, &v, down ? MDB_PREV_DUP : MDB_NEXT_DUP)) {
    std::string_view stored;
    s = LoadStored(env, txn, child, v, child.links_db_name, &stored);
    if (s.ok()) s = page->Offer(FromVal(v), stored, {}, &more);
    if (!s.ok()) return s;
  }
  if (rc != MDB_NOTFOUND && rc != MDB_SUCCESS)
    return FromMdb(rc, "mdb_cursor_get " + child.links_db_name, "after");
  return Status();
}

// The whole table in uuid order (or its reverse), after `resume`.
Status WalkRecords(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                   bool down, const Resume* resume, PageBuilder* page) {
  page->SetCursorKind('S', -1);
  Cursor cur;
  Status s = cur.Open(txn, env.dbs[table.position].records, table.name);
  if (!s.ok()) return s;
  MDB_val k, v;
  int rc;
  if (resume == nullptr) {
    rc = cur.Get(&k, &v, down ? MDB_LAST : MDB_FIRST);
  } else {
    k = ToVal(resume->uuid.AsBytes());
    rc = cur.Get(&k, &v, MDB_SET_RANGE);
    if (down) {
      if (rc == MDB_SUCCESS) rc = cur.Get(&k, &v, MDB_PREV);
      else if (rc == MDB_NOTFOUND) rc = cur.Get(&k, &v, MDB_LAST);
    } else if (rc == MDB_SUCCESS && FromVal(k) == resume->uuid.AsBytes()) {
      rc = cur.Get(&k, &v, MDB_NEXT);
    }
  }
  bool more = true;
  for (; rc == MDB_SUCCESS && more;
       rc = cur.Get(&k, &v, down ? MDB_PREV : MDB_NEXT)) {
    s = page->Offer(FromVal(k), FromVal(v), {}, &more);
    if (!s.ok()) return s;
  }
  if (rc != MDB_NOTFOUND && rc != MDB_SUCCESS)
    return FromMdb(rc, "mdb_cursor_get " + table.name, "after");
  return Status();
}

// Runs `plan` in one read transaction, into `page`.
Status RunPlan(Env::Impl& env, const TableDesc& t, const Plan& plan,
               const Resume* after, PageBuilder* page) {
  ReadTxn txn(env);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  switch (plan.kind) {
    case Plan::Kind::kIndex:
      return WalkIndex(env, txn.get(), t, plan, after, page);
    case Plan::Kind::kLink:
      return WalkLinks(env, txn.get(), t, plan.parent, plan.descending, after,
                       page);
    case Plan::Kind::kScan:
      return WalkRecords(env, txn.get(), t, plan.descending, after, page);
  }
  return Status();  // unreachable: the switch covers every enumerator
}

// The entries of `plan`'s index interval (or the parent's links), counted
// without reading a record: mdb_cursor_count per key of a non-unique index.
Status CountKeys(Env::Impl& env, const TableDesc& t, const Plan& plan,
                 std::uint64_t* n) {
  ReadTxn txn(env);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  const bool link = plan.kind == Plan::Kind::kLink;
  const std::string& name = link ? t.links_db_name : t.indexes[plan.index].db_name;
  Cursor cur;
  s = cur.Open(txn.get(),
               link ? env.dbs[t.position].links
                    : env.dbs[t.position].indexes[plan.index],
               name);
  if (!s.ok()) return s;
  const bool dupsort = link || t.indexes[plan.index].kind != IndexKind::UNIQUE;
  if (!link && plan.keys.lo.size() > kMaxKeyBytes) return Status();
  const std::string_view hi = plan.keys.hi;
  MDB_val k = ToVal(link ? plan.parent.AsBytes() : plan.keys.lo), v;
  int rc = link ? cur.Get(&k, &v, MDB_SET)
           : plan.keys.lo.empty() ? cur.Get(&k, &v, MDB_FIRST)
                                  : cur.Get(&k, &v, MDB_SET_RANGE);
  for (; rc == MDB_SUCCESS;
       rc = cur.Get(&k, &v, dupsort ? MDB_NEXT_NODUP : MDB_NEXT)) {
    if (!link && plan.keys.has_hi && FromVal(k).substr(0, hi.size()) > hi) break;
    std::size_t dups = 1;
    if (dupsort) {
      rc = cur.CountDups(&dups);
      if (rc != MDB_SUCCESS) break;
    }
    *n += dups;
    if (link) break;
  }
  if (rc != MDB_NOTFOUND && rc != MDB_SUCCESS)
    return FromMdb(rc, "mdb_cursor_get " + name);
  return Status();
}

// Writes *record over `old` (the same uuid, as stored in this
// transaction): moves the parent link and the index entries whose keys
// changed, and stores the record at old's revision + 1. new_keys are
// record's index keys.
Status OverwriteInTxn(Env::Impl& env, MDB_txn* txn, const TableDesc& t,
                      const Record& old, Record* record,
                      const std::vector<std::string>& new_keys) {
  Status s;
  if (t.parent >= 0) {
    const Uuid& old_parent = std::get<Uuid>(old.fields[t.link_field]);
    const Uuid& new_parent = std::get<Uuid>(record->fields[t.link_field]);
    if (!(old_parent == new_parent)) {
      s = CheckParent(env, txn, t, *record);
      if (s.ok()) s = DeleteLink(env, txn, t, old_parent, record->uuid);
      if (s.ok()) s = PutLink(env, txn, t, new_parent, record->uuid);
      if (!s.ok()) return s;
    }
  }
  std::vector<std::string> old_keys;
  s = AllIndexKeys(t, old.fields, old.uuid, &old_keys);
  if (!s.ok()) return s;
  // Only entries whose key changed move. All removals come before any
  // addition, so the UNIQUE check sees the record's own old keys as free.
  for (std::size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] == new_keys[i]) continue;
    s = DeleteIndexEntry(env, txn, t, static_cast<int>(i), old_keys[i],
                         record->uuid);
    if (!s.ok()) return s;
  }
  for (std::size_t i = 0; i < new_keys.size(); ++i) {
    if (old_keys[i] == new_keys[i]) continue;
    s = PutIndexEntry(env, txn, t, static_cast<int>(i), new_keys[i],
                      record->uuid, record->fields);
    if (!s.ok()) return s;
  }

  record->revision = old.revision + 1;
  std::string bytes;
  EncodeRecord(t, *record, &bytes);
  MDB_val k = ToVal(record->uuid.AsBytes()), v = ToVal(bytes);
  s = FromMdb(mdb_put(txn, env.dbs[t.position].records, &k, &v, 0),
              "mdb_put " + t.name);
  if (!s.ok()) return s;
  return AppendChange(env, txn, t, record->uuid, ChangeOp::kUpdate,
                      record->revision, bytes);
}

}  // namespace

// The write halves record_writes.h declares (the batch runs them too).
namespace internal {

// Replace's work inside its transaction; new_keys are record's index keys.
Status ReplaceInTxn(Env::Impl& env, MDB_txn* txn, const TableDesc& t,
                    Record* record, const std::vector<std::string>& new_keys,
                    std::optional<std::uint64_t> expected_revision) {
  Record old;
  Status s = LoadRecord(env, txn, t, record->uuid, &old);
  if (!s.ok()) return s;
  s = CheckRevision(t, old, expected_revision);
  if (!s.ok()) return s;
  return OverwriteInTxn(env, txn, t, old, record, new_keys);
}

// Patch's checks before its transaction: each member names a field of the
// table, once. Values are checked in the transaction, on the whole record.
Status PreparePatch(const TableDesc& t, const std::vector<FieldPatch>& patch) {
  std::vector<bool> seen(t.fields.size(), false);
  for (const FieldPatch& p : patch) {
    if (p.field < 0 || p.field >= static_cast<int>(t.fields.size()))
      return Status::InvalidArgument(
          t.name, "a patch names field position " + std::to_string(p.field) +
                      "; " + t.name + " has " +
                      std::to_string(t.fields.size()) + " fields");
    const std::string& name = t.fields[p.field].name;
    if (seen[p.field])
      return Status::InvalidArgument(name, name + " is patched twice");
    seen[p.field] = true;
  }
  return Status();
}

// Patch's work inside its transaction: the record is read here, so no
// other write can come between the read and the overwrite. *out receives
// the record as stored.
Status PatchInTxn(Env::Impl& env, MDB_txn* txn, const TableDesc& t,
                  const Uuid& uuid, const std::vector<FieldPatch>& patch,
                  std::optional<std::uint64_t> expected_revision,
                  Record* out) {
  Record old;
  Status s = LoadRecord(env, txn, t, uuid, &old);
  if (!s.ok()) return s;
  s = CheckRevision(t, old, expected_revision);
  if (!s.ok()) return s;
  *out = old;
  for (const FieldPatch& p : patch) out->fields[p.field] = p.value;
  s = CheckRecordShape(t, *out);
  if (!s.ok()) return s;
  std::vector<std::string> new_keys;
  s = AllIndexKeys(t, out->fields, uuid, &new_keys);
  if (!s.ok()) return s;
  return OverwriteInTxn(env, txn, t, old, out, new_keys);
}

// Insert's checks and encoding, before its transaction: sets a new uuid
// (if none) and revision 1, and fills the index keys and stored bytes.
Status PrepareInsert(Env::Impl& env, const TableDesc& t, Record* record,
                     std::vector<std::string>* keys, std::string* bytes) {
  Status s = CheckRecordShape(t, *record);
  if (!s.ok()) return s;
  // Before the keys: a UNIQUE key with a null part holds the uuid.
  if (record->uuid == Uuid()) record->uuid = Uuid::New();
  s = AllIndexKeys(t, record->fields, record->uuid, keys);
  if (!s.ok()) return s;
  s = CheckInsertHeadroom(env);
  if (!s.ok()) return s;
  record->revision = 1;
  EncodeRecord(t, *record, bytes);
  return Status();
}

// Replace's checks before its transaction; fills the new index keys.
Status PrepareReplace(const TableDesc& t, const Record& record,
                      std::vector<std::string>* new_keys) {
  Status s = CheckRecordShape(t, record);
  if (!s.ok()) return s;
  return AllIndexKeys(t, record.fields, record.uuid, new_keys);
}

// Remove's work inside its transaction.
Status RemoveByUuid(Env::Impl& env, MDB_txn* txn, const TableDesc& t,
                    const Uuid& uuid,
                    std::optional<std::uint64_t> expected_revision) {
  Record old;
  Status s = LoadRecord(env, txn, t, uuid, &old);
  if (!s.ok()) return s;
  s = CheckRevision(t, old, expected_revision);
  if (!s.ok()) return s;
  return RemoveInTxn(env, txn, t, old);
}

}  // namespace internal

using namespace internal;

Result<Uuid> Table::Insert(Record* record) {
  Env::Impl& env = env_->impl();
  const TableDesc& t = *desc_;
  std::vector<std::string> keys;
  std::string bytes;
  Status s = PrepareInsert(env, t, record, &keys, &bytes);
  if (!s.ok()) return s;
  s = env.committer->Run([&](MDB_txn* txn) {
    return InsertInTxn(env, txn, t, *record, bytes, keys);
  });
  if (!s.ok()) return s;
  return record->uuid;
}

void Table::InsertAsync(Record record, RecordDone done) {
  Env::Impl& env = env_->impl();
  const TableDesc& t = *desc_;
  // Owned by the pending write: the caller does not wait.
  struct State {
    Record record;
    std::vector<std::string> keys;
    std::string bytes;
  };
  auto state = std::make_shared<State>();
  state->record = std::move(record);
  Status s = PrepareInsert(env, t, &state->record, &state->keys,
                           &state->bytes);
  if (!s.ok()) return done(std::move(s));
  env.committer->Submit(
      [&env, &t, state](MDB_txn* txn) {
        return InsertInTxn(env, txn, t, state->record, state->bytes,
                           state->keys);
      },
      [state, done = std::move(done)](Status s) {
        if (!s.ok()) return done(std::move(s));
        done(std::move(state->record));
      });
}

Result<Record> Table::Get(const Uuid& uuid) {
  Env::Impl& env = env_->impl();
  ReadTxn txn(env);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  Record record;
  s = LoadRecord(env, txn.get(), *desc_, uuid, &record);
  if (!s.ok()) return s;
  return record;
}

Status Table::Get(const Uuid& uuid, RecordSink& sink) {
  Env::Impl& env = env_->impl();
  ReadTxn txn(env);
  Status s = txn.Begin();
  std::string_view stored;
  if (s.ok()) s = GetStored(env, txn.get(), *desc_, uuid, &stored);
  if (!s.ok()) return s;
  return sink.Add(StoredRecord(*desc_, uuid, stored));
}

Status Table::Replace(Record* record,
                      std::optional<std::uint64_t> expected_revision) {
  Env::Impl& env = env_->impl();
  const TableDesc& t = *desc_;
  std::vector<std::string> new_keys;
  Status s = PrepareReplace(t, *record, &new_keys);
  if (!s.ok()) return s;
  return env.committer->Run([&](MDB_txn* txn) {
    return ReplaceInTxn(env, txn, t, record, new_keys, expected_revision);
  });
}

void Table::ReplaceAsync(Record record,
                         std::optional<std::uint64_t> expected_revision,
                         RecordDone done) {
  Env::Impl& env = env_->impl();
  const TableDesc& t = *desc_;
  struct State {
    Record record;
    std::vector<std::string> new_keys;
  };
  auto state = std::make_shared<State>();
  state->record = std::move(record);
  Status s = PrepareReplace(t, state->record, &state->new_keys);
  if (!s.ok()) return done(std::move(s));
  env.committer->Submit(
      [&env, &t, state, expected_revision](MDB_txn* txn) {
        return ReplaceInTxn(env, txn, t, &state->record, state->new_keys,
                            expected_revision);
      },
      [state, done = std::move(done)](Status s) {
        if (!s.ok()) return done(std::move(s));
        done(std::move(state->record));
      });
}

Result<Record> Table::Patch(const Uuid& uuid, std::vector<FieldPatch> patch,
                            std::optional<std::uint64_t> expected_revision) {
  Env::Impl& env = env_->impl();
  const TableDesc& t = *desc_;
  Status s = PreparePatch(t, patch);
  if (!s.ok()) return s;
  Record record;
  s = env.committer->Run([&](MDB_txn* txn) {
    return PatchInTxn(env, txn, t, uuid, patch, expected_revision, &record);
  });
  if (!s.ok()) return s;
  return record;
}

void Table::PatchAsync(const Uuid& uuid, std::vector<FieldPatch> patch,
                       std::optional<std::uint64_t> expected_revision,
                       RecordDone done) {
  Env::Impl& env = env_->impl();
  const TableDesc& t = *desc_;
  struct State {
    std::vector<FieldPatch> patch;
    Record record;
  };
  auto state = std::make_shared<State>();
  state->patch = std::move(patch);
  Status s = PreparePatch(t, state->patch);
  if (!s.ok()) return done(std::move(s));
  env.committer->Submit(
      [&env, &t, uuid, state, expected_revision](MDB_txn* txn) {
        return PatchInTxn(env, txn, t, uuid, state->patch, expected_revision,
                          &state->record);
      },
      [state, done = std::move(done)](Status s) {
        if (!s.ok()) return done(std::move(s));
        done(std::move(state->record));
      });
}

Status Table::Remove(const Uuid& uuid,
                     std::optional<std::uint64_t> expected_revision) {
  Env::Impl& env = env_->impl();
  return env.committer->Run([&](MDB_txn* txn) {
    return RemoveByUuid(env, txn, *desc_, uuid, expected_revision);
  });
}

void Table::RemoveAsync(const Uuid& uuid,
                        std::optional<std::uint64_t> expected_revision,
                        StatusDone done) {
  Env::Impl& env = env_->impl();
  const TableDesc& t = *desc_;
  env.committer->Submit(
      [&env, &t, uuid, expected_revision](MDB_txn* txn) {
        return RemoveByUuid(env, txn, t, uuid, expected_revision);
      },
      std::move(done));
}

namespace {

// Find's and Select's checks of a query's equality filters.
Status CheckFilters(const TableDesc& t, const std::vector<Filter>& filters) {
  for (const Filter& f : filters) {
    if (f.field < 0 || f.field >= static_cast<int>(t.fields.size()))
      return Status::InvalidArgument(t.name, "filter names no field of " + t.name);
    const FieldDesc& fd = t.fields[f.field];
    if (IsNull(f.value) && !fd.nullable)
      return Status::InvalidArgument(
          fd.name, fd.name + " is never null (it is " +
                       (fd.required ? "required" : "a DEFAULT_FIELD") +
                       "), so a filter for null would match nothing");
    if (!Fits(f.value, fd.type, fd.nullable))
      return Status::InvalidArgument(
          fd.name, fd.name + " filter must be a " + std::string(TypeName(fd.type)));
  }
  return Status();
}

}  // namespace

Result<Page> Table::Find(const std::vector<Filter>& filters,
                         const PageRequest& request) {
  Query query;
  query.filters = filters;
  return Select(query, request);
}

Result<Page> Table::Select(const Query& query, const PageRequest& request) {
  const TableDesc& t = *desc_;
  Status s = CheckFilters(t, query.filters);
  if (s.ok()) s = CheckOrdered(t, query);
  if (!s.ok()) return s;
  Plan plan = ChooseQueryPlan(t, query);
  const std::uint32_t tag = QueryTag(t, query);
  Resume resume;
  const Resume* after;
  s = ResumeFrom(t, request, ScopeOf(plan, tag), &resume, &after);
  if (!s.ok()) return s;
  PageBuilder page(t, request, plan.description, query.filters, plan.residual);
  page.SetQuery(plan, tag);
  s = RunPlan(env_->impl(), t, plan, after, &page);
  if (!s.ok()) return s;
  return page.Finish();
}

Result<CountPage> Table::CountWhere(const Query& query,
                                    const PageRequest& request) {
  const TableDesc& t = *desc_;
  Status s = CheckFilters(t, query.filters);
  if (s.ok()) s = CheckOrdered(t, query);
  if (!s.ok()) return s;
  CountPage out;
  const bool no_condition = query.filters.empty() && query.range_field < 0 &&
                            query.prefix_field < 0;
  Plan plan = ChooseQueryPlan(t, query);
  const bool keys_only = plan.kind != Plan::Kind::kScan &&
                         plan.residual.empty() && plan.ordered_field < 0;
  if (request.after.empty() && no_condition) {
    auto n = Count();
    if (!n.ok()) return n.status();
    out.count = n.value();
    out.plan = "entries";
    return out;
  }
  if (request.after.empty() && keys_only) {
    s = CountKeys(env_->impl(), t, plan, &out.count);
    if (!s.ok()) return s;
    out.plan = (plan.kind == Plan::Kind::kLink
                    ? "link " + t.links_db_name
                    : "index " + t.indexes[plan.index].name) + " keys";
    return out;
  }
  // Records must be read: in ascending order, bounded by max_examined.
  plan.descending = false;
  const std::uint32_t tag = QueryTag(t, query);
  Resume resume;
  const Resume* after;
  s = ResumeFrom(t, request, ScopeOf(plan, tag), &resume, &after);
  if (!s.ok()) return s;
  PageBuilder page(t, request, plan.description, query.filters, plan.residual);
  page.SetQuery(plan, tag);
  page.CountOnly();
  s = RunPlan(env_->impl(), t, plan, after, &page);
  if (!s.ok()) return s;
  out.count = page.count();
  Page done = page.Finish();
  out.next = std::move(done.next);
  out.plan = std::move(done.plan);
  out.examined = done.examined;
  return out;
}

Result<Page> Table::Range(int field, const std::optional<Value>& from,
                          const std::optional<Value>& to,
                          const PageRequest& request) {
  if (field < 0)
    return Status::InvalidArgument(desc_->name, "a range names no field of " +
                                                    desc_->name);
  Query query;
  query.range_field = field;
  query.from = from;
  query.to = to;
  return Select(query, request);
}

Result<Page> Table::Children(const Uuid& parent, const TableDesc& child,
                             const PageRequest& request) {
  if (child.parent != desc_->position)
    return Status::InvalidArgument(
        child.name, child.name + " is not linked to " + desc_->name);
  Env::Impl& env = env_->impl();
  Resume resume;
  const Resume* after;
  Status s = ResumeFrom(child, request, {'L', -1, {}}, &resume, &after);
  if (!s.ok()) return s;
  ReadTxn txn(env);
  s = txn.Begin();
  std::string_view stored;  // only whether the parent exists matters
  if (s.ok()) s = GetStored(env, txn.get(), *desc_, parent, &stored);
  if (!s.ok()) return s;
  PageBuilder page(child, request, "link " + child.links_db_name);
  s = WalkLinks(env, txn.get(), child, parent, false, after, &page);
  if (!s.ok()) return s;
  return page.Finish();
}

Result<std::uint64_t> Table::Count() {
  Env::Impl& env = env_->impl();
  ReadTxn txn(env);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  MDB_stat st;
  int rc = mdb_stat(txn.get(), env.dbs[desc_->position].records, &st);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_stat " + desc_->name);
  return static_cast<std::uint64_t>(st.ms_entries);
}

}  // namespace lmdbapi
