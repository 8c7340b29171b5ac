// SPDX-License-Identifier: Apache-2.0
// tests/store/table_test.cc - the table operations, on whatever schema is
// compiled in: every table, index and link is exercised through the
// descriptors.

#include "lmdbapi/table.h"

#include <map>
#include <random>
#include <set>

#include <boost/test/unit_test.hpp>

#include "../admin/admin_util.h"  // RawEnv
#include "lmdbapi/admin.h"
#include "record_gen.h"
#include "store/record_codec.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::RandomRecord;
using lmdbapi::testutil::RawEnv;
using lmdbapi::testutil::TempEnv;

namespace {

const Schema& S() { return Schema::Compiled(); }

// Entries in every database, by name: "nothing was written" means equal.
std::map<std::string, std::uint64_t> Entries(Env& env) {
  auto stats = env.Stat();
  BOOST_TEST_REQUIRE(stats.ok());
  std::map<std::string, std::uint64_t> out;
  for (const DbStats& d : stats->dbs) out[d.name] = d.entries;
  return out;
}

// Inserts one record into `table`, creating its ancestors first. Serials
// come from a counter far above the ones tests pick, so UNIQUE keys never
// collide by accident.
Record InsertWithParents(Env& env, const TableDesc& table,
                         std::mt19937_64& rng, std::uint64_t /*hint*/) {
  static std::uint64_t serial = 1'000'000'000;
  Uuid parent;
  if (table.parent >= 0)
    parent = InsertWithParents(env, S().tables[table.parent], rng, 0).uuid;
  Record r = RandomRecord(table, rng, ++serial, parent);
  Table t(env, table);
  REQUIRE_OK(t.Insert(&r));
  return r;
}

std::vector<Filter> KeyFilters(const IndexDesc& index, const Record& r) {
  std::vector<Filter> out;
  for (int k : index.key_fields) out.push_back({k, r.fields[k]});
  return out;
}

bool Contains(const Page& page, const Uuid& uuid) {
  for (const Record& r : page.records)
    if (r.uuid == uuid) return true;
  return false;
}

// Every record a query returns, following `next` to the end.
std::vector<Record> All(Table& t, const std::vector<Filter>& filters,
                        std::size_t limit) {
  std::vector<Record> out;
  PageRequest req;
  req.limit = limit;
  for (int guard = 0; guard < 100000; ++guard) {
    auto page = t.Find(filters, req);
    BOOST_TEST_REQUIRE(page.ok(), page.status().message());
    for (Record& r : page->records) out.push_back(std::move(r));
    if (!page->next) break;
    req.after = *page->next;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(table)

BOOST_AUTO_TEST_CASE(insert_then_get_returns_the_same_record) {
  TempEnv env;
  std::mt19937_64 rng(1);
  for (const TableDesc& td : S().tables) {
    Record r = InsertWithParents(env.env(), td, rng, 7);
    BOOST_TEST(r.revision == 1u);
    BOOST_TEST((r.uuid.bytes[6] >> 4) == 7, "uuid is version 7");
    Table t(env.env(), td);
    auto got = t.Get(r.uuid);
    REQUIRE_OK(got);
    BOOST_TEST(got->revision == 1u);
    BOOST_TEST((got->fields == r.fields), td.name << " round trip");
    BOOST_TEST(t.Count().value() == 1u);
  }
}

BOOST_AUTO_TEST_CASE(get_of_unknown_uuid_is_not_found) {
  TempEnv env;
  Table t(env.env(), S().tables[0]);
  auto got = t.Get(Uuid::New());
  BOOST_TEST((got.status().code() == Status::Code::kNotFound));
}

BOOST_AUTO_TEST_CASE(replace_moves_index_entries_and_bumps_revision) {
  TempEnv env;
  std::mt19937_64 rng(2);
  for (const TableDesc& td : S().tables) {
    if (td.indexes.empty()) continue;
    Record r = InsertWithParents(env.env(), td, rng, 11);
    Record before = r;
    Record changed = RandomRecord(td, rng, 12, td.parent >= 0
                                                   ? std::get<Uuid>(r.fields[td.link_field])
                                                   : Uuid());
    changed.uuid = r.uuid;
    Table t(env.env(), td);
    REQUIRE_OK(t.Replace(&changed));
    BOOST_TEST(changed.revision == 2u);
    for (const IndexDesc& index : td.indexes) {
      auto now = t.Find(KeyFilters(index, changed), {});
      REQUIRE_OK(now);
      BOOST_TEST(Contains(now.value(), r.uuid), index.name << " finds new key");
      bool same_key = true;
      for (int k : index.key_fields)
        same_key = same_key && before.fields[k] == changed.fields[k];
      if (!same_key) {
        auto old = t.Find(KeyFilters(index, before), {});
        REQUIRE_OK(old);
        BOOST_TEST(!Contains(old.value(), r.uuid), index.name << " drops old key");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(replace_with_stale_revision_conflicts_and_writes_nothing) {
  TempEnv env;
  std::mt19937_64 rng(3);
  const TableDesc& td = S().tables[0];
  Record r = InsertWithParents(env.env(), td, rng, 1);
  auto before = Entries(env.env());
  Record next = RandomRecord(td, rng, 2);
  next.uuid = r.uuid;
  Table t(env.env(), td);
  Status s = t.Replace(&next, 7);
  BOOST_TEST((s.code() == Status::Code::kConflict));
  BOOST_TEST(t.Get(r.uuid)->fields == r.fields);
  BOOST_TEST((Entries(env.env()) == before));
  REQUIRE_OK(t.Replace(&next, 1));
  BOOST_TEST((t.Remove(r.uuid, 1).code() == Status::Code::kConflict));
  REQUIRE_OK(t.Remove(r.uuid, 2));
}

BOOST_AUTO_TEST_CASE(replace_and_remove_of_unknown_uuid_are_not_found) {
  TempEnv env;
  std::mt19937_64 rng(4);
  const TableDesc& td = S().tables[0];
  Table t(env.env(), td);
  Record r = RandomRecord(td, rng, 1);
  r.uuid = Uuid::New();
  BOOST_TEST((t.Replace(&r).code() == Status::Code::kNotFound));
  BOOST_TEST((t.Remove(r.uuid).code() == Status::Code::kNotFound));
}

BOOST_AUTO_TEST_CASE(unique_violation_leaves_nothing_behind) {
  TempEnv env;
  std::mt19937_64 rng(5);
  int checked = 0;
  for (const TableDesc& td : S().tables) {
    for (const IndexDesc& index : td.indexes) {
      if (index.kind != IndexKind::UNIQUE) continue;
      Record first = InsertWithParents(env.env(), td, rng, 100 + checked);
      auto before = Entries(env.env());
      // Same unique key, everything else different.
      Record dup = RandomRecord(td, rng, 200 + checked,
                                td.parent >= 0 ? std::get<Uuid>(first.fields[td.link_field])
                                               : Uuid());
      for (int k : index.key_fields) dup.fields[k] = first.fields[k];
      Table t(env.env(), td);
      Result<Uuid> r = t.Insert(&dup);
      BOOST_TEST((r.status().code() == Status::Code::kUniqueViolation));
      BOOST_TEST((Entries(env.env()) == before), "no db changed");
      // And via replace of another record.
      Record other = InsertWithParents(env.env(), td, rng, 300 + checked);
      Record stolen = other;
      for (int k : index.key_fields) stolen.fields[k] = first.fields[k];
      before = Entries(env.env());
      BOOST_TEST((t.Replace(&stolen).code() == Status::Code::kUniqueViolation));
      BOOST_TEST((Entries(env.env()) == before));
      BOOST_TEST((t.Get(other.uuid)->fields == other.fields));
      ++checked;
    }
  }
  BOOST_TEST_MESSAGE("unique indexes checked: " << checked);
}

BOOST_AUTO_TEST_CASE(index_key_over_511_bytes_is_refused_naming_the_field) {
  TempEnv env;
  std::mt19937_64 rng(6);
  for (const TableDesc& td : S().tables) {
    for (const IndexDesc& index : td.indexes) {
      int string_key = -1;
      for (int k : index.key_fields)
        if (td.fields[k].type == FieldType::STRING) string_key = k;
      if (string_key < 0) continue;
      // A MAX_BYTES under 600 refuses the value before its key is made
      // (a_string_over_its_max_bytes_...); this case is about key size.
      const std::size_t limit = td.fields[string_key].max_bytes;
      if (limit != 0 && limit < 600) continue;
      Record r = InsertWithParents(env.env(), td, rng, 400);
      Table t(env.env(), td);
      auto before = Entries(env.env());
      // The serial differs per index too: two indexes may share a
      // string key field (products.category), and unique fields take it.
      Record big = RandomRecord(td, rng, 401 + 1000 * string_key +
                                             100000 * (&index - td.indexes.data()),
                                td.parent >= 0 ? std::get<Uuid>(r.fields[td.link_field])
                                               : Uuid());
      big.fields[string_key] = std::string(600, 'x');
      Result<Uuid> ins = t.Insert(&big);
      BOOST_TEST((ins.status().code() == Status::Code::kInvalidArgument));
      BOOST_TEST(ins.status().subject() == td.fields[string_key].name);
      BOOST_TEST((Entries(env.env()) == before));
      // 500 bytes of string fits (with its terminator and other parts),
      // unless other parts push it over; then it is refused the same way.
      big.fields[string_key] = std::string(400, 'y');
      big.uuid = Uuid();
      REQUIRE_OK(t.Insert(&big));
    }
  }
}

// The schema's MAX_BYTES is the library's own check (CheckRecordShape),
// for Insert and Replace alike; MAX_STRING_BYTES is the worker's, not the
// library's, so a field without a MAX_BYTES row takes any length here.
BOOST_AUTO_TEST_CASE(a_string_over_its_max_bytes_is_refused_by_insert_and_replace) {
  TempEnv env;
  std::mt19937_64 rng(9);
  int checked = 0;
  for (const TableDesc& td : S().tables) {
    for (int f = 0; f < static_cast<int>(td.fields.size()); ++f) {
      const std::size_t limit = td.fields[f].max_bytes;
      if (limit == 0) continue;
      BOOST_TEST_CONTEXT(td.name << "." << td.fields[f].name) {
        Record r = InsertWithParents(env.env(), td, rng, 500 + f);
        Table t(env.env(), td);
        auto before = Entries(env.env());
        // Two-byte characters up to the limit, then one byte more.
        std::string at_limit(limit % 2, 'a');
        while (at_limit.size() < limit) at_limit += "\xc3\xa9";
        Record big = r;
        big.uuid = Uuid();
        big.fields[f] = at_limit + "b";
        Result<Uuid> ins = t.Insert(&big);
        BOOST_TEST((ins.status().code() == Status::Code::kInvalidArgument));
        BOOST_TEST(ins.status().subject() == td.fields[f].name);
        BOOST_TEST(ins.status().message().find("MAX_BYTES") != std::string::npos,
                   ins.status().message());
        Record replaced = r;
        replaced.fields[f] = at_limit + "b";
        Status rep = t.Replace(&replaced);
        BOOST_TEST((rep.code() == Status::Code::kInvalidArgument));
        BOOST_TEST(rep.subject() == td.fields[f].name);
        BOOST_TEST((Entries(env.env()) == before));
        replaced = r;
        replaced.fields[f] = at_limit;
        REQUIRE_OK(t.Replace(&replaced));
        ++checked;
      }
    }
  }
  BOOST_TEST(checked > 0, "the schema should have a MAX_BYTES row");
}

BOOST_AUTO_TEST_CASE(wrong_shape_is_invalid_argument_naming_the_field) {
  TempEnv env;
  std::mt19937_64 rng(7);
  const TableDesc& td = S().tables[0];
  Table t(env.env(), td);
  Record r = RandomRecord(td, rng, 1);
  r.fields.pop_back();
  BOOST_TEST((t.Insert(&r).status().code() == Status::Code::kInvalidArgument));
  r = RandomRecord(td, rng, 1);
  r.fields[0] = td.fields[0].type == FieldType::BOOL ? Value(std::string("x"))
                                                      : Value(true);
  Result<Uuid> bad = t.Insert(&r);
  BOOST_TEST((bad.status().code() == Status::Code::kInvalidArgument));
  BOOST_TEST(bad.status().subject() == td.fields[0].name);
  BOOST_TEST(t.Count().value() == 0u);
}

BOOST_AUTO_TEST_CASE(child_needs_an_existing_parent) {
  TempEnv env;
  std::mt19937_64 rng(8);
  for (const TableDesc& td : S().tables) {
    if (td.parent < 0) continue;
    Table t(env.env(), td);
    auto before = Entries(env.env());
    Record orphan = RandomRecord(td, rng, 1, Uuid::New());
    Result<Uuid> r = t.Insert(&orphan);
    BOOST_TEST((r.status().code() == Status::Code::kMissingParent));
    BOOST_TEST(r.status().subject() == td.fields[td.link_field].name);
    BOOST_TEST((Entries(env.env()) == before));
    // Moving an existing child to a missing parent is refused too.
    Record child = InsertWithParents(env.env(), td, rng, 2);
    Record moved = child;
    moved.fields[td.link_field] = Uuid::New();
    BOOST_TEST((t.Replace(&moved).code() == Status::Code::kMissingParent));
    BOOST_TEST((t.Get(child.uuid)->fields == child.fields));
  }
}

BOOST_AUTO_TEST_CASE(remove_cascades_to_every_descendant) {
  TempEnv env;
  std::mt19937_64 rng(9);
  for (const TableDesc& td : S().tables) {
    if (td.parent >= 0) continue;
    auto empty = Entries(env.env());
    Record root = InsertWithParents(env.env(), td, rng, 50);
    // Three children in each child table, and three grandchildren each.
    std::function<void(const TableDesc&, const Uuid&, int)> grow =
        [&](const TableDesc& parent, const Uuid& uuid, int depth) {
          for (int c : parent.children) {
            const TableDesc& child = S().tables[c];
            for (int i = 0; i < 3; ++i) {
              Record r = RandomRecord(child, rng, 1000 * depth + i, uuid);
              REQUIRE_OK(Table(env.env(), child).Insert(&r));
              if (depth < 3) grow(child, r.uuid, depth + 1);
            }
          }
        };
    grow(td, root.uuid, 1);
    // Another root with children that must survive.
    Record keep = InsertWithParents(env.env(), td, rng, 51);
    for (int c : td.children) {
      Record r = RandomRecord(S().tables[c], rng, 77, keep.uuid);
      REQUIRE_OK(Table(env.env(), S().tables[c]).Insert(&r));
    }
    auto with_keep_only = [&] {
      Table t(env.env(), td);
      REQUIRE_OK(t.Remove(root.uuid));
      return Entries(env.env());
    }();
    Table t(env.env(), td);
    BOOST_TEST((t.Get(root.uuid).status().code() == Status::Code::kNotFound));
    REQUIRE_OK(t.Get(keep.uuid));
    REQUIRE_OK(t.Remove(keep.uuid));
    auto left = Entries(env.env());
    left.erase("changes");  // the feed keeps what happened
    empty.erase("changes");
    BOOST_TEST((left == empty), td.name << ": every entry gone");
    (void)with_keep_only;
  }
}

BOOST_AUTO_TEST_CASE(children_lists_linked_records_in_pages) {
  TempEnv env;
  std::mt19937_64 rng(10);
  for (const TableDesc& td : S().tables) {
    if (td.parent < 0) continue;
    const TableDesc& parent = S().tables[td.parent];
    Record p = InsertWithParents(env.env(), parent, rng, 60);
    Record other = InsertWithParents(env.env(), parent, rng, 61);
    std::set<Uuid> mine;
    for (int i = 0; i < 23; ++i) {
      Record r = RandomRecord(td, rng, 100 + i, i % 3 == 0 ? other.uuid : p.uuid);
      REQUIRE_OK(Table(env.env(), td).Insert(&r));
      if (i % 3 != 0) mine.insert(r.uuid);
    }
    Table pt(env.env(), parent);
    std::set<Uuid> seen;
    PageRequest req;
    req.limit = 4;
    for (;;) {
      auto page = pt.Children(p.uuid, td, req);
      REQUIRE_OK(page);
      BOOST_TEST(page->records.size() <= 4u);
      for (const Record& r : page->records) BOOST_TEST(seen.insert(r.uuid).second);
      if (!page->next) break;
      req.after = *page->next;
    }
    BOOST_TEST((seen == mine));
    BOOST_TEST((pt.Children(Uuid::New(), td, {}).status().code() ==
                Status::Code::kNotFound));
    // Find on the link field uses the links database.
    auto by_link = Table(env.env(), td).Find({{td.link_field, p.uuid}}, {});
    REQUIRE_OK(by_link);
    BOOST_TEST(by_link->records.size() == mine.size());
  }
}

BOOST_AUTO_TEST_CASE(find_plans_name_the_index_or_scan) {
  TempEnv env;
  std::mt19937_64 rng(11);
  for (const TableDesc& td : S().tables) {
    Record r = InsertWithParents(env.env(), td, rng, 70);
    Table t(env.env(), td);
    for (const IndexDesc& index : td.indexes) {
      auto page = t.Find(KeyFilters(index, r), {});
      REQUIRE_OK(page);
      BOOST_TEST(page->plan.rfind("index ", 0) == 0u, page->plan);
      BOOST_TEST(Contains(page.value(), r.uuid));
    }
    auto all = t.Find({}, {});
    REQUIRE_OK(all);
    BOOST_TEST(all->plan == "scan");
    // A field in no index and not the link: scan with a filter.
    for (std::size_t f = 0; f < td.fields.size(); ++f) {
      bool indexed = static_cast<int>(f) == td.link_field;
      for (const IndexDesc& index : td.indexes)
        indexed = indexed || index.key_fields[0] == static_cast<int>(f);
      if (indexed) continue;
      auto page = t.Find({{static_cast<int>(f), r.fields[f]}}, {});
      REQUIRE_OK(page);
      BOOST_TEST(page->plan == "scan");
      BOOST_TEST(Contains(page.value(), r.uuid));
    }
  }
}

BOOST_AUTO_TEST_CASE(pagination_visits_every_match_once) {
  TempEnv env;
  std::mt19937_64 rng(12);
  for (const TableDesc& td : S().tables) {
    if (td.parent >= 0) continue;
    Table t(env.env(), td);
    std::vector<Record> all;
    for (int i = 0; i < 157; ++i) {
      Record r = RandomRecord(td, rng, 5000 + i, {}, 3);
      REQUIRE_OK(t.Insert(&r));
      all.push_back(r);
    }
    std::vector<std::vector<Filter>> queries = {{}};
    for (const IndexDesc& index : td.indexes)
      queries.push_back({{index.key_fields[0], all[0].fields[index.key_fields[0]]}});
    for (std::size_t f = 0; f < td.fields.size(); ++f)
      queries.push_back({{static_cast<int>(f), all[1].fields[f]}});
    for (const auto& q : queries) {
      std::set<Uuid> expected;
      for (const Record& r : all) {
        bool ok = true;
        for (const Filter& f : q) ok = ok && r.fields[f.field] == f.value;
        if (ok) expected.insert(r.uuid);
      }
      for (std::size_t limit : {1u, 7u, 100u, 1000u}) {
        std::vector<Record> got = All(t, q, limit);
        std::set<Uuid> seen;
        for (const Record& r : got) seen.insert(r.uuid);
        BOOST_TEST(seen.size() == got.size(), "no record twice");
        BOOST_TEST((seen == expected), td.name << " limit " << limit);
      }
    }
    // A list in uuid order, which is creation order.
    std::vector<Record> listed = All(t, {}, 10);
    for (std::size_t i = 1; i < listed.size(); ++i)
      BOOST_TEST((listed[i - 1].uuid < listed[i].uuid));
  }
}

BOOST_AUTO_TEST_CASE(cursors_from_elsewhere_are_refused) {
  TempEnv env;
  std::mt19937_64 rng(13);
  const TableDesc& td = S().tables[0];
  Table t(env.env(), td);
  for (int i = 0; i < 5; ++i) {
    Record r = RandomRecord(td, rng, 10 + i, {}, 1);
    REQUIRE_OK(t.Insert(&r));
  }
  PageRequest req;
  req.limit = 2;
  auto scan = t.Find({}, req);
  REQUIRE_OK(scan);
  BOOST_TEST_REQUIRE(scan->next.has_value());
  for (std::string bad : {std::string("x"), std::string("S"), std::string(40, '\xff'),
                          std::string("I\x01") + std::string(3, 'a')}) {
    req.after = bad;
    auto r = t.Find({}, req);
    BOOST_TEST((r.status().code() == Status::Code::kInvalidArgument));
    BOOST_TEST(r.status().subject() == "after");
  }
  if (!td.indexes.empty()) {
    const IndexDesc& index = td.indexes[0];
    req.after = *scan->next;  // a scan cursor given to an index query
    Record any = t.List({}).value().records[0];
    auto r = t.Find(KeyFilters(index, any), req);
    BOOST_TEST((r.status().code() == Status::Code::kInvalidArgument));
  }
}

BOOST_AUTO_TEST_CASE(range_returns_inclusive_bounds_in_order) {
  std::mt19937_64 rng(14);
  int ranges = 0;
  for (const TableDesc& td : S().tables) {
    for (const IndexDesc& index : td.indexes) {
      if (index.kind != IndexKind::RANGE) continue;
      ++ranges;
      TempEnv env;  // each index starts from an empty table
      int f = index.key_fields[0];
      Table t(env.env(), td);
      std::vector<Record> all;
      Record first = InsertWithParents(env.env(), td, rng, 9000);
      all.push_back(first);
      Uuid parent = td.parent >= 0 ? std::get<Uuid>(first.fields[td.link_field]) : Uuid();
      for (int i = 0; i < 60; ++i) {
        Record r = RandomRecord(td, rng, 100000 * ranges + i, parent, 12);
        REQUIRE_OK(t.Insert(&r));
        all.push_back(r);
      }
      std::vector<Value> values;
      // A range never returns a null (key_codec.h).
      for (const Record& r : all)
        if (!IsNull(r.fields[f])) values.push_back(r.fields[f]);
      std::sort(values.begin(), values.end());
      Value lo = values[10], hi = values[45];
      for (int bounds = 0; bounds < 4; ++bounds) {
        std::optional<Value> from, to;
        if (bounds & 1) from = lo;
        if (bounds & 2) to = hi;
        std::size_t expected = 0;
        for (const Value& v : values)
          if ((!from || !(v < *from)) && (!to || !(*to < v))) ++expected;
        std::vector<Record> got;
        PageRequest req;
        req.limit = 6;
        for (;;) {
          auto page = t.Range(f, from, to, req);
          REQUIRE_OK(page);
          for (Record& r : page->records) got.push_back(std::move(r));
          if (!page->next) break;
          req.after = *page->next;
        }
        BOOST_TEST(got.size() == expected, index.name << " bounds " << bounds);
        for (std::size_t i = 1; i < got.size(); ++i)
          BOOST_TEST(!(got[i].fields[f] < got[i - 1].fields[f]), "ascending");
      }
    }
  }
  TempEnv env;
  // A field without a RANGE index is refused.
  for (const TableDesc& td : S().tables) {
    Table t(env.env(), td);
    for (std::size_t f = 0; f < td.fields.size(); ++f) {
      bool ranged = false;
      for (const IndexDesc& index : td.indexes)
        ranged = ranged || (index.kind == IndexKind::RANGE && index.key_fields[0] == static_cast<int>(f));
      if (ranged) continue;
      auto r = t.Range(static_cast<int>(f), std::nullopt, std::nullopt, {});
      BOOST_TEST((r.status().code() == Status::Code::kInvalidArgument));
      BOOST_TEST(r.status().subject() == td.fields[f].name);
    }
  }
  BOOST_TEST_MESSAGE("range indexes checked: " << ranges);
}

BOOST_AUTO_TEST_CASE(inserts_with_given_uuids_keep_them_and_refuse_repeats) {
  TempEnv env;
  std::mt19937_64 rng(15);
  const TableDesc& td = S().tables[0];
  Table t(env.env(), td);
  Record r = RandomRecord(td, rng, 1);
  Uuid chosen = Uuid::Parse("01890a5d-ac96-774b-bcce-b302099a8057").value();
  r.uuid = chosen;
  REQUIRE_OK(t.Insert(&r));
  BOOST_TEST((r.uuid == chosen));
  Record again = RandomRecord(td, rng, 2);
  again.uuid = chosen;
  BOOST_TEST((t.Insert(&again).status().code() == Status::Code::kUniqueViolation));
}

BOOST_AUTO_TEST_CASE(pages_end_early_when_their_records_are_large) {
  TempEnv env;
  std::mt19937_64 rng(16);
  const TableDesc& td = S().tables[0];
  int text = -1;
  for (std::size_t f = 0; f < td.fields.size(); ++f) {
    bool indexed = false;
    for (const IndexDesc& i : td.indexes)
      for (int k : i.key_fields) indexed = indexed || k == static_cast<int>(f);
    if (td.fields[f].type == FieldType::STRING && !indexed) text = static_cast<int>(f);
  }
  if (text < 0 || td.parent >= 0) return;
  Table t(env.env(), td);
  for (int i = 0; i < 12; ++i) {
    Record r = RandomRecord(td, rng, 100 + i);
    r.fields[text] = std::string(100'000, 'x');
    REQUIRE_OK(t.Insert(&r));
  }
  PageRequest req;
  req.limit = 1000;
  req.max_bytes = 250'000;
  std::size_t seen = 0, pages = 0;
  for (;;) {
    auto page = t.Find({}, req);
    REQUIRE_OK(page);
    BOOST_TEST(page->records.size() <= 3u);  // 3 x 100 kB passes 250 kB
    BOOST_TEST(!page->records.empty());
    seen += page->records.size();
    ++pages;
    if (!page->next) break;
    req.after = *page->next;
  }
  BOOST_TEST(seen == 12u);
  BOOST_TEST(pages >= 4u);
}

// Data written before records carried field offsets (the bare msgpack
// array) reads, filters and pages as before, and takes the new layout when
// replaced.
BOOST_AUTO_TEST_CASE(records_in_the_older_layout_still_read_and_filter) {
  TempEnv env;
  std::mt19937_64 rng(21);
  const TableDesc* found = nullptr;
  for (const TableDesc& d : S().tables)
    if (d.parent < 0) found = &d;
  BOOST_TEST_REQUIRE(found != nullptr);
  const TableDesc& td = *found;
  std::vector<Record> records;
  {
    Table t(env.env(), td);
    for (int i = 0; i < 30; ++i) {
      Record r = RandomRecord(td, rng, 300 + i);
      REQUIRE_OK(t.Insert(&r));
      records.push_back(r);
    }
  }
  env.Close();
  {
    RawEnv raw(env.path());
    for (const Record& r : records) {
      std::string bytes;
      EncodeRecord(td, r, &bytes);
      std::size_t width = static_cast<unsigned char>(bytes[1]);
      raw.Put(td.name, false, r.uuid.AsBytes(),
              bytes.substr(4 + width * td.fields.size()));
    }
    raw.Commit();
  }
  env.Reopen();
  Table t(env.env(), td);
  for (const Record& r : records) {
    auto got = t.Get(r.uuid);
    REQUIRE_OK(got);
    BOOST_TEST((got->fields == r.fields));
  }
  // Every field as a filter, whatever plan it takes.
  for (std::size_t f = 0; f < td.fields.size(); ++f) {
    const Record& want = records[f % records.size()];
    PageRequest all;
    all.limit = 1000;
    auto page = t.Find({{static_cast<int>(f), want.fields[f]}}, all);
    REQUIRE_OK(page);
    std::size_t expected = 0;
    bool seen = false;
    for (const Record& r : records) expected += r.fields[f] == want.fields[f];
    for (const Record& r : page->records) seen = seen || r.uuid == want.uuid;
    BOOST_TEST(page->records.size() == expected, td.fields[f].name);
    BOOST_TEST(seen, td.fields[f].name);
  }
  Record changed = records[0];
  REQUIRE_OK(t.Replace(&changed));
  auto back = t.Get(changed.uuid);
  REQUIRE_OK(back);
  BOOST_TEST(back->revision == 2u);
  auto summary = Check(env.env(), [](const CheckProblem& p) {
    BOOST_ERROR(p.db + " " + p.uuid + ": " + p.what);
  });
  REQUIRE_OK(summary);
}

BOOST_AUTO_TEST_SUITE_END()
