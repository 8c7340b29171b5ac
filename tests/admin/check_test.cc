// SPDX-License-Identifier: Apache-2.0
// tests/admin/check_test.cc - Check() (src/store/check.cc) and `lmdbapi-admin
// check` (src/admin/check_cmd.cc): a consistent environment passes, and
// each kind of damage, made with LMDB's C API behind the library's back,
// is reported naming the database and the uuid.

#include "lmdbapi/admin.h"

#include <boost/test/unit_test.hpp>

#include "admin_util.h"
#include "store/index_ops.h"
#include "store/record_codec.h"

using namespace lmdbapi;
using namespace lmdbapi::testutil;

namespace {

const Schema& S() { return Schema::Compiled(); }

std::string Key(const TableDesc& t, int index, const Record& r) {
  std::string key;
  BOOST_TEST_REQUIRE(IndexKey(t, t.indexes[index], r.fields, r.uuid, &key).ok());
  return key;
}

bool Dupsort(const IndexDesc& i) { return i.kind != IndexKind::UNIQUE; }

std::vector<CheckProblem> Problems(Env& env, CheckSummary* summary = nullptr) {
  std::vector<CheckProblem> out;
  auto s = Check(env, [&](const CheckProblem& p) { out.push_back(p); });
  BOOST_TEST_REQUIRE(s.ok(), s.status().message());
  if (summary != nullptr) *summary = s.value();
  BOOST_TEST(s->problems == out.size());
  return out;
}

bool Reported(const std::vector<CheckProblem>& problems, const std::string& db,
              const Uuid& uuid, const std::string& what) {
  for (const CheckProblem& p : problems)
    if (p.db == db && p.uuid == uuid.ToString() && Contains(p.what, what))
      return true;
  return false;
}

std::string Show(const std::vector<CheckProblem>& problems) {
  std::string out;
  for (const CheckProblem& p : problems)
    out += p.db + " " + p.uuid + ": " + p.what + "\n";
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(check)

BOOST_AUTO_TEST_CASE(a_consistent_environment_has_no_problems) {
  TempEnv env;
  auto records = FillAll(env.env(), 20, 1);
  CheckSummary summary;
  auto problems = Problems(env.env(), &summary);
  BOOST_TEST(problems.empty(), Show(problems));
  std::uint64_t n = 0, entries = 0, links = 0;
  for (const TableDesc& t : S().tables) {
    n += records[t.position].size();
    entries += records[t.position].size() * t.indexes.size();
    if (t.parent >= 0) links += records[t.position].size();
  }
  BOOST_TEST(summary.records == n);
  BOOST_TEST(summary.index_entries == entries);
  BOOST_TEST(summary.links == links);

  env.Close();
  AdminRun r = Admin(env.path(), {"check"});
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(Contains(r.out, "no problems"), r.out);
}

BOOST_AUTO_TEST_CASE(damaged_index_entries_are_reported_by_db_and_uuid) {
  const TableDesc* t = IndexedTable(S());
  if (t == nullptr) return;  // no index in this schema
  TempEnv env;
  auto records = FillAll(env.env(), 6, 2);
  const std::vector<Record>& rs = records[t->position];
  BOOST_TEST_REQUIRE(rs.size() >= 3u);
  const IndexDesc& index = t->indexes[0];
  env.Close();
  Uuid stray = Uuid::New();
  {
    RawEnv raw(env.path());
    // rs[0] loses its entry; a stray entry names a record that never was;
    // rs[1] gets a second entry under rs[2]'s key (for a UNIQUE index:
    // rs[2]'s entry is overwritten to name rs[1]).
    raw.Delete(index.db_name, Dupsort(index), Key(*t, 0, rs[0]),
               rs[0].uuid.AsBytes());
    // (Under rs[0]'s now free key, except for a UNIQUE index, where that
    // would read as "rs[0]'s entry names another record".)
    std::string stray_key = Key(*t, 0, rs[0]) + (Dupsort(index) ? "" : "x");
    raw.Put(index.db_name, Dupsort(index), stray_key, stray.AsBytes());
    raw.Put(index.db_name, Dupsort(index), Key(*t, 0, rs[2]),
            rs[1].uuid.AsBytes());
    raw.Commit();
  }
  env.Reopen();
  auto problems = Problems(env.env());
  std::string shown = Show(problems);
  BOOST_TEST(Reported(problems, index.db_name, rs[0].uuid,
                      "no entry for this record's"), shown);
  BOOST_TEST(Reported(problems, index.db_name, stray,
                      "names a record that is not in " + t->name), shown);
  if (Key(*t, 0, rs[1]) != Key(*t, 0, rs[2]))
    BOOST_TEST(Reported(problems, index.db_name, rs[1].uuid,
                        "but the record has"), shown);
  if (!Dupsort(index))
    BOOST_TEST(Reported(problems, index.db_name, rs[2].uuid,
                        "instead of this record"), shown);

  env.Close();
  AdminRun r = Admin(env.path(), {"check"});
  BOOST_TEST(r.status == 1);
  BOOST_TEST(Contains(r.out, index.db_name + " " + rs[0].uuid.ToString() + ": "),
             r.out);
  BOOST_TEST(Contains(r.out, std::to_string(problems.size()) + " problem"),
             r.out);
}

BOOST_AUTO_TEST_CASE(broken_parent_links_are_reported) {
  const TableDesc* child = ChildTable(S());
  if (child == nullptr) return;  // no linked tables in this schema
  const TableDesc& parent = S().tables[child->parent];
  TempEnv env;
  auto records = FillAll(env.env(), 4, 3);
  const std::vector<Record>& kids = records[child->position];
  BOOST_TEST_REQUIRE(kids.size() >= 3u);
  auto parent_of = [&](const Record& r) {
    return std::get<Uuid>(r.fields[child->link_field]);
  };
  env.Close();
  Uuid ghost = Uuid::New();
  {
    RawEnv raw(env.path());
    // kids[0]: its link is gone. kids[1]: its parent record is gone (with
    // the parent's index entries, so only the orphan shows). A link names
    // a child that does not exist.
    raw.Delete(child->links_db_name, true, parent_of(kids[0]).AsBytes(),
               kids[0].uuid.AsBytes());
    const Record* p1 = nullptr;
    for (const Record& p : records[parent.position])
      if (p.uuid == parent_of(kids[1])) p1 = &p;
    BOOST_TEST_REQUIRE(p1 != nullptr);
    raw.Delete(parent.name, false, p1->uuid.AsBytes());
    for (std::size_t i = 0; i < parent.indexes.size(); ++i)
      raw.Delete(parent.indexes[i].db_name, Dupsort(parent.indexes[i]),
                 Key(parent, static_cast<int>(i), *p1), p1->uuid.AsBytes());
    raw.Put(child->links_db_name, true, parent_of(kids[2]).AsBytes(),
            ghost.AsBytes());
    raw.Commit();
  }
  env.Reopen();
  auto problems = Problems(env.env());
  std::string shown = Show(problems);
  BOOST_TEST(Reported(problems, child->links_db_name, kids[0].uuid,
                      "no link from " + parent.name), shown);
  BOOST_TEST(Reported(problems, child->name, kids[1].uuid,
                      "which is not in " + parent.name), shown);
  BOOST_TEST(Reported(problems, child->links_db_name, ghost,
                      "but not in " + child->name), shown);
}

BOOST_AUTO_TEST_CASE(a_link_under_the_wrong_parent_is_reported) {
  const TableDesc* child = ChildTable(S());
  if (child == nullptr) return;
  TempEnv env;
  auto records = FillAll(env.env(), 3, 4);
  const Record& kid = records[child->position][0];
  const Record& other = records[child->parent][1];
  env.Close();
  {
    RawEnv raw(env.path());
    raw.Put(child->links_db_name, true, other.uuid.AsBytes(),
            kid.uuid.AsBytes());
    raw.Commit();
  }
  env.Reopen();
  auto problems = Problems(env.env());
  BOOST_TEST(Reported(problems, child->links_db_name, kid.uuid,
                      "linked from " + S().tables[child->parent].name + " " +
                          other.uuid.ToString() + " but its"),
             Show(problems));
}

BOOST_AUTO_TEST_CASE(an_undecodable_record_is_reported_once) {
  TempEnv env;
  auto records = FillAll(env.env(), 2, 5);
  const TableDesc& t = S().tables[0];
  const Record& r = records[0][0];
  env.Close();
  {
    RawEnv raw(env.path());
    raw.Put(t.name, false, r.uuid.AsBytes(), "\xc1 not msgpack");
    raw.Commit();
  }
  env.Reopen();
  auto problems = Problems(env.env());
  BOOST_TEST(Reported(problems, t.name, r.uuid, "does not decode"),
             Show(problems));
  int about_it = 0;
  for (const CheckProblem& p : problems) about_it += p.uuid == r.uuid.ToString();
  BOOST_TEST(about_it == 1, Show(problems));
}

// Filters read a field where the record's offset table puts it; an offset
// pointing elsewhere decodes but would make scans miss the record.
BOOST_AUTO_TEST_CASE(a_field_offset_pointing_elsewhere_is_reported) {
  TempEnv env;
  auto records = FillAll(env.env(), 2, 5);
  const TableDesc& t = S().tables[0];
  const Record& r = records[0][0];
  std::string bytes;
  EncodeRecord(t, r, &bytes);
  bytes[4] = static_cast<char>(static_cast<unsigned char>(bytes[4]) + 1);
  Record back;
  BOOST_TEST_REQUIRE(DecodeRecord(t, bytes, &back).ok());  // the array is fine
  env.Close();
  {
    RawEnv raw(env.path());
    raw.Put(t.name, false, r.uuid.AsBytes(), bytes);
    raw.Commit();
  }
  env.Reopen();
  auto problems = Problems(env.env());
  BOOST_TEST(Reported(problems, t.name, r.uuid, "canonical encoding"),
             Show(problems));
}

BOOST_AUTO_TEST_CASE(max_problems_limits_the_lines_not_the_count) {
  const TableDesc* t = IndexedTable(S());
  if (t == nullptr) return;
  TempEnv env;
  auto records = FillAll(env.env(), 5, 6);
  const IndexDesc& index = t->indexes[0];
  env.Close();
  {
    RawEnv raw(env.path());
    for (const Record& r : records[t->position])
      raw.Delete(index.db_name, Dupsort(index), Key(*t, 0, r),
                 r.uuid.AsBytes());
    raw.Commit();
  }
  AdminRun r = Admin(env.path(), {"check", "--max-problems", "2"});
  BOOST_TEST(r.status == 1);
  auto lines = Lines(r.out);
  BOOST_TEST_REQUIRE(lines.size() == 4u, r.out);
  BOOST_TEST(Contains(lines[2], "... and 3 more"), r.out);
  BOOST_TEST(Contains(lines[3], "5 problems"), r.out);
}

// The landed version let msgpack-c store a whole DOUBLE as an integer
// (7.0 as 0x07). Such a record is no problem to check, and a filter on the
// value still finds it (record_codec.h: both accept that form).
BOOST_AUTO_TEST_CASE(a_whole_double_the_landed_version_stored_as_an_integer_passes) {
  TempEnv env;
  auto records = FillAll(env.env(), 2, 5);
  struct Rewritten {
    const TableDesc* t;
    int field;
    Record r;
    std::string bytes;
  };
  std::vector<Rewritten> landed;
  for (const TableDesc& t : S().tables) {
    std::size_t next = 0;  // a record of its own for each DOUBLE field
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      if (t.fields[f].type != FieldType::DOUBLE) continue;
      if (next == records[t.position].size()) break;
      Record r = records[t.position][next++];
      r.fields[f] = 7.0;
      Table table(env.env(), t);
      REQUIRE_OK(table.Replace(&r));
      // The same record with field f as the integer 7: the field's bytes
      // swapped and the offsets after it moved (two-byte offsets).
      std::string bytes;
      EncodeRecord(t, r, &bytes);
      BOOST_TEST_REQUIRE(static_cast<unsigned char>(bytes[1]) == 2);
      const std::size_t n = t.fields.size(), array = 4 + 2 * n;
      auto offset = [&](std::size_t i) {
        return static_cast<unsigned char>(bytes[4 + 2 * i]) |
               static_cast<std::size_t>(static_cast<unsigned char>(bytes[5 + 2 * i])) << 8;
      };
      const std::size_t begin = offset(f);
      BOOST_TEST_REQUIRE(bytes.substr(array + begin, 9) ==
                         std::string("\xcb\x40\x1c\0\0\0\0\0\0", 9));
      bytes.replace(array + begin, 9, "\x07");
      for (std::size_t i = f + 1; i < n; ++i) {
        const std::size_t moved = offset(i) - 8;
        bytes[4 + 2 * i] = static_cast<char>(moved & 0xff);
        bytes[5 + 2 * i] = static_cast<char>(moved >> 8);
      }
      landed.push_back({&t, f, r, bytes});
    }
  }
  if (landed.empty()) {
    BOOST_TEST_MESSAGE("no DOUBLE field in this schema");
    return;
  }
  env.Close();
  {
    RawEnv raw(env.path());
    for (const Rewritten& w : landed)
      raw.Put(w.t->name, false, w.r.uuid.AsBytes(), w.bytes);
    raw.Commit();
  }
  env.Reopen();
  auto problems = Problems(env.env());
  BOOST_TEST(problems.empty(), Show(problems));
  for (const Rewritten& w : landed) {
    BOOST_TEST_CONTEXT(w.t->name << "." << w.t->fields[w.field].name) {
      Table table(env.env(), *w.t);
      PageRequest all;
      all.limit = 1000;
      for (double probe : {7.0, 8.0}) {
        auto page = table.Find({{w.field, probe}}, all);
        REQUIRE_OK(page.status());
        bool found = false;
        for (const Record& got : page->records) found |= got.uuid == w.r.uuid;
        BOOST_TEST(found == (probe == 7.0), "filter " << probe << ", " << page->plan);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
