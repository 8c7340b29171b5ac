// SPDX-License-Identifier: Apache-2.0
// tests/admin/import_test.cc - `lmdbapi-admin import` (src/admin/
// import_cmd.cc) and ImportBatch (src/store/import_batch.cc): an export
// imports back as it was, bad lines are reported by number while the good
// ones land, and a batch that cannot commit loses only itself.

#include <algorithm>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "admin_util.h"
#include "json/record_json.h"
#include "lmdbapi/admin.h"

using namespace lmdbapi;
using namespace lmdbapi::testutil;

namespace {

const Schema& S() { return Schema::Compiled(); }

std::string Json(const Record& r, const TableDesc& t) {
  std::string out;
  http::AppendRecordJson(r, t, &out);
  return out;
}

// A POST body for a new record: the API's JSON without uuid and revision.
std::string Body(const Record& r, const TableDesc& t) {
  std::string json = Json(r, t);
  std::size_t first_field = json.find(",\"", json.find("\"revision\""));
  return "{" + json.substr(first_field + 1);
}

// The first main table's records, serials from `base`.
std::vector<Record> Made(int n, std::uint64_t base) {
  std::mt19937_64 rng(base);
  std::vector<Record> out;
  for (int i = 0; i < n; ++i)
    out.push_back(RandomRecord(S().tables[0], rng, base + i));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(import)

BOOST_AUTO_TEST_CASE(an_export_of_all_imports_back_identically) {
  TempEnv from;
  FillAll(from.env(), 12, 21);
  // A replaced record has revision 2: the import must keep it.
  const TableDesc& t0 = S().tables[0];
  Record first = Table(from.env(), t0).List({1, {}}).value().records[0];
  REQUIRE_OK(Table(from.env(), t0).Replace(&first));
  from.Close();
  AdminRun dump = Admin(from.path(), {"export", "all"});
  BOOST_TEST_REQUIRE(dump.status == 0, dump.err);

  TempDir to;
  std::string file = to.path() + "/dump.ndjson";
  std::ofstream(file) << dump.out;
  std::string target = to.path() + "/env";
  AdminRun imported = Admin(target, {"import", "all", file, "--batch", "7"});
  BOOST_TEST_REQUIRE(imported.status == 0, imported.err);
  BOOST_TEST(Contains(imported.err, "0 bad lines"), imported.err);
  AdminRun again = Admin(target, {"export", "all"});
  BOOST_TEST(again.out == dump.out);
  BOOST_TEST(Contains(again.out, "\"revision\":2"));
  BOOST_TEST(Admin(target, {"check"}).status == 0);
}

BOOST_AUTO_TEST_CASE(bad_lines_are_reported_by_number_and_good_ones_land) {
  const TableDesc& t = S().tables[0];
  std::vector<Record> rs = Made(6, 500);
  std::vector<std::string> lines = {
      Body(rs[0], t),                  // 1 good
      "{not json",                     // 2 syntax
      "",                              // 3 blank: skipped
      Body(rs[1], t),                  // 4 good
      "{\"no_such_field\": 1}",        // 5 unknown member
      Body(rs[2], t),                  // 6 good
      "[1, 2]",                        // 7 not an object
      Body(rs[3], t),                  // 8 good
  };
  std::string input;
  for (const std::string& l : lines) input += l + "\n";
  TempDir dir;
  AdminRun r = Admin(dir.path(), {"import", t.name, "--batch", "2"}, input);
  BOOST_TEST(r.status == 1);
  for (int bad : {2, 5, 7})
    BOOST_TEST(Contains(r.err, "line " + std::to_string(bad) + ": "), r.err);
  BOOST_TEST(!Contains(r.err, "line 3:"), r.err);
  BOOST_TEST(Contains(r.err, "no_such_field"), r.err);
  BOOST_TEST(Contains(r.err, "imported 4 records"), r.err);
  BOOST_TEST(Contains(r.err, "3 bad lines"), r.err);
  BOOST_TEST(Lines(Admin(dir.path(), {"export", t.name}).out).size() == 4u);
}

BOOST_AUTO_TEST_CASE(strings_over_their_limit_are_bad_lines_naming_the_field) {
  // MAX_STRING_BYTES is read as the worker reads it; a field's MAX_BYTES
  // wins. Per string field: a line at its limit lands, one a byte over
  // (a two-byte character across the limit) is reported.
  const TableDesc& t = S().tables[0];
  std::vector<Record> rs = Made(40, 900);
  std::string input;
  int lines = 0, good = 0;
  std::vector<std::pair<int, std::string>> bad;  // line, field
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    const FieldDesc& f = t.fields[i];
    if (f.type != FieldType::STRING) continue;
    const std::size_t limit = StringLimit(f, 50);
    Record at = rs[lines];
    at.fields[i] = std::string(limit, 'x');
    input += Body(at, t) + "\n";
    ++lines;
    ++good;
    Record over = rs[lines];
    over.fields[i] = std::string(limit - 1, 'x') + "\xc3\xa9";
    input += Body(over, t) + "\n";
    ++lines;
    bad.push_back({lines, f.name});
  }
  BOOST_TEST_REQUIRE(!bad.empty(), t.name << " has no STRING field");
  TempDir dir;
  AdminRun r = RunAdmin({"--path", dir.path(), "import", t.name}, input,
                        {{"MAX_STRING_BYTES", "50"}});
  BOOST_TEST(r.status == 1);
  for (const auto& [line, field] : bad)
    BOOST_TEST(Contains(r.err, "line " + std::to_string(line) + ": " + field +
                                   ": "),
               r.err);
  BOOST_TEST(Contains(r.err, "this field may hold (MAX_STRING_BYTES)"), r.err);
  BOOST_TEST(Contains(r.err, "imported " + std::to_string(good) + " records"),
             r.err);
  BOOST_TEST(Lines(Admin(dir.path(), {"export", t.name}).out).size() ==
             static_cast<std::size_t>(good));
  // A bad setting stops the tool before it reads a line, naming it.
  AdminRun bad_setting = RunAdmin({"--path", dir.path(), "import", t.name},
                                  input, {{"MAX_STRING_BYTES", "0"}});
  BOOST_TEST(bad_setting.status == 2);
  BOOST_TEST(Contains(bad_setting.err, "MAX_STRING_BYTES: \"0\""),
             bad_setting.err);
}

BOOST_AUTO_TEST_CASE(a_refused_record_does_not_take_its_batch_with_it) {
  // Lines 1-3 share one batch; line 2 repeats line 1's uuid.
  const TableDesc& t = S().tables[0];
  std::vector<Record> rs = Made(3, 600);
  for (Record& r : rs) {
    r.uuid = Uuid::New();
    r.revision = 1;
  }
  Record dup = rs[1];
  dup.uuid = rs[0].uuid;
  std::string input = Json(rs[0], t) + "\n" + Json(dup, t) + "\n" +
                      Json(rs[2], t) + "\n";
  TempDir dir;
  AdminRun r = Admin(dir.path(), {"import", t.name}, input);
  BOOST_TEST(r.status == 1);
  BOOST_TEST(Contains(r.err, "line 2: " + t.name + " " + rs[0].uuid.ToString() +
                                 " already exists"), r.err);
  AdminRun out = Admin(dir.path(), {"export", t.name});
  BOOST_TEST(out.out == Json(rs[0], t) + "\n" + Json(rs[2], t) + "\n");
}

BOOST_AUTO_TEST_CASE(children_may_follow_their_parent_in_one_batch) {
  TempEnv from;
  FillAll(from.env(), 4, 22);
  from.Close();
  AdminRun dump = Admin(from.path(), {"export", "all"});
  TempDir dir;
  AdminRun r = Admin(dir.path(), {"import", "all", "-"}, dump.out);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(Admin(dir.path(), {"export", "all"}).out == dump.out);
}

BOOST_AUTO_TEST_CASE(a_missing_parent_is_a_bad_line) {
  const TableDesc* child = ChildTable(S());
  if (child == nullptr) return;
  std::mt19937_64 rng(7);
  Record orphan = RandomRecord(*child, rng, 1, Uuid::New());
  TempDir dir;
  AdminRun r = Admin(dir.path(), {"import", child->name},
                     Body(orphan, *child) + "\n");
  BOOST_TEST(r.status == 1);
  BOOST_TEST(Contains(r.err, "line 1: " + child->fields[child->link_field].name),
             r.err);
}

BOOST_AUTO_TEST_CASE(table_members_must_match_and_all_needs_them) {
  const TableDesc& t = S().tables[0];
  std::vector<Record> rs = Made(2, 700);
  std::string tagged = "{\"table\":\"" + t.name + "\"," + Body(rs[0], t).substr(1);
  std::string input = tagged + "\n" + Body(rs[1], t) + "\n";
  TempDir dir;
  // A single-table import takes a matching tag (a grep of an export).
  AdminRun r = Admin(dir.path(), {"import", t.name}, input);
  BOOST_TEST(r.status == 0, r.err);
  // `all` needs the tag on every line, naming a table that exists.
  std::string other = "{\"table\":\"no_such_table\"," + Body(rs[0], t).substr(1);
  r = Admin(dir.path(), {"import", "all"}, Body(rs[1], t) + "\n" + other + "\n");
  BOOST_TEST(r.status == 1);
  BOOST_TEST(Contains(r.err, "line 1: table: missing"), r.err);
  BOOST_TEST(Contains(r.err, "line 2: table: no table \"no_such_table\""), r.err);
  if (S().tables.size() > 1) {
    std::string wrong = "{\"table\":\"" + S().tables[1].name + "\"," +
                        Body(rs[0], t).substr(1);
    r = Admin(dir.path(), {"import", t.name}, wrong + "\n");
    BOOST_TEST(r.status == 1);
    BOOST_TEST(Contains(r.err, "but importing into " + t.name), r.err);
  }
}

BOOST_AUTO_TEST_CASE(a_full_map_fails_the_batch_and_keeps_earlier_ones) {
  // Records with a long text field fill a 1 MiB map quickly; batches of 5.
  const TableDesc& t = S().tables[0];
  int text_field = -1;
  for (std::size_t i = 0; i < t.fields.size(); ++i)
    if (t.fields[i].type == FieldType::STRING &&
        !UniqueFields(t).count(static_cast<int>(i))) {
      bool indexed = false;
      for (const IndexDesc& ix : t.indexes)
        for (int k : ix.key_fields) indexed = indexed || k == static_cast<int>(i);
      if (!indexed) text_field = static_cast<int>(i);
    }
  if (text_field < 0) return;  // no unindexed text to make records big
  std::vector<Record> rs = Made(400, 800);
  std::string input;
  for (Record& r : rs) {
    r.fields[text_field] = std::string(3000, 'x');
    input += Body(r, t) + "\n";
  }
  TempDir dir;
  AdminRun r = RunAdmin({"--path", dir.path(), "import", t.name, "--batch", "5"},
                        input, {{"LMDB_MAP_SIZE_MB", "1"}});
  BOOST_TEST(r.status == 1);
  BOOST_TEST(Contains(r.err, "its batch failed"), r.err);
  BOOST_TEST(Contains(r.err, "LMDB_MAP_MAX"), r.err);
  BOOST_TEST(Contains(r.err, "import stopped after line"), r.err);
  // What was committed is whole: every batch before the failed one.
  auto lines = Lines(Admin(dir.path(), {"export", t.name}).out);
  BOOST_TEST(lines.size() % 5 == 0u);
  BOOST_TEST(lines.size() > 0u);
  BOOST_TEST(Admin(dir.path(), {"check"}).status == 0);
}

BOOST_AUTO_TEST_CASE(an_uncommitted_batch_is_discarded) {
  const TableDesc& t = S().tables[0];
  TempEnv env;
  std::vector<Record> rs = Made(3, 900);
  {
    ImportBatch batch(env.env());
    for (Record& r : rs) REQUIRE_OK(batch.Insert(t, &r));
    BOOST_TEST(batch.size() == 3u);
  }
  BOOST_TEST(Table(env.env(), t).Count().value() == 0u);
  ImportBatch batch(env.env());
  for (Record& r : rs) {
    r.uuid = Uuid();
    r.revision = 0;
    REQUIRE_OK(batch.Insert(t, &r));
    BOOST_TEST(r.revision == 1u);  // 0 means a new record
  }
  REQUIRE_OK(batch.Commit());
  BOOST_TEST(batch.size() == 0u);
  BOOST_TEST(Table(env.env(), t).Count().value() == 3u);
}

BOOST_AUTO_TEST_CASE(an_all_or_nothing_batch_loses_everything_at_a_failure) {
  const TableDesc& t = S().tables[0];
  TempEnv env;
  std::vector<Record> rs = Made(3, 950);
  {
    ImportBatch batch(env.env(), /*all_or_nothing=*/true);
    REQUIRE_OK(batch.Insert(t, &rs[0]));
    REQUIRE_OK(batch.Insert(t, &rs[1]));
    Record taken = rs[1];  // its uuid is in the batch already
    Status s = batch.Insert(t, &taken);
    BOOST_TEST(!s.ok());
    // The batch is lost: nothing more goes in, and Commit says why.
    BOOST_TEST(!batch.Insert(t, &rs[2]).ok());
    BOOST_TEST(!batch.Commit().ok());
  }
  BOOST_TEST(Table(env.env(), t).Count().value() == 0u);
  ImportBatch whole(env.env(), /*all_or_nothing=*/true);
  for (Record& r : rs) REQUIRE_OK(whole.Insert(t, &r));
  REQUIRE_OK(whole.Commit());
  BOOST_TEST(Table(env.env(), t).Count().value() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
