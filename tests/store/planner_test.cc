// SPDX-License-Identifier: Apache-2.0
// tests/store/planner_test.cc - ChoosePlan, and page cursors as the hostile
// client input they are: for every walk of every table of the compiled
// schema, crafted and random cursors either decode to a resume point the
// walk can use or are kInvalidArgument naming "after". Then the same
// cursors through Table::Find/Range/List/Children, which must answer them
// with a page or a 4xx Status, never a 5xx one.

#include "store/planner.h"

#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "lmdbapi/hex.h"
#include "lmdbapi/table.h"
#include "record_gen.h"
#include "store/key_codec.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::testutil::RandomRecord;
using lmdbapi::testutil::SerialValue;
using lmdbapi::testutil::TempEnv;

namespace {

const Schema& S() { return Schema::Compiled(); }

// A walk a cursor can be made for, with one valid cursor of it.
struct Walk {
  const TableDesc* table;
  std::string prefix;  // 'I': the scope's prefix
  CursorScope scope;   // prefix points into this Walk's own string: see Scope()
  std::string valid;
  std::string what;    // for failure messages

  CursorScope Scope() const { return {scope.tag, scope.index, prefix}; }
};

Uuid SomeUuid() {
  Uuid u;
  for (int i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(0xA0 + i);
  return u;
}

// The key of index `i` for serial values of its key fields.
std::string SampleKey(const TableDesc& t, const IndexDesc& index) {
  std::string key;
  for (int f : index.key_fields)
    AppendFieldKeyPart(t.fields[f], SerialValue(t.fields[f].type, 7), &key);
  return key;
}

// Every kind of walk of every table: 'S' each table, 'L' each linked table,
// 'I' each index (covering its first key field), 'R' each RANGE index.
std::vector<Walk> AllWalks() {
  std::vector<Walk> out;
  for (const TableDesc& t : S().tables) {
    out.push_back({&t, "", {'S', -1, {}}, EncodeCursor('S', -1, "", SomeUuid()),
                   t.name + " scan"});
    if (t.parent >= 0)
      out.push_back({&t, "", {'L', -1, {}},
                     EncodeCursor('L', -1, "", SomeUuid()), t.name + " links"});
    for (std::size_t i = 0; i < t.indexes.size(); ++i) {
      const IndexDesc& index = t.indexes[i];
      const int n = static_cast<int>(i);
      std::string key = SampleKey(t, index);
      std::string prefix;
      const FieldDesc& first = t.fields[index.key_fields[0]];
      AppendFieldKeyPart(first, SerialValue(first.type, 7), &prefix);
      out.push_back({&t, prefix, {'I', n, {}}, EncodeCursor('I', n, key, SomeUuid()),
                     index.db_name + " find"});
      if (index.kind == IndexKind::RANGE)
        out.push_back({&t, "", {'R', n, {}}, EncodeCursor('R', n, key, SomeUuid()),
                       index.db_name + " range"});
    }
  }
  return out;
}


// The contract: refused as "after", or a resume point that is exactly what
// the cursor encodes and that the walk's index could hold.
void CheckDecode(const Walk& w, const std::string& cursor) {
  Resume resume;
  Status s = DecodeCursor(cursor, *w.table, w.Scope(), &resume);
  if (!s.ok()) {
    BOOST_TEST_REQUIRE((s.code() == Status::Code::kInvalidArgument &&
                        s.subject() == "after"),
                       w.what << " cursor " << HexBytes(cursor) << ": " << s.message());
    return;
  }
  const CursorScope scope = w.Scope();
  BOOST_TEST_REQUIRE(EncodeCursor(scope.tag, scope.index, resume.key, resume.uuid) == cursor,
                     w.what << " accepted " << HexBytes(cursor) << " but does not re-encode");
  if (scope.index < 0) {
    BOOST_TEST_REQUIRE(resume.key.empty(), w.what << " " << HexBytes(cursor));
    return;
  }
  BOOST_TEST_REQUIRE((!resume.key.empty() && resume.key.size() <= kMaxKeyBytes),
                     w.what << " " << HexBytes(cursor));
  BOOST_TEST_REQUIRE(resume.key.compare(0, w.prefix.size(), w.prefix) == 0,
                     w.what << " " << HexBytes(cursor));
  std::string_view rest = resume.key;
  const IndexDesc& index = w.table->indexes[scope.index];
  for (int f : index.key_fields) {
    Value v;
    BOOST_TEST_REQUIRE(ReadFieldKeyPart(w.table->fields[f], &rest, &v),
                       w.what << " " << HexBytes(cursor));
  }
  BOOST_TEST_REQUIRE(rest.empty(), w.what << " " << HexBytes(cursor));
}

bool Refused(const Walk& w, const std::string& cursor) {
  Resume resume;
  Status s = DecodeCursor(cursor, *w.table, w.Scope(), &resume);
  return s.code() == Status::Code::kInvalidArgument && s.subject() == "after";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(planner)

BOOST_AUTO_TEST_CASE(no_filters_scan_the_table) {
  for (const TableDesc& t : S().tables) {
    Plan plan = ChoosePlan(t, {});
    BOOST_TEST((plan.kind == Plan::Kind::kScan), t.name);
    BOOST_TEST(plan.description == "scan");
    BOOST_TEST(plan.residual.empty());
  }
}

BOOST_AUTO_TEST_CASE(filters_on_an_index_key_walk_an_index_with_their_prefix) {
  for (const TableDesc& t : S().tables) {
    for (const IndexDesc& index : t.indexes) {
      std::vector<Filter> filters;
      for (int f : index.key_fields) filters.push_back({f, SerialValue(t.fields[f].type, 3)});
      Plan plan = ChoosePlan(t, filters);
      BOOST_TEST_REQUIRE((plan.kind == Plan::Kind::kIndex), index.db_name);
      const IndexDesc& chosen = t.indexes[plan.index];
      // Another index may be chosen, but it covers at least as many fields.
      BOOST_TEST(plan.covered >= static_cast<int>(index.key_fields.size()), index.db_name);
      std::string prefix;
      for (int k = 0; k < plan.covered; ++k)
        for (const Filter& f : filters)
          if (f.field == chosen.key_fields[k]) {
            AppendFieldKeyPart(t.fields[f.field], f.value, &prefix);
            break;
          }
      BOOST_TEST(plan.prefix == prefix, index.db_name);
      BOOST_TEST(plan.description == "index " + chosen.name);
      BOOST_TEST(plan.residual.size() + plan.covered == filters.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_repeated_filter_is_checked_per_record) {
  for (const TableDesc& t : S().tables) {
    for (const IndexDesc& index : t.indexes) {
      const int f = index.key_fields[0];
      std::vector<Filter> filters = {{f, SerialValue(t.fields[f].type, 3)},
                                     {f, SerialValue(t.fields[f].type, 4)}};
      Plan plan = ChoosePlan(t, filters);
      BOOST_TEST_REQUIRE((plan.kind == Plan::Kind::kIndex));
      BOOST_TEST(plan.residual == std::vector<int>{1}, index.db_name);
    }
  }
}

BOOST_AUTO_TEST_CASE(unindexed_filters_scan_or_walk_the_link) {
  for (const TableDesc& t : S().tables) {
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      bool leads = false;
      for (const IndexDesc& index : t.indexes)
        leads = leads || index.key_fields[0] == static_cast<int>(f);
      if (leads) continue;
      Plan plan = ChoosePlan(t, {{static_cast<int>(f), SerialValue(t.fields[f].type, 1)}});
      if (static_cast<int>(f) == t.link_field) {
        BOOST_TEST((plan.kind == Plan::Kind::kLink), t.name);
        BOOST_TEST(plan.description == "link " + t.links_db_name);
        BOOST_TEST(plan.residual.empty());
      } else {
        BOOST_TEST((plan.kind == Plan::Kind::kScan), t.name << "." << t.fields[f].name);
        BOOST_TEST(plan.residual == std::vector<int>{0});
      }
    }
  }
}

bool RangeType(FieldType t) {
  return t == FieldType::DATE || t == FieldType::TIMESTAMP || t == FieldType::INT64;
}

BOOST_AUTO_TEST_CASE(a_range_with_equality_on_leading_keys_walks_the_composite) {
  int seen = 0;
  for (const TableDesc& t : S().tables)
    for (std::size_t i = 0; i < t.indexes.size(); ++i) {
      const IndexDesc& index = t.indexes[i];
      if (index.key_fields.size() < 2) continue;
      const int f = index.key_fields[1];
      if (!RangeType(t.fields[f].type)) continue;
      const int g = index.key_fields[0];
      Query q;
      q.filters = {{g, SerialValue(t.fields[g].type, 3)}};
      q.range_field = f;
      q.from = SerialValue(t.fields[f].type, 1);
      q.to = SerialValue(t.fields[f].type, 9);
      REQUIRE_OK(CheckOrdered(t, q));
      Plan plan = ChooseQueryPlan(t, q);
      BOOST_TEST_REQUIRE((plan.kind == Plan::Kind::kIndex), index.db_name);
      BOOST_TEST(plan.covered == 1);
      BOOST_TEST(t.indexes[plan.index].key_fields[1] == f, index.db_name);
      BOOST_TEST(plan.residual.empty());
      BOOST_TEST(plan.ordered_field == -1, "the walk serves the range");
      // The interval: [eq prefix][from] .. [eq prefix][to].
      std::string lo = plan.prefix, hi = plan.prefix;
      AppendFieldKeyPart(t.fields[f], *q.from, &lo);
      AppendFieldKeyPart(t.fields[f], *q.to, &hi);
      BOOST_TEST(HexBytes(plan.keys.lo) == HexBytes(lo));
      BOOST_TEST(HexBytes(plan.keys.hi) == HexBytes(hi));
      ++seen;
    }
  BOOST_TEST(seen > 0, "each schema has a composite ending in a range field");
}

BOOST_AUTO_TEST_CASE(a_range_with_an_unindexed_equality_uses_the_range_index) {
  for (const TableDesc& t : S().tables)
    for (std::size_t i = 0; i < t.indexes.size(); ++i) {
      const IndexDesc& index = t.indexes[i];
      if (index.kind != IndexKind::RANGE) continue;
      const int f = index.key_fields[0];
      Query q;
      q.range_field = f;
      q.descending = true;
      Plan plan = ChooseQueryPlan(t, q);
      BOOST_TEST_REQUIRE((plan.kind == Plan::Kind::kIndex));
      BOOST_TEST(plan.index == static_cast<int>(i), index.db_name);
      BOOST_TEST(plan.description == "index " + index.name + " desc");
      // Nulls sort first under their marker; an open range starts past them.
      BOOST_TEST(plan.keys.lo == (t.fields[f].nullable ? std::string(1, kKeyValueMarker) : ""));
      BOOST_TEST(!plan.keys.has_hi);
    }
}

BOOST_AUTO_TEST_CASE(a_range_no_index_serves_is_checked_per_record_or_refused) {
  for (const TableDesc& t : S().tables)
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      if (!RangeType(t.fields[f].type)) continue;
      bool keyed = false;
      for (const IndexDesc& index : t.indexes)
        for (int k : index.key_fields) keyed = keyed || k == static_cast<int>(f);
      if (keyed) continue;
      Query q;
      q.range_field = static_cast<int>(f);
      Status s = CheckOrdered(t, q);
      BOOST_TEST((s.code() == Status::Code::kInvalidArgument &&
                  s.subject() == t.fields[f].name), t.name << "." << t.fields[f].name);
      // With an equality filter on an index key (or the link), that path
      // runs and the range is checked on each record.
      int eq = t.link_field;
      if (!t.indexes.empty()) eq = t.indexes[0].key_fields[0];
      if (eq < 0) continue;
      q.filters = {{eq, SerialValue(t.fields[eq].type, 2)}};
      REQUIRE_OK(CheckOrdered(t, q));
      Plan plan = ChooseQueryPlan(t, q);
      BOOST_TEST((plan.kind != Plan::Kind::kScan));
      BOOST_TEST(plan.ordered_field == static_cast<int>(f));
    }
}

BOOST_AUTO_TEST_CASE(prefixes_need_a_string_that_leads_an_index) {
  int served = 0;
  for (const TableDesc& t : S().tables)
    for (std::size_t f = 0; f < t.fields.size(); ++f) {
      bool leads = false;
      for (const IndexDesc& index : t.indexes)
        leads = leads || index.key_fields[0] == static_cast<int>(f);
      Query q;
      q.prefix_field = static_cast<int>(f);
      q.prefix = "ab";
      Status s = CheckOrdered(t, q);
      if (!leads || t.fields[f].type != FieldType::STRING) {
        BOOST_TEST((s.code() == Status::Code::kInvalidArgument &&
                    s.subject() == t.fields[f].name + ".prefix"));
        continue;
      }
      REQUIRE_OK(s);
      Plan plan = ChooseQueryPlan(t, q);
      BOOST_TEST_REQUIRE((plan.kind == Plan::Kind::kIndex));
      // The escaped bytes, without the string's terminator.
      std::string want = t.fields[f].nullable ? std::string(1, kKeyValueMarker) : "";
      want += "ab";
      BOOST_TEST(HexBytes(plan.keys.lo) == HexBytes(want));
      BOOST_TEST(plan.keys.hi == plan.keys.lo);
      ++served;
    }
  BOOST_TEST(served > 0);
}

BOOST_AUTO_TEST_CASE(a_cursor_names_its_order_and_its_query) {
  const TableDesc& t = S().tables.front();
  CursorScope asc{'S', -1, {}, false, 7};
  CursorScope desc{'S', -1, {}, true, 7};
  const std::string a = EncodeCursor('S', -1, "", SomeUuid(), 7);
  const std::string d = EncodeCursor('s', -1, "", SomeUuid(), 7);
  Resume r;
  REQUIRE_OK(DecodeCursor(a, t, asc, &r));
  REQUIRE_OK(DecodeCursor(d, t, desc, &r));
  Status s = DecodeCursor(a, t, desc, &r);
  BOOST_TEST(s.subject() == "after");
  BOOST_TEST(s.message().find("order=asc") != std::string::npos, s.message());
  s = DecodeCursor(d, t, asc, &r);
  BOOST_TEST(s.message().find("order=desc") != std::string::npos, s.message());
  CursorScope other{'S', -1, {}, false, 8};
  s = DecodeCursor(a, t, other, &r);
  BOOST_TEST(s.subject() == "after");
  BOOST_TEST(s.message().find("other filters") != std::string::npos, s.message());
  // Tags differ for different filters.
  Query q1, q2;
  q1.filters = {{0, SerialValue(t.fields[0].type, 1)}};
  q2.filters = {{0, SerialValue(t.fields[0].type, 2)}};
  BOOST_TEST(QueryTag(t, q1) != QueryTag(t, q2));
  q2 = q1;
  q2.descending = true;
  BOOST_TEST(QueryTag(t, q1) == QueryTag(t, q2), "the order is the tag letter's job");
}

BOOST_AUTO_TEST_CASE(scope_of_a_plan_matches_its_walk) {
  for (const TableDesc& t : S().tables) {
    BOOST_TEST(ScopeOf(ChoosePlan(t, {})).tag == 'S');
    for (const IndexDesc& index : t.indexes) {
      const int f = index.key_fields[0];
      Plan plan = ChoosePlan(t, {{f, SerialValue(t.fields[f].type, 3)}});
      CursorScope scope = ScopeOf(plan);
      BOOST_TEST(scope.tag == 'I');
      BOOST_TEST(scope.index == plan.index);
      BOOST_TEST(scope.prefix == plan.prefix);
    }
  }
}

BOOST_AUTO_TEST_CASE(valid_cursors_decode_to_what_they_encode) {
  for (const Walk& w : AllWalks()) {
    Resume resume;
    REQUIRE_OK(DecodeCursor(w.valid, *w.table, w.Scope(), &resume));
    BOOST_TEST((resume.uuid == SomeUuid()), w.what);
    CheckDecode(w, w.valid);
  }
}

BOOST_AUTO_TEST_CASE(the_issues_crafted_range_cursor_is_refused) {
  // A range page's `next` with the key bytes between its first two and last
  // sixteen bytes dropped: LMDB refused the empty key (MDB_BAD_VALSIZE),
  // which came back as a 500 "corruption".
  int ranges = 0;
  for (const Walk& w : AllWalks()) {
    if (w.scope.tag != 'R') continue;
    ++ranges;
    std::string crafted = w.valid.substr(0, 2) + w.valid.substr(w.valid.size() - 16);
    BOOST_TEST(Refused(w, crafted), w.what);
  }
  BOOST_TEST_MESSAGE(ranges << " range walks");
}

BOOST_AUTO_TEST_CASE(truncated_and_extended_cursors_are_refused_or_exact) {
  for (const Walk& w : AllWalks()) {
    for (std::size_t n = 0; n < w.valid.size(); ++n) CheckDecode(w, w.valid.substr(0, n));
    BOOST_TEST(Refused(w, ""), w.what);
    BOOST_TEST(Refused(w, w.valid.substr(0, w.valid.size() - 1)), w.what);
    for (int extra = 1; extra <= 600; extra += 37) {
      for (char fill : {'\0', '\x01', '\xff', 'a'}) {
        CheckDecode(w, w.valid + std::string(extra, fill));
        // Extra bytes inside the key, before the uuid.
        const std::size_t at = w.valid.size() - 16;
        CheckDecode(w, w.valid.substr(0, at) + std::string(extra, fill) + w.valid.substr(at));
      }
    }
    if (w.scope.index < 0) BOOST_TEST(Refused(w, w.valid + "x"), w.what);
  }
}

BOOST_AUTO_TEST_CASE(wrong_tag_and_wrong_index_are_refused) {
  for (const Walk& w : AllWalks()) {
    for (int tag = 0; tag < 256; ++tag) {
      if (tag == static_cast<unsigned char>(w.scope.tag)) continue;
      std::string c = w.valid;
      c[0] = static_cast<char>(tag);
      BOOST_TEST_REQUIRE(Refused(w, c), w.what << " tag " << tag);
    }
    if (w.scope.index < 0) continue;
    for (int index = 0; index < 256; ++index) {
      if (index == w.scope.index) continue;
      std::string c = w.valid;
      c[1] = static_cast<char>(index);
      BOOST_TEST_REQUIRE(Refused(w, c), w.what << " index " << index);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_cursor_of_another_walk_is_refused) {
  std::vector<Walk> walks = AllWalks();
  for (const Walk& a : walks)
    for (const Walk& b : walks) {
      if (&a == &b || a.valid == b.valid) continue;
      if (a.table == b.table && a.scope.tag == b.scope.tag && a.scope.index == b.scope.index)
        continue;
      CheckDecode(a, b.valid);
      // Same tag and index on another table can be a valid key there too;
      // different tag or index never is.
      if (a.scope.tag != b.scope.tag || a.scope.index != b.scope.index)
        BOOST_TEST(Refused(a, b.valid), a.what << " took " << b.what);
    }
}

BOOST_AUTO_TEST_CASE(keys_of_the_wrong_shape_or_length_are_refused) {
  for (const Walk& w : AllWalks()) {
    if (w.scope.index < 0) continue;
    const char tag = w.scope.tag;
    const int index = w.scope.index;
    const Uuid u = SomeUuid();
    const IndexDesc& desc = w.table->indexes[index];
    BOOST_TEST(Refused(w, EncodeCursor(tag, index, "", u)), w.what << " empty key");
    BOOST_TEST(Refused(w, EncodeCursor(tag, index, std::string(kMaxKeyBytes + 1, 'a'), u)),
               w.what << " long key");
    // A valid key with its last byte gone, or one more part appended.
    std::string key = SampleKey(*w.table, desc);
    BOOST_TEST(Refused(w, EncodeCursor(tag, index, key.substr(0, key.size() - 1), u)), w.what);
    BOOST_TEST(Refused(w, EncodeCursor(tag, index, key + key, u)), w.what);
    // A STRING part without its terminator, an INT64 part of 3 bytes...
    for (int f : desc.key_fields) {
      std::string odd = key;
      if (w.table->fields[f].type == FieldType::STRING) odd = std::string("abc");
      else odd = std::string(3, '\x80');
      BOOST_TEST(Refused(w, EncodeCursor(tag, index, odd, u)), w.what);
      break;
    }
    if (tag == 'I') {
      // A key of the index that does not start with the query's prefix.
      std::string other;
      for (int f : desc.key_fields)
        AppendFieldKeyPart(w.table->fields[f], SerialValue(w.table->fields[f].type, 8), &other);
      if (other.compare(0, w.prefix.size(), w.prefix) != 0)
        BOOST_TEST(Refused(w, EncodeCursor(tag, index, other, u)), w.what << " outside prefix");
    }
  }
}

BOOST_AUTO_TEST_CASE(every_single_byte_mutation_is_refused_or_exact) {
  for (const Walk& w : AllWalks()) {
    for (std::size_t at = 0; at < w.valid.size(); ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string c = w.valid;
        c[at] = static_cast<char>(b);
        CheckDecode(w, c);
      }
      std::string dropped = w.valid;
      dropped.erase(at, 1);
      CheckDecode(w, dropped);
    }
  }
}

BOOST_AUTO_TEST_CASE(random_bytes_are_refused_or_exact) {
  const std::uint64_t seed = 20261203;
  BOOST_TEST_MESSAGE("seed " << seed);
  std::mt19937_64 rng(seed);
  for (const Walk& w : AllWalks()) {
    for (int i = 0; i < 2000; ++i) {
      std::string c(rng() % 80, '\0');
      for (char& ch : c) ch = static_cast<char>(rng());
      // Half keep a plausible head, so the checks past tag and index run.
      if (i % 2 == 0 && !c.empty()) {
        c[0] = w.scope.tag;
        if (w.scope.index >= 0 && c.size() > 1) c[1] = static_cast<char>(w.scope.index);
      }
      CheckDecode(w, c);
    }
  }
}

// ---- the same cursors through the table operations ----------------------

namespace {

// The records the table-level cases page through: a few of every table,
// each child table's records under one parent chain.
struct Filled {
  TempEnv env;
  std::vector<Uuid> first;  // per table: one record's uuid
  std::vector<Record> sample;

  Filled() {
    std::mt19937_64 rng(7);
    std::uint64_t serial = 100;
    for (const TableDesc& t : S().tables) {
      Uuid parent = t.parent >= 0 ? first[t.parent] : Uuid();
      Table table(env.env(), t);
      Record keep;
      for (int i = 0; i < 6; ++i) {
        Record r = RandomRecord(t, rng, ++serial, parent, 2);
        REQUIRE_OK(table.Insert(&r));
        if (i == 0) keep = r;
      }
      first.push_back(keep.uuid);
      sample.push_back(keep);
    }
  }
};

// A failed call must be a 4xx Status about the cursor.
void CheckTableAnswer(const Status& s, const std::string& what, const std::string& cursor) {
  if (s.ok()) return;
  BOOST_TEST_REQUIRE((s.code() == Status::Code::kInvalidArgument && s.subject() == "after"),
                     what << " cursor " << HexBytes(cursor) << ": " << s.message());
}

// Mutations of `valid`: truncations, the crafted one, byte changes, random.
std::vector<std::string> Hostile(const std::string& valid, std::mt19937_64& rng) {
  std::vector<std::string> out;
  for (std::size_t n = 0; n <= valid.size(); ++n) out.push_back(valid.substr(0, n));
  if (valid.size() > 18) out.push_back(valid.substr(0, 2) + valid.substr(valid.size() - 16));
  out.push_back(valid + std::string(520, '\x7f'));
  for (std::size_t at = 0; at < valid.size(); ++at)
    for (int b : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string c = valid;
      c[at] = static_cast<char>(b);
      out.push_back(c);
      c = valid;
      c[at] = static_cast<char>(c[at] ^ 1);
      out.push_back(c);
    }
  for (int i = 0; i < 200; ++i) {
    std::string c(rng() % 64, '\0');
    for (char& ch : c) ch = static_cast<char>(rng());
    if (!c.empty()) c[0] = valid[0];
    if (c.size() > 1) c[1] = valid[1];
    out.push_back(c);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(table_walks_answer_hostile_cursors_with_a_page_or_a_400) {
  Filled f;
  std::mt19937_64 rng(11);
  PageRequest first;
  first.limit = 1;
  int walks = 0;
  for (const TableDesc& t : S().tables) {
    Table table(f.env.env(), t);
    // Each query with its first page's cursor, then the hostile ones.
    auto attack = [&](const std::string& what, auto&& query) {
      Result<Page> p = query(first);
      REQUIRE_OK(p);
      if (!p->next) return;
      ++walks;
      for (const std::string& c : Hostile(*p->next, rng)) {
        PageRequest req;
        req.limit = 2;
        req.after = c;
        CheckTableAnswer(query(req).status(), what, c);
      }
    };
    attack(t.name + " list", [&](const PageRequest& r) { return table.List(r); });
    for (const IndexDesc& index : t.indexes) {
      const int k = index.key_fields[0];
      std::vector<Filter> filters = {{k, f.sample[t.position].fields[k]}};
      attack(index.db_name + " find",
             [&](const PageRequest& r) { return table.Find(filters, r); });
      if (index.kind == IndexKind::RANGE)
        attack(index.db_name + " range", [&](const PageRequest& r) {
          return table.Range(k, std::nullopt, std::nullopt, r);
        });
    }
    if (t.parent >= 0) {
      std::vector<Filter> filters = {{t.link_field, f.first[t.parent]}};
      attack(t.name + " find by link",
             [&](const PageRequest& r) { return table.Find(filters, r); });
      Table parent(f.env.env(), S().tables[t.parent]);
      attack(t.name + " children", [&](const PageRequest& r) {
        return parent.Children(f.first[t.parent], t, r);
      });
    }
  }
  BOOST_TEST(walks > 0);
}

BOOST_AUTO_TEST_SUITE_END()
