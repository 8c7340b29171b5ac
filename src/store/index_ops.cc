// SPDX-License-Identifier: Apache-2.0
// src/store/index_ops.cc - see index_ops.h.

#include "store/index_ops.h"

#include "store/change_log.h"
#include "store/key_codec.h"
#include "store/mdb_status.h"
#include "store/record_codec.h"

namespace lmdbapi {

Status Cursor::Open(MDB_txn* txn, MDB_dbi dbi, std::string_view name) {
  return FromMdb(mdb_cursor_open(txn, dbi, &cur_),
                 "mdb_cursor_open " + std::string(name));
}

namespace {

// Shows a key's values in an error message: `client "Acme", county "NY"`.
std::string DescribeKey(const TableDesc& table, const IndexDesc& index,
                        const std::vector<Value>& fields) {
  std::string out;
  for (int k : index.key_fields) {
    if (!out.empty()) out += ", ";
    std::string text = FormatValue(fields[k]);
    if (text.size() > 64) text = text.substr(0, 64) + "...";
    out += table.fields[k].name +
           (IsNull(fields[k]) ? " null" : " \"" + text + "\"");
  }
  return out;
}

}  // namespace

Status IndexKey(const TableDesc& table, const IndexDesc& index,
                const std::vector<Value>& fields, const Uuid& uuid,
                std::string* key) {
  key->clear();
  bool has_null = false;
  for (int k : index.key_fields) {
    AppendFieldKeyPart(table.fields[k], fields[k], key);
    has_null = has_null || IsNull(fields[k]);
  }
  // SQL's rule: nulls are not equal, so the uuid keeps them apart.
  if (index.kind == IndexKind::UNIQUE && has_null) key->append(uuid.AsBytes());
  if (key->size() <= kMaxKeyBytes) return Status();
  // Name the field that makes the key long: the biggest part.
  int worst = index.key_fields[0];
  std::size_t worst_size = 0;
  for (int k : index.key_fields) {
    std::size_t size = FieldKeyPartSize(table.fields[k], fields[k]);
    if (size > worst_size) {
      worst = k;
      worst_size = size;
    }
  }
  const std::string& name = table.fields[worst].name;
  return Status::InvalidArgument(
      name, name + " is too long for index " + index.name + ": its key would be " +
                std::to_string(key->size()) + " bytes, over LMDB's limit of " +
                std::to_string(kMaxKeyBytes) + " (" + name + " takes " +
                std::to_string(worst_size) + ")");
}

Status AllIndexKeys(const TableDesc& table, const std::vector<Value>& fields,
                    const Uuid& uuid, std::vector<std::string>* keys) {
  keys->resize(table.indexes.size());
  for (std::size_t i = 0; i < table.indexes.size(); ++i) {
    Status s = IndexKey(table, table.indexes[i], fields, uuid, &(*keys)[i]);
    if (!s.ok()) return s;
  }
  return Status();
}

Status PutIndexEntry(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                     int i, const std::string& key, const Uuid& uuid,
                     const std::vector<Value>& fields) {
  const IndexDesc& index = table.indexes[i];
  MDB_val k = ToVal(key);
  MDB_val v = ToVal(uuid.AsBytes());
  unsigned flags =
      index.kind == IndexKind::UNIQUE ? MDB_NOOVERWRITE : MDB_NODUPDATA;
  int rc = mdb_put(txn, env.dbs[table.position].indexes[i], &k, &v, flags);
  if (rc == MDB_KEYEXIST) {
    if (index.kind != IndexKind::UNIQUE) return Status();  // already there
    std::string holder = "another record";
    Uuid other;
    if (Uuid::FromBytes(FromVal(v), &other)) holder = other.ToString();
    // A one-field index names its field, which is what a client can fix.
    std::string subject = index.key_fields.size() == 1
                              ? table.fields[index.key_fields[0]].name
                              : index.name;
    return Status::UniqueViolation(
        subject, table.name + " with " + DescribeKey(table, index, fields) +
                     " already exists (" + holder + "); " + index.name +
                     " is UNIQUE");
  }
  return FromMdb(rc, "mdb_put " + index.db_name);
}

Status DeleteIndexEntry(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                        int i, const std::string& key, const Uuid& uuid) {
  const IndexDesc& index = table.indexes[i];
  MDB_val k = ToVal(key);
  MDB_val v = ToVal(uuid.AsBytes());
  int rc = mdb_del(txn, env.dbs[table.position].indexes[i], &k, &v);
  if (rc == MDB_NOTFOUND)
    return Status::Corruption(index.db_name + " has no entry for " +
                              uuid.ToString() + " (run the index check)");
  return FromMdb(rc, "mdb_del " + index.db_name);
}

Status CheckParent(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                   const Record& record) {
  const TableDesc& parent = env.schema.tables[table.parent];
  const FieldDesc& link = table.fields[table.link_field];
  const Uuid& parent_uuid = std::get<Uuid>(record.fields[table.link_field]);
  MDB_val k = ToVal(parent_uuid.AsBytes()), v;
  int rc = mdb_get(txn, env.dbs[parent.position].records, &k, &v);
  if (rc == MDB_NOTFOUND)
    return Status::MissingParent(
        link.name, link.name + " names no " + parent.name + " record (" +
                       parent_uuid.ToString() + ")");
  return FromMdb(rc, "mdb_get " + parent.name);
}

Status PutLink(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
               const Uuid& parent, const Uuid& child) {
  MDB_val k = ToVal(parent.AsBytes()), v = ToVal(child.AsBytes());
  int rc = mdb_put(txn, env.dbs[table.position].links, &k, &v, MDB_NODUPDATA);
  if (rc == MDB_KEYEXIST) return Status();
  return FromMdb(rc, "mdb_put " + table.links_db_name);
}

Status InsertInTxn(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                   const Record& record, std::string_view bytes,
                   const std::vector<std::string>& keys) {
  if (table.parent >= 0) {
    Status s = CheckParent(env, txn, table, record);
    if (!s.ok()) return s;
  }
  MDB_val k = ToVal(record.uuid.AsBytes()), v = ToVal(bytes);
  int rc = mdb_put(txn, env.dbs[table.position].records, &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST)
    return Status::UniqueViolation(
        "uuid", table.name + " " + record.uuid.ToString() + " already exists");
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_put " + table.name);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Status s = PutIndexEntry(env, txn, table, static_cast<int>(i), keys[i],
                             record.uuid, record.fields);
    if (!s.ok()) return s;
  }
  if (table.parent >= 0) {
    Status s = PutLink(env, txn, table,
                       std::get<Uuid>(record.fields[table.link_field]),
                       record.uuid);
    if (!s.ok()) return s;
  }
  return AppendChange(env, txn, table, record.uuid, ChangeOp::kInsert,
                      record.revision, bytes);
}

Status RebuildIndex(Env::Impl& env, MDB_txn* txn, const TableDesc& table,
                    int i) {
  const IndexDesc& index = table.indexes[i];
  int rc = mdb_drop(txn, env.dbs[table.position].indexes[i], 0);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_drop " + index.db_name);
  MDB_cursor* cur;
  rc = mdb_cursor_open(txn, env.dbs[table.position].records, &cur);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_cursor_open " + table.name);
  Status s;
  MDB_val k, v;
  Record record;
  std::string key;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS && s.ok();
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if (!Uuid::FromBytes(FromVal(k), &record.uuid)) {
      s = Status::Corruption(table.name + " has a key that is not a uuid");
      break;
    }
    s = DecodeRecord(table, FromVal(v), &record);
    if (s.ok()) s = IndexKey(table, index, record.fields, record.uuid, &key);
    if (s.ok()) s = PutIndexEntry(env, txn, table, i, key, record.uuid,
                                  record.fields);
  }
  mdb_cursor_close(cur);
  if (!s.ok()) return s;
  if (rc != MDB_NOTFOUND) return FromMdb(rc, "mdb_cursor_get " + table.name);
  return Status();
}

}  // namespace lmdbapi
