// SPDX-License-Identifier: Apache-2.0
// tests/e2e/range_test.cc - GET /api/t/range over every RANGE index:
// inclusive bounds, each optional, ascending order (ties in uuid order),
// pagination, and 400 for a field without a RANGE index, an unknown field
// or a bad bound.

#include <algorithm>
#include <limits>
#include <map>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

constexpr int kRecords = 40;

struct RangeIndex {
  const TableDesc* table;
  const IndexDesc* index;
  int field;
};

std::vector<RangeIndex> RangeIndexes() {
  std::vector<RangeIndex> out;
  for (const TableDesc& t : TheSchema().tables)
    for (const IndexDesc& index : t.indexes)
      if (index.kind == IndexKind::RANGE)
        out.push_back({&t, &index, index.key_fields.front()});
  return out;
}

bool IsRangeKey(const TableDesc& t, int field) {
  for (const IndexDesc& index : t.indexes)
    if (index.kind == IndexKind::RANGE && index.key_fields.front() == field)
      return true;
  return false;
}

// The model's records with from <= field <= to, in the contract's order.
std::vector<std::string> Expected(const Model& model, FieldType type, int field,
                                  const std::optional<Val>& from,
                                  const std::optional<Val>& to) {
  std::vector<const Rec*> in;
  for (const auto& [uuid, rec] : model) {
    const Val& v = rec.fields[field];
    if (from && ValLess(type, v, *from)) continue;
    if (to && ValLess(type, *to, v)) continue;
    in.push_back(&rec);
  }
  std::sort(in.begin(), in.end(), [&](const Rec* a, const Rec* b) {
    if (ValLess(type, a->fields[field], b->fields[field])) return true;
    if (ValLess(type, b->fields[field], a->fields[field])) return false;
    return a->uuid < b->uuid;
  });
  std::vector<std::string> out;
  for (const Rec* r : in) out.push_back(r->uuid);
  return out;
}

std::vector<std::string> Order(const Listing& l) {
  std::vector<std::string> out;
  for (const Rec& r : l.records) out.push_back(r.uuid);
  return out;
}

std::string RangePath(const TableDesc& t, int field, const std::optional<Val>& from,
                      const std::optional<Val>& to) {
  std::string path = WithParam(TablePath(t) + "/range", "field", t.fields[field].name);
  if (from) path = WithParam(path, "from", QueryText(t.fields[field].type, *from));
  if (to) path = WithParam(path, "to", QueryText(t.fields[field].type, *to));
  return path;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(range, StackFixture)

BOOST_AUTO_TEST_CASE(range_returns_the_inclusive_interval_in_ascending_order) {
  const std::vector<RangeIndex> indexes = RangeIndexes();
  BOOST_TEST_REQUIRE(!indexes.empty(), "the schema should have a RANGE index");
  std::vector<Model> models(TheSchema().tables.size());
  for (const RangeIndex& ri : indexes) {
    const TableDesc& t = *ri.table;
    const FieldType type = t.fields[ri.field].type;
    BOOST_TEST_CONTEXT(t.name << " index " << ri.index->name) {
      // One set of records per table, shared by its RANGE indexes.
      Model& model = models[t.position];
      if (model.empty()) {
        const std::string parent = MakeParent(http(), t);
        for (int i = 0; i < kRecords; ++i) {
          Rec rec = InsertGenerated(http(), t, parent);
          model[rec.uuid] = rec;
        }
      }
      // Distinct values in order: bounds are taken from them.
      std::vector<Val> values;
      for (const auto& [uuid, rec] : model) values.push_back(rec.fields[ri.field]);
      std::sort(values.begin(), values.end(),
                [&](const Val& a, const Val& b) { return ValLess(type, a, b); });
      values.erase(std::unique(values.begin(), values.end()), values.end());
      BOOST_TEST_REQUIRE(values.size() >= 4u, "generator should vary the range key");
      const Val lo = values[1], hi = values[values.size() - 2];

      struct Bounds {
        std::optional<Val> from, to;
      };
      const std::vector<Bounds> cases = {
          {std::nullopt, std::nullopt}, {lo, hi},       {lo, std::nullopt},
          {std::nullopt, hi},           {lo, lo},       {values.back(), std::nullopt},
          {std::nullopt, values.front()},
      };
      for (const Bounds& b : cases) {
        const std::string path = RangePath(t, ri.field, b.from, b.to);
        BOOST_TEST_CONTEXT("GET " << path) {
          const std::vector<std::string> want =
              Expected(model, type, ri.field, b.from, b.to);
          Listing got = ListAll(http(), t, path);
          BOOST_TEST_REQUIRE(got.ok, got.error);
          BOOST_TEST(Order(got) == want, "want " << want.size() << " records in (field, uuid) order; got "
                                                 << got.records.size());
          for (const Rec& rec : got.records)
            if (model.count(rec.uuid))
              BOOST_TEST(Mismatch(t, model.at(rec.uuid), rec) == "");
          Listing paged = ListAll(http(), t, path, 3);
          BOOST_TEST_REQUIRE(paged.ok, paged.error);
          BOOST_TEST(Order(paged) == want, "pages of 3 give the same sequence");
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(range_orders_extreme_and_pre_epoch_values_correctly) {
  for (const RangeIndex& ri : RangeIndexes()) {
    const TableDesc& t = *ri.table;
    std::vector<Val> values;  // ascending
    switch (t.fields[ri.field].type) {
      case FieldType::DATE:
        for (const char* d : {"0001-01-01", "1969-12-31", "1970-01-01", "1970-01-02", "9999-12-31"})
          values.push_back(std::string(d));
        break;
      case FieldType::TIMESTAMP:
        for (const char* ts : {"0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z",
                               "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000001Z",
                               "9999-12-31T23:59:59.999999Z"})
          values.push_back(std::string(ts));
        break;
      case FieldType::INT64:
        for (std::int64_t i : {std::numeric_limits<std::int64_t>::min(), std::int64_t{-1},
                               std::int64_t{0}, std::int64_t{1},
                               std::numeric_limits<std::int64_t>::max()})
          values.push_back(i);
        break;
      default:
        continue;
    }
    BOOST_TEST_CONTEXT(t.name << " index " << ri.index->name) {
      // Fresh records only: filter the range to them by their parent when
      // the table has one, else compare the whole (fresh) table.
      const std::string parent = MakeParent(http(), t);
      std::map<std::string, std::string> by_value;  // shown value -> uuid
      std::vector<std::string> want;
      for (std::size_t i : {std::size_t{3}, std::size_t{0}, std::size_t{4}, std::size_t{1},
                            std::size_t{2}}) {
        Rec rec = GenRecord(t, NextN(), parent);
        rec.fields[ri.field] = values[i];
        rec = InsertOk(http(), t, rec);
        by_value[Show(values[i])] = rec.uuid;
      }
      for (const Val& v : values) want.push_back(by_value[Show(v)]);
      const std::set<std::string> mine(want.begin(), want.end());
      auto only_mine = [&](const Listing& l) {
        std::vector<std::string> out;
        for (const Rec& r : l.records)
          if (mine.count(r.uuid)) out.push_back(r.uuid);
        return out;
      };
      Listing all = ListAll(http(), t, RangePath(t, ri.field, std::nullopt, std::nullopt));
      BOOST_TEST_REQUIRE(all.ok, all.error);
      BOOST_TEST(only_mine(all) == want, "extremes in ascending order");
      Listing mid = ListAll(http(), t, RangePath(t, ri.field, values[1], values[3]));
      BOOST_TEST_REQUIRE(mid.ok, mid.error);
      BOOST_TEST(only_mine(mid) == std::vector<std::string>(want.begin() + 1, want.begin() + 4),
                 "from the second to the fourth value, inclusive");
      Listing low = ListAll(http(), t, RangePath(t, ri.field, std::nullopt, values[0]));
      BOOST_TEST_REQUIRE(low.ok, low.error);
      BOOST_TEST(only_mine(low) == std::vector<std::string>{want[0]});
      Listing high = ListAll(http(), t, RangePath(t, ri.field, values[4], std::nullopt));
      BOOST_TEST_REQUIRE(high.ok, high.error);
      BOOST_TEST(only_mine(high) == std::vector<std::string>{want[4]});
    }
  }
}

// A table without any RANGE index has no range route at all: 404.
long RangeRefusal(const TableDesc& t) {
  for (int f = 0; f < static_cast<int>(t.fields.size()); ++f)
    if (IsRangeKey(t, f)) return 400;
  return 404;
}

BOOST_AUTO_TEST_CASE(range_on_a_field_without_a_range_index_is_400) {
  for (const TableDesc& t : TheSchema().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      if (IsRangeKey(t, f)) continue;
      const std::string path =
          WithParam(TablePath(t) + "/range", "field", t.fields[f].name);
      BOOST_TEST_CONTEXT("GET " << path) { CheckProblem(http().Get(path), RangeRefusal(t)); }
    }
  }
}

BOOST_AUTO_TEST_CASE(range_on_an_unknown_or_missing_field_is_400) {
  for (const TableDesc& t : TheSchema().tables) {
    for (const std::string& path :
         {TablePath(t) + "/range?field=no_such_field", TablePath(t) + "/range",
          TablePath(t) + "/range?from=1&to=2", TablePath(t) + "/range?field="}) {
      BOOST_TEST_CONTEXT("GET " << path) { CheckProblem(http().Get(path), RangeRefusal(t)); }
    }
  }
}

BOOST_AUTO_TEST_CASE(range_with_a_bound_of_the_wrong_form_is_400) {
  for (const RangeIndex& ri : RangeIndexes()) {
    const TableDesc& t = *ri.table;
    std::vector<std::string> bad;
    switch (t.fields[ri.field].type) {
      case FieldType::DATE:
        bad = {"2024-02-30", "2024-13-01", "yesterday", "20240101", "2024-1-1"};
        break;
      case FieldType::TIMESTAMP:
        bad = {"yesterday", "2024-05-01T25:00:00Z", "2024-05-01", "12:00:00Z"};
        break;
      case FieldType::INT64:
        bad = {"abc", "1.5", "9223372036854775808", "0x10"};
        break;
      default:
        bad = {"abc"};
    }
    const std::string field = t.fields[ri.field].name;
    for (const std::string& value : bad) {
      for (const char* bound : {"from", "to"}) {
        const std::string path =
            WithParam(WithParam(TablePath(t) + "/range", "field", field), bound, value);
        BOOST_TEST_CONTEXT("GET " << path) { CheckProblem(http().Get(path), 400); }
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
