// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/status.h - what went wrong, as a value.
//
// A Status says whether an operation worked and, if not, why, in words a
// user can act on. Every error the library reports is one Code below; the
// HTTP layer maps each Code to exactly one problem type (src/http/
// problem.cc, a switch without default), so a new Code without a mapping
// fails the build.
//
// Errors are values, not exceptions: LMDB and libfcgi are C, and a request
// thread must never unwind through an open write transaction.

#ifndef LMDBAPI_STATUS_H_
#define LMDBAPI_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace lmdbapi {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,  // bad value, unknown field, key too long
    kNotFound,         // no record with that uuid
    kUniqueViolation,  // a UNIQUE index already holds that key
    kMissingParent,    // a parent link names no existing record
    kConflict,         // the record changed since the revision the caller saw
    kStorageFull,      // MDB_MAP_FULL: nothing of the operation was written
    kUnavailable,      // e.g. MDB_READERS_FULL; retry later
    kSchemaMismatch,   // stored schema fingerprint differs incompatibly
    kCorruption,       // LMDB or msgpack found unreadable data
    kIOError,          // errno from the file system
  };

  Status() = default;  // OK

  static Status InvalidArgument(std::string_view subject, std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg), subject);
  }
  static Status NotFound(std::string msg) {
    return Status(Code::kNotFound, std::move(msg));
  }
  static Status UniqueViolation(std::string_view index, std::string msg) {
    return Status(Code::kUniqueViolation, std::move(msg), index);
  }
  static Status MissingParent(std::string_view link, std::string msg) {
    return Status(Code::kMissingParent, std::move(msg), link);
  }
  static Status Conflict(std::string msg) {
    return Status(Code::kConflict, std::move(msg));
  }
  static Status StorageFull(std::string msg) {
    return Status(Code::kStorageFull, std::move(msg));
  }
  static Status Unavailable(std::string msg) {
    return Status(Code::kUnavailable, std::move(msg));
  }
  static Status SchemaMismatch(std::string msg) {
    return Status(Code::kSchemaMismatch, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(Code::kCorruption, std::move(msg));
  }
  static Status IOError(std::string msg) {
    return Status(Code::kIOError, std::move(msg));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The schema name the error is about (a field, index or link); empty if
  // none. Becomes the "field" member of an HTTP problem.
  const std::string& subject() const { return subject_; }

 private:
  Status(Code code, std::string msg, std::string_view subject = {})
      : code_(code), message_(std::move(msg)), subject_(subject) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string subject_;
};

// A value or the Status that explains its absence. (std::expected would do,
// but Debian 12's clang 14 cannot use libstdc++'s <expected>.)
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { assert(ok()); return *value_; }
  const T& value() const { assert(ok()); return *value_; }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_STATUS_H_
