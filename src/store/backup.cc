// SPDX-License-Identifier: Apache-2.0
// src/store/backup.cc - Backup(): a hot, compacted copy of an environment
// (see include/lmdbapi/admin.h).
//
// mdb_env_copy2 reports nothing until it is done, so the copy runs on its
// own thread through mdb_env_copyfd2 into a file we opened, and this thread
// watches the file grow for the progress display.

#include <fcntl.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "lmdbapi/admin.h"
#include "store/change_log.h"
#include "store/env_impl.h"
#include "store/map_growth.h"
#include "store/mdb_status.h"

namespace lmdbapi {
namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// fsync of a directory makes the new file's name durable, not just its
// bytes.
Status SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir);
  int rc = fsync(fd);
  close(fd);
  if (rc != 0) return Errno("fsync " + dir);
  return Status();
}

// A backup holds every record: private like the environment (env.cc), a
// 0700 directory if it makes one, and a 0600 file.
Status MakePrivateDirectories(const std::string& path) {
  std::filesystem::path sofar;
  for (const std::filesystem::path& part : std::filesystem::path(path)) {
    sofar /= part;
    if (mkdir(sofar.c_str(), 0700) != 0 && errno != EEXIST)
      return Errno("cannot create " + sofar.string());
  }
  return Status();
}

// mdb_env_copyfd2 begins its own read transaction, so the copy holds the
// map gate (map_gate.h) and adopts another process's growth when LMDB
// reports MDB_MAP_RESIZED, as BeginTxn does.
int CopyWithGate(Env::Impl& env, int fd) {
  int rc = MDB_MAP_RESIZED;
  for (int attempt = 0; attempt < 4 && rc == MDB_MAP_RESIZED; ++attempt) {
    if (attempt > 0 && !AdoptMapSize(env).ok()) break;
    if (attempt > 0 && (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0))
      return errno;
    MapGate::Hold hold(env.gate);
    rc = mdb_env_copyfd2(env.env, fd, MDB_CP_COMPACT);
  }
  return rc;
}

// The newest seq in the copy's change feed, read from the copy itself
// (the copy's snapshot is its own read transaction's, not one we hold).
Status CopySeq(const std::string& dir, std::uint64_t* seq) {
  *seq = 0;
  MDB_env* copy;
  int rc = mdb_env_create(&copy);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_create (backup)");
  struct Close {
    MDB_env* env;
    ~Close() { mdb_env_close(env); }
  } closer{copy};
  rc = mdb_env_set_maxdbs(copy, 4);
  // No lock file: nobody else has the copy open yet.
  if (rc == MDB_SUCCESS)
    rc = mdb_env_open(copy, dir.c_str(), MDB_RDONLY | MDB_NOLOCK, 0600);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_env_open " + dir);
  MDB_txn* txn;
  rc = mdb_txn_begin(copy, nullptr, MDB_RDONLY, &txn);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "mdb_txn_begin (backup)");
  MDB_dbi dbi;
  MDB_cursor* cur = nullptr;
  MDB_val k, v;
  rc = mdb_dbi_open(txn, kChangesDb, 0, &dbi);
  if (rc == MDB_SUCCESS) rc = mdb_cursor_open(txn, dbi, &cur);
  if (rc == MDB_SUCCESS) rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
  if (rc == MDB_SUCCESS &&
      !ChangeSeq(std::string_view(static_cast<const char*>(k.mv_data),
                                  k.mv_size),
                 seq))
    rc = MDB_CORRUPTED;
  if (cur != nullptr) mdb_cursor_close(cur);
  mdb_txn_abort(txn);
  if (rc == MDB_NOTFOUND) return Status();  // no feed, or an empty one
  return FromMdb(rc, "reading the copy's changes");
}

Status WriteSeqFile(const std::string& dir, std::uint64_t seq) {
  std::string path = (std::filesystem::path(dir) / "changes-seq").string();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create " + path);
  std::string text = std::to_string(seq) + "\n";
  bool ok = write(fd, text.data(), text.size()) ==
                static_cast<ssize_t>(text.size()) &&
            fsync(fd) == 0;
  if (close(fd) != 0) ok = false;
  if (!ok) return Errno("write " + path);
  return Status();
}

}  // namespace

Status Backup(Env& env, const std::string& dir, const Progress& progress,
              std::uint64_t* feed_seq) {
  Status made = MakePrivateDirectories(dir);
  if (!made.ok()) return made;
  std::string file = (std::filesystem::path(dir) / "data.mdb").string();
  int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return Status::InvalidArgument(
        "dir", file + " already exists; back up into a new directory");
  if (fd < 0) return Errno("cannot create " + file);

  std::uint64_t total = 0;
  if (progress) {
    auto stat = env.Stat();
    if (stat.ok()) total = stat->used_bytes;
  }

  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = MDB_SUCCESS;
  Env::Impl& impl = env.impl();
  std::thread copier([&] {
    int r = CopyWithGate(impl, fd);
    std::lock_guard<std::mutex> lock(mu);
    rc = r;
    done = true;
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(200),
                        [&] { return done; })) {
      struct stat st;
      if (progress && fstat(fd, &st) == 0)
        progress(static_cast<std::uint64_t>(st.st_size), total);
    }
  }
  copier.join();

  Status s = FromMdb(rc, "mdb_env_copy " + file);
  if (s.ok() && fsync(fd) != 0) s = Errno("fsync " + file);
  struct stat st;
  if (s.ok() && progress && fstat(fd, &st) == 0)
    progress(static_cast<std::uint64_t>(st.st_size),
             static_cast<std::uint64_t>(st.st_size));
  if (close(fd) != 0 && s.ok()) s = Errno("close " + file);
  std::uint64_t seq = 0;
  if (s.ok()) s = CopySeq(dir, &seq);
  if (s.ok()) s = WriteSeqFile(dir, seq);
  if (s.ok()) s = SyncDir(dir);
  if (!s.ok()) unlink(file.c_str());
  if (s.ok() && feed_seq != nullptr) *feed_seq = seq;
  return s;
}

}  // namespace lmdbapi
