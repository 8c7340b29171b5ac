// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/env.h - one LMDB environment holding every table.
//
// An Env is a directory with data.mdb and lock.mdb. Open it once per
// process and share it between threads; several processes may open the same
// directory at once (LMDB's lock file coordinates them). Opening checks the
// stored schema fingerprint against the schema given (see Open), creates the
// databases a new table or index needs, and clears reader slots left behind
// by dead processes (mdb_reader_check). An Env runs one thread of its own,
// the group committer. As with LMDB's own handle, a process forked after
// the Env was opened must not use or destroy it: open another in the child.

#ifndef LMDBAPI_ENV_H_
#define LMDBAPI_ENV_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lmdbapi/schema.h"
#include "lmdbapi/status.h"

namespace lmdbapi {

// What "committed" means. Every mode keeps the database consistent after a
// process crash; they differ only after an operating-system crash or power
// loss.
enum class Durability {
  kSync,        // default: fsync data and meta page on every commit
  kNoMetaSync,  // skip the meta-page fsync: an OS crash may undo the last
                // commit, never corrupt (MDB_NOMETASYNC)
  kNoSync,      // no fsync at all: an OS crash may lose recent commits
                // (MDB_NOSYNC). For tests and bulk loads.
};

struct Options {
  // Directory; created mode 0700 (and any missing parents) if missing, an
  // existing one keeps its mode. data.mdb and lock.mdb are created 0600.
  std::string path;

  // The map size to start with: how large the data file may grow before the
  // map must grow. The file is sparse, so a large map costs address space,
  // not disk. If another process already grew the environment's map, the
  // larger size is used.
  std::uint64_t map_size_bytes = std::uint64_t{1} << 30;

  // Most the map may grow to; 0 = map_size_bytes (the map never grows).
  // When an insert finds less than an eighth of the map free, or a write
  // runs out of map (MDB_MAP_FULL), the map doubles, capped here, while
  // this process's transactions wait for a moment (map_gate.h). A write
  // that does not fit at the maximum fails with kStorageFull and writes
  // nothing. REQUIRES: 0 or >= map_size_bytes.
  std::uint64_t map_max_bytes = 0;

  // Told one line when this process grows the map, or adopts another
  // process's larger map; called on the thread that did it. Unset: silent.
  std::function<void(const std::string& line)> on_map_change;

  // Reader slots shared by every process on the environment: one per
  // concurrent read transaction (each request thread holds one).
  unsigned max_readers = 126;

  // Named databases. 0 = just enough for the schema plus room to grow.
  unsigned max_dbs = 0;

  Durability durability = Durability::kSync;

  // Most writes one commit may carry when concurrent writes are coalesced
  // (group commit: one transaction and one fsync for many writes). 1 gives
  // every write its own commit; larger batches raise durable write
  // throughput at the cost of the time a write waits for its batch.
  // 0 = the default and most, 256.
  unsigned max_batch_writes = 0;

  // The change feed (changes.h): every write also appends its changes to
  // the `changes` database, in its own transaction. false appends none
  // (reading what is there still works); consumers then miss those writes.
  bool changes = true;

  // Change feed retention: keep at most this many changes (0: no bound by
  // count) and none written more than this many seconds ago (0: no bound
  // by age). The oldest are trimmed a few at a time as writes commit, so
  // an idle environment keeps what it holds; the newest change is always
  // kept.
  std::uint64_t changes_retain_count = 0;
  std::uint64_t changes_retain_seconds = 0;
};

struct DbStats {
  std::string name;  // as mdb_stat -a shows it
  std::uint64_t entries = 0;
  unsigned depth = 0;
  std::uint64_t branch_pages = 0, leaf_pages = 0, overflow_pages = 0;
};

struct EnvStats {
  std::uint64_t map_size = 0;    // bytes, this process's map now
  std::uint64_t map_max = 0;     // bytes, most it may grow to
  std::uint64_t map_growths = 0;    // times this process grew the map
  std::uint64_t map_adoptions = 0;  // times it took another's larger map
  std::uint64_t used_bytes = 0;  // pages in use x page size
  unsigned page_size = 0;
  unsigned max_readers = 0;
  unsigned readers_in_use = 0;   // live reader slots, all processes
  std::uint64_t last_txn_id = 0;
  // This process's writes since Open, and the write transactions that
  // carried them: writes / write_commits is the group-commit batch size.
  std::uint64_t writes = 0;
  std::uint64_t write_commits = 0;
  // write_commits by how many writes each carried: entry i counts those
  // that carried at most 2^i (and more than 2^(i-1)), i = 0..8 (256, the
  // most one commit takes).
  std::vector<std::uint64_t> writes_per_commit;
  std::vector<DbStats> dbs;      // tables, indexes, links, meta
};

class Env {
 public:
  // Opens (creating if needed) the environment at options.path for `schema`.
  // Fails with:
  //   kSchemaMismatch  the stored fingerprint is incompatible (a field was
  //                    removed, renamed, retyped or reordered; a required
  //                    field was appended; a table disappeared); the
  //                    message says what differs
  //   kIOError         the directory cannot be created or opened
  //   kInvalidArgument the schema does not Validate(), or bad options
  // Appended optional fields, new tables and new indexes are compatible: new
  // indexes are built from their tables in the opening transaction.
  static Result<std::unique_ptr<Env>> Open(
      const Options& options, const Schema& schema = Schema::Compiled());

  ~Env();  // aborts this process's cached read transactions, closes
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  const Schema& schema() const;
  const Options& options() const;

  // What this Open changed in the stored schema, one sentence each naming
  // the table, field or index: a field that became nullable, an index
  // dropped or built from its table. Empty for a new environment or one
  // already written with this schema. The worker logs them at start-up.
  const std::vector<std::string>& schema_changes() const;

  Result<EnvStats> Stat() const;

  // Frees reader slots held by processes that died (mdb_reader_check);
  // returns how many. Open() does this once; a server calls it now and then.
  Result<int> ClearStaleReaders();

  struct Impl;  // src/store/env_impl.h
  Impl& impl() { return *impl_; }

 private:
  explicit Env(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_ENV_H_
