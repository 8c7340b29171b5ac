// SPDX-License-Identifier: Apache-2.0
// tests/store/mdb_status_test.cc - LMDB codes become the Status the table in
// src/store/mdb_status.h promises: only real corruption is kCorruption, and
// what a client or operator can act on says so.

#include "store/mdb_status.h"

#include <lmdb.h>

#include <cerrno>

#include <boost/test/unit_test.hpp>

using lmdbapi::FromMdb;
using lmdbapi::Status;
using Code = lmdbapi::Status::Code;

BOOST_AUTO_TEST_SUITE(mdb_status)

BOOST_AUTO_TEST_CASE(success_is_ok) { BOOST_TEST(FromMdb(MDB_SUCCESS, "mdb_put t").ok()); }

BOOST_AUTO_TEST_CASE(each_code_maps_to_its_status) {
  struct Row {
    int rc;
    Code code;
  };
  const Row rows[] = {
      {MDB_MAP_FULL, Code::kStorageFull},      {MDB_TXN_FULL, Code::kStorageFull},
      {MDB_BAD_VALSIZE, Code::kInvalidArgument}, {MDB_READERS_FULL, Code::kUnavailable},
      {MDB_DBS_FULL, Code::kUnavailable},      {MDB_MAP_RESIZED, Code::kUnavailable},
      {MDB_BAD_TXN, Code::kIOError},           {MDB_BAD_DBI, Code::kIOError},
      {MDB_CORRUPTED, Code::kCorruption},      {MDB_PAGE_NOTFOUND, Code::kCorruption},
      {MDB_PANIC, Code::kCorruption},          {MDB_INVALID, Code::kCorruption},
      {MDB_VERSION_MISMATCH, Code::kCorruption}, {MDB_INCOMPATIBLE, Code::kCorruption},
      {MDB_CURSOR_FULL, Code::kCorruption},    {MDB_NOTFOUND, Code::kCorruption},
      {MDB_KEYEXIST, Code::kCorruption},       {EIO, Code::kIOError},
      {ENOSPC, Code::kIOError},
  };
  for (const Row& row : rows) {
    Status s = FromMdb(row.rc, "mdb_op db");
    BOOST_TEST((s.code() == row.code), "rc " << row.rc << ": " << s.message());
    BOOST_TEST(s.message().rfind("mdb_op db: ", 0) == 0u, s.message());
  }
}

BOOST_AUTO_TEST_CASE(txn_full_says_a_retry_cannot_help_and_what_to_do) {
  Status s = FromMdb(MDB_TXN_FULL, "mdb_del permits");
  BOOST_TEST((s.code() == Code::kStorageFull));
  BOOST_TEST(s.message().find("nothing was written") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("smaller requests") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_CASE(bad_valsize_names_the_request_part_that_made_the_key) {
  Status s = FromMdb(MDB_BAD_VALSIZE, "mdb_cursor_get permits.by_issued_on", "after");
  BOOST_TEST((s.code() == Code::kInvalidArgument));
  BOOST_TEST(s.subject() == "after");
  BOOST_TEST(s.message().rfind("after: ", 0) == 0u, s.message());
}

BOOST_AUTO_TEST_SUITE_END()
