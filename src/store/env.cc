// SPDX-License-Identifier: Apache-2.0
// src/store/env.cc - opening an environment: LMDB settings, the schema
// check, database handles, and statistics.

#include "lmdbapi/env.h"

#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "schema/fingerprint.h"
#include "store/change_log.h"
#include "store/env_impl.h"
#include "store/idempotency.h"
#include "store/index_ops.h"
#include "store/key_codec.h"
#include "store/key_compare.h"
#include "store/map_growth.h"
#include "store/mdb_status.h"

namespace lmdbapi {
namespace {

constexpr const char kMetaDb[] = "meta";
constexpr const char kSchemaKey[] = "schema";
constexpr const char kFingerprintKey[] = "fingerprint";

// Non-unique indexes and links hold 16-byte uuids as sorted duplicates;
// DUPFIXED packs them into pages without per-item headers. These flags are
// part of the on-disk format: LMDB refuses to reopen with different ones.
constexpr unsigned kDupFlags = MDB_DUPSORT | MDB_DUPFIXED;

unsigned DbFlags(IndexKind kind) {
  return kind == IndexKind::UNIQUE ? 0u : kDupFlags;
}

// Databases that are not the schema's: meta, the two of idempotency.h,
// the change feed's, and room for a few more without touching this count.
constexpr unsigned kServiceDbs = 8;

unsigned CountDbs(const Schema& schema) {
  unsigned n = kServiceDbs;
  for (const TableDesc& t : schema.tables)
    n += 1 + static_cast<unsigned>(t.indexes.size()) + (t.parent >= 0);
  return n;
}

Status OpenDb(MDB_txn* txn, const std::string& name, unsigned flags,
              MDB_dbi* dbi) {
  return FromMdb(mdb_dbi_open(txn, name.c_str(), flags | MDB_CREATE, dbi),
                 "mdb_dbi_open " + name);
}

// The opening transaction: compare schemas, open every database, apply the
// compatible changes, store the schema. All or nothing.
Status Prepare(Env::Impl& impl) {
  MDB_txn* txn;
  MapGate::Hold hold(impl.gate);
  Status begun = BeginTxn(impl, hold, 0, &txn, "open");
  if (!begun.ok()) return begun;
  int rc;
  struct Abort {
    MDB_txn*& txn;
    ~Abort() { if (txn != nullptr) mdb_txn_abort(txn); }
  } abort_guard{txn};

  Status s = OpenDb(txn, kMetaDb, 0, &impl.meta);
  // Created here for an environment an earlier release wrote.
  if (s.ok()) s = OpenDb(txn, kChangesDb, 0, &impl.changes);
  if (!s.ok()) return s;
  // Created here when missing: a data directory of a release before
  // idempotency keys opens as it is, and gains them empty.
  s = OpenDb(txn, kIdempotencyDb, 0, &impl.idempotency);
  if (!s.ok()) return s;
  s = OpenDb(txn, kIdempotencyExpiryDb, 0, &impl.idempotency_expiry);
  if (!s.ok()) return s;

  MDB_val key = ToVal(kSchemaKey), val;
  rc = mdb_get(txn, impl.meta, &key, &val);
  SchemaChanges changes;
  bool fresh = rc == MDB_NOTFOUND;
  if (!fresh) {
    if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_get meta/schema");
    Result<Schema> stored = DecodeSchema(FromVal(val));
    if (!stored.ok()) return stored.status();
    Result<SchemaChanges> c = CompareSchemas(stored.value(), impl.schema);
    if (!c.ok()) return c.status();
    changes = std::move(c.value());
    for (const SchemaChanges::DroppedIndex& d : changes.drop_indexes) {
      MDB_dbi dbi;
      s = FromMdb(mdb_dbi_open(txn, d.db_name.c_str(),
                               d.dupsort ? kDupFlags : 0, &dbi),
                  "mdb_dbi_open " + d.db_name);
      if (!s.ok()) return s;
      s = FromMdb(mdb_drop(txn, dbi, 1), "mdb_drop " + d.db_name);
      if (!s.ok()) return s;
    }
  }

  impl.dbs.assign(impl.schema.tables.size(), TableDbs());
  for (const TableDesc& t : impl.schema.tables) {
    TableDbs& dbs = impl.dbs[t.position];
    s = OpenDb(txn, t.name, 0, &dbs.records);
    if (!s.ok()) return s;
    // LMDB's default order, compared faster (key_compare.h).
    s = FromMdb(mdb_set_compare(txn, dbs.records, CompareKeys),
                "mdb_set_compare " + t.name);
    if (!s.ok()) return s;
    dbs.indexes.resize(t.indexes.size());
    for (std::size_t i = 0; i < t.indexes.size(); ++i) {
      s = OpenDb(txn, t.indexes[i].db_name, DbFlags(t.indexes[i].kind),
                 &dbs.indexes[i]);
      // The duplicates are uuids.
      if (s.ok() && DbFlags(t.indexes[i].kind) != 0)
        s = FromMdb(mdb_set_dupsort(txn, dbs.indexes[i], CompareKeys),
                    "mdb_set_dupsort " + t.indexes[i].db_name);
      if (!s.ok()) return s;
    }
    if (t.parent >= 0) {
      s = OpenDb(txn, t.links_db_name, kDupFlags, &dbs.links);
      // Keyed by the parent's uuid; the duplicates are the children's.
      if (s.ok())
        s = FromMdb(mdb_set_compare(txn, dbs.links, CompareKeys),
                    "mdb_set_compare " + t.links_db_name);
      if (s.ok())
        s = FromMdb(mdb_set_dupsort(txn, dbs.links, CompareKeys),
                    "mdb_set_dupsort " + t.links_db_name);
      if (!s.ok()) return s;
    }
  }

  for (const SchemaChanges::IndexRef& ref : changes.build_indexes) {
    s = RebuildIndex(impl, txn, impl.schema.tables[ref.table], ref.index);
    if (!s.ok()) return s;
  }
  if (!fresh) {
    impl.schema_changes = changes.notes;
    for (const SchemaChanges::DroppedIndex& d : changes.drop_indexes)
      impl.schema_changes.push_back("index " + d.db_name +
                                    " dropped (removed or changed)");
    for (const SchemaChanges::IndexRef& ref : changes.build_indexes)
      impl.schema_changes.push_back(
          "index " + impl.schema.tables[ref.table].indexes[ref.index].db_name +
          " built from its table (new or changed)");
  }

  if (fresh || changes.differs) {
    std::string encoded = EncodeSchema(impl.schema);
    MDB_val v = ToVal(encoded);
    s = FromMdb(mdb_put(txn, impl.meta, &key, &v, 0), "mdb_put meta/schema");
    if (!s.ok()) return s;
    std::string text = impl.schema.Fingerprint();
    MDB_val fk = ToVal(kFingerprintKey), fv = ToVal(text);
    s = FromMdb(mdb_put(txn, impl.meta, &fk, &fv, 0),
                "mdb_put meta/fingerprint");
    if (!s.ok()) return s;
  }
  MDB_txn* committing = txn;
  txn = nullptr;
  return FromMdb(mdb_txn_commit(committing), "mdb_txn_commit (open)");
}

// The environment's files are the data itself: only the worker's user may
// read them (0600 files, in a 0700 directory). mkdir(2) rather than
// std::filesystem::create_directories, which makes directories 0777 & ~umask.
// A directory that exists keeps its mode: the operator chose it (systemd's
// StateDirectoryMode, a group share).
Status MakePrivateDirectories(const std::string& path) {
  std::filesystem::path whole(path), sofar;
  for (const std::filesystem::path& part : whole) {
    sofar /= part;
    if (mkdir(sofar.c_str(), 0700) == 0 || errno == EEXIST) continue;
    return Status::IOError("cannot create " + sofar.string() + ": " +
                           std::strerror(errno));
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::IOError("cannot create " + path + ": not a directory");
  return Status();
}

// Another process may have grown the map beyond the size asked for: take
// the stored size if larger (mdb_env_set_mapsize(env, 0)), never smaller
// than asked (the operator may have raised it).
Status TakeStoredMapSize(Env::Impl& impl) {
  std::uint64_t asked = MapSize(impl);
  int rc = mdb_env_set_mapsize(impl.env, 0);
  if (rc == MDB_SUCCESS && MapSize(impl) < asked)
    rc = mdb_env_set_mapsize(impl.env, asked);
  return FromMdb(rc, "mdb_env_set_mapsize (open)");
}

}  // namespace

Env::Impl::~Impl() {
  committer.reset();  // commits what is queued; needs the environment open
  for (MDB_txn* txn : idle_readers) mdb_txn_abort(txn);
  if (env != nullptr) mdb_env_close(env);
}

Env::Env(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Env::~Env() = default;

const Schema& Env::schema() const { return impl_->schema; }
const Options& Env::options() const { return impl_->options; }
const std::vector<std::string>& Env::schema_changes() const {
  return impl_->schema_changes;
}

Result<std::unique_ptr<Env>> Env::Open(const Options& options,
                                       const Schema& schema) {
  Status s = schema.Validate();
  if (!s.ok()) return s;
  if (options.path.empty())
    return Status::InvalidArgument("path", "the environment path is empty");
  if (options.map_size_bytes < (std::uint64_t{1} << 20))
    return Status::InvalidArgument("map_size", "the map size must be at least 1 MiB");
  if (options.map_max_bytes != 0 &&
      options.map_max_bytes < options.map_size_bytes)
    return Status::InvalidArgument(
        "map_max", "the most the map may grow to (" +
                       std::to_string(options.map_max_bytes) +
                       " bytes) is below its starting size (" +
                       std::to_string(options.map_size_bytes) + " bytes)");
  if (options.max_readers == 0)
    return Status::InvalidArgument("max_readers", "max_readers must be at least 1");
  if (options.max_batch_writes > GroupCommitter::kMaxBatch)
    return Status::InvalidArgument(
        "max_batch_writes", "max_batch_writes must be at most " +
                                std::to_string(GroupCommitter::kMaxBatch));

  s = MakePrivateDirectories(options.path);
  if (!s.ok()) return s;

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->map_max = options.map_max_bytes != 0 ? options.map_max_bytes
                                              : options.map_size_bytes;
  impl->schema = schema;
  int rc = mdb_env_create(&impl->env);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_create");
  unsigned max_dbs = options.max_dbs != 0 ? options.max_dbs
                                          : CountDbs(schema) + 16;
  rc = mdb_env_set_mapsize(impl->env, options.map_size_bytes);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxreaders(impl->env, options.max_readers);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxdbs(impl->env, max_dbs);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "configuring " + options.path);

  // MDB_NOTLS: read transactions are pooled and renewed by whichever thread
  // needs one, instead of being tied to the thread that began them.
  unsigned flags = MDB_NOTLS;
  if (options.durability == Durability::kNoMetaSync) flags |= MDB_NOMETASYNC;
  if (options.durability == Durability::kNoSync) flags |= MDB_NOSYNC;
  rc = mdb_env_open(impl->env, options.path.c_str(), flags, 0600);
  if (rc != MDB_SUCCESS) {
    Status st = FromMdb(rc, "mdb_env_open " + options.path);
    if (rc == EACCES || rc == ENOENT || rc == EROFS)
      return Status::IOError(st.message() +
                             " (check the directory and its permissions)");
    return st;
  }
  if (mdb_env_get_maxkeysize(impl->env) < static_cast<int>(kMaxKeyBytes))
    return Status::Corruption("this LMDB build allows keys of only " +
                              std::to_string(mdb_env_get_maxkeysize(impl->env)) +
                              " bytes; lmdb-api needs 511");
  int dead = 0;
  mdb_reader_check(impl->env, &dead);  // slots of processes that died
  s = TakeStoredMapSize(*impl);
  if (!s.ok()) return s;

  s = Prepare(*impl);
  if (!s.ok()) return s;
  try {
    impl->committer = std::make_unique<GroupCommitter>(
        *impl, options.max_batch_writes);
  } catch (const std::system_error& e) {
    return Status::IOError(std::string("cannot start the group committer: ") +
                           e.what());
  }
  return std::unique_ptr<Env>(new Env(std::move(impl)));
}

Result<int> Env::ClearStaleReaders() {
  int dead = 0;
  int rc = mdb_reader_check(impl_->env, &dead);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_reader_check");
  return dead;
}

namespace {

// mdb_reader_list writes one line per occupied slot after a header line:
// "pid thread txnid", txnid "-" for a slot whose transaction is reset.
int CountReaderLine(const char* msg, void* ctx) {
  std::string_view line(msg);
  if (line.find("pid") == std::string_view::npos &&
      line.find("(no active readers)") == std::string_view::npos)
    ++*static_cast<int*>(ctx);
  return 0;
}

}  // namespace

Result<EnvStats> Env::Stat() const {
  EnvStats out;
  // mdb_env_info and mdb_env_stat read the meta pages, inside the map: a
  // resize by another thread must not unmap them meanwhile (map_gate.h).
  MapGate::Hold hold(impl_->gate);
  MDB_envinfo info;
  MDB_stat st;
  int rc = mdb_env_info(impl_->env, &info);
  if (rc == MDB_SUCCESS) rc = mdb_env_stat(impl_->env, &st);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_info");
  out.map_size = info.me_mapsize;
  out.map_max = std::max(impl_->map_max, out.map_size);
  out.map_growths = impl_->map_growths.load();
  out.map_adoptions = impl_->map_adoptions.load();
  out.page_size = st.ms_psize;
  out.used_bytes = (info.me_last_pgno + 1) * std::uint64_t{st.ms_psize};
  out.max_readers = info.me_maxreaders;
  out.last_txn_id = info.me_last_txnid;
  GroupCommitter::Counters c = impl_->committer->counters();
  out.write_commits = c.commits;
  out.writes = c.writes;
  out.writes_per_commit.assign(c.batches.begin(), c.batches.end());
  int readers = 0;
  mdb_reader_list(impl_->env, CountReaderLine, &readers);
  out.readers_in_use = static_cast<unsigned>(readers);

  MDB_txn* txn;
  Status s = BeginTxn(*impl_, hold, MDB_RDONLY, &txn, "stat");
  if (!s.ok()) return s;
  auto add = [&](const std::string& name, MDB_dbi dbi) {
    MDB_stat s;
    if (mdb_stat(txn, dbi, &s) != MDB_SUCCESS) return;
    out.dbs.push_back({name, s.ms_entries, s.ms_depth, s.ms_branch_pages,
                       s.ms_leaf_pages, s.ms_overflow_pages});
  };
  for (const TableDesc& t : impl_->schema.tables) {
    const TableDbs& dbs = impl_->dbs[t.position];
    add(t.name, dbs.records);
    for (std::size_t i = 0; i < t.indexes.size(); ++i)
      add(t.indexes[i].db_name, dbs.indexes[i]);
    if (t.parent >= 0) add(t.links_db_name, dbs.links);
  }
  add(kMetaDb, impl_->meta);
  add(kIdempotencyDb, impl_->idempotency);
  add(kIdempotencyExpiryDb, impl_->idempotency_expiry);
  add(kChangesDb, impl_->changes);
  mdb_txn_abort(txn);
  return out;
}

}  // namespace lmdbapi
