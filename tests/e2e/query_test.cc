// SPDX-License-Identifier: Apache-2.0
// tests/e2e/query_test.cc - get-record: equality filters on every field,
// the X-Query-Plan a filter gets, and the listing's shape.
//
// Each case fills every table with a dozen generated records (pooled
// values, so each value is shared by several records; children spread over
// two parents) and compares each answer with the model's own matching.

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

constexpr int kPerTable = 12;

// Every table's records, filled through the API.
struct FilledFixture : StackFixture {
  FilledFixture() {
    models.resize(TheSchema().tables.size());
    for (const TableDesc& t : TheSchema().tables) {
      std::vector<std::string> parents;
      if (!t.is_main()) {
        // Two parents from the parent table's own records when it has some.
        const Model& pm = models[t.parent];
        for (auto it = pm.begin(); it != pm.end() && parents.size() < 2; ++it)
          parents.push_back(it->first);
        while (parents.size() < 2) parents.push_back(MakeParent(http(), t));
      }
      for (int i = 0; i < kPerTable; ++i) {
        Rec rec = InsertGenerated(http(), t, parents.empty() ? "" : parents[i % 2]);
        models[t.position][rec.uuid] = rec;
      }
    }
  }
  std::vector<Model> models;  // by table position
};

// The distinct values the model holds in `field`, at most `max` of them.
std::vector<Val> DistinctValues(const Model& model, int field, std::size_t max) {
  std::vector<Val> out;
  for (const auto& [uuid, rec] : model) {
    bool seen = false;
    for (const Val& v : out)
      if (ValEqual(v, rec.fields[field])) seen = true;
    if (!seen) out.push_back(rec.fields[field]);
    if (out.size() >= max) break;
  }
  return out;
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& x : s) out += (out.empty() ? "" : " | ") + x;
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(query, FilledFixture)

BOOST_AUTO_TEST_CASE(a_filter_on_each_field_finds_exactly_the_matching_records) {
  int queries = 0;
  for (const TableDesc& t : TheSchema().tables) {
    const Model& model = models[t.position];
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      for (const Val& v : DistinctValues(model, f, 3)) {
        const FieldFilter filter = {{f, v}};
        for (bool alias : {false, true}) {
          const std::string path = TablePath(t) + (alias ? "?" : "/get-record?") +
                                   FilterQuery(t, filter);
          BOOST_TEST_CONTEXT("GET " << path) {
            Listing found = ListAll(http(), t, path);
            BOOST_TEST_REQUIRE(found.ok, found.error);
            BOOST_TEST(Uuids(found.records) == Matching(model, filter),
                       "should find exactly the " << Matching(model, filter).size()
                                                  << " matching records; found "
                                                  << found.records.size());
            for (const Rec& got : found.records)
              if (model.count(got.uuid))
                BOOST_TEST(Mismatch(t, model.at(got.uuid), got) == "",
                           "found records hold what was stored");
            const std::set<std::string> plans = ExpectedPlans(t, {f});
            BOOST_TEST(plans.count(found.plan) == 1u,
                       "X-Query-Plan should be " << Join(plans) << "; got \""
                                                 << found.plan << "\"");
            ++queries;
          }
        }
      }
    }
  }
  BOOST_TEST_MESSAGE("query: " << queries << " single-field filters checked");
}

BOOST_AUTO_TEST_CASE(a_filter_on_an_index_key_uses_that_index) {
  for (const TableDesc& t : TheSchema().tables) {
    const Model& model = models[t.position];
    for (const IndexDesc& index : t.indexes) {
      const Rec& sample = model.begin()->second;
      FieldFilter filter;
      std::set<int> fields;
      for (int f : index.key_fields) {
        filter.emplace_back(f, sample.fields[f]);
        fields.insert(f);
        // Every prefix of the key: the index still serves it.
        const std::string path = TablePath(t) + "/get-record?" + FilterQuery(t, filter);
        BOOST_TEST_CONTEXT("GET " << path) {
          Listing found = ListAll(http(), t, path);
          BOOST_TEST_REQUIRE(found.ok, found.error);
          BOOST_TEST(Uuids(found.records) == Matching(model, filter));
          const std::set<std::string> plans = ExpectedPlans(t, fields);
          // Among the best: another index may lead with the same fields
          // (permits' main_composite and by_client_issued_on).
          BOOST_TEST(plans.count("index " + index.name) == 1u,
                     "test's own expectation should name " << index.name);
          BOOST_TEST(plans.count(found.plan) == 1u,
                     "X-Query-Plan should be " << Join(plans) << "; got \""
                                               << found.plan << "\"");
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_filter_on_unindexed_fields_only_is_a_scan) {
  int checked = 0;
  for (const TableDesc& t : TheSchema().tables) {
    const Model& model = models[t.position];
    const Rec& sample = model.begin()->second;
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      if (ExpectedPlans(t, {f}) != std::set<std::string>{"scan"}) continue;
      const FieldFilter filter = {{f, sample.fields[f]}};
      const std::string path = TablePath(t) + "/get-record?" + FilterQuery(t, filter);
      BOOST_TEST_CONTEXT("GET " << path) {
        Listing found = ListAll(http(), t, path);
        BOOST_TEST_REQUIRE(found.ok, found.error);
        BOOST_TEST(found.plan == "scan");
        BOOST_TEST(Uuids(found.records) == Matching(model, filter));
        ++checked;
      }
    }
  }
  BOOST_TEST(checked > 0, "the schema should have some unindexed field");
}

BOOST_AUTO_TEST_CASE(filters_on_several_fields_must_all_hold) {
  for (const TableDesc& t : TheSchema().tables) {
    const Model& model = models[t.position];
    for (const auto& [uuid, rec] : model) {
      // The record's own values for every field but the link: exactly the
      // records equal to it in all of them (at least itself).
      FieldFilter filter;
      std::set<int> fields;
      for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
        if (f == t.link_field) continue;
        filter.emplace_back(f, rec.fields[f]);
        fields.insert(f);
      }
      const std::string path = TablePath(t) + "?" + FilterQuery(t, filter);
      BOOST_TEST_CONTEXT("GET " << path) {
        Listing found = ListAll(http(), t, path);
        BOOST_TEST_REQUIRE(found.ok, found.error);
        BOOST_TEST(Uuids(found.records) == Matching(model, filter));
        BOOST_TEST(Uuids(found.records).count(uuid) == 1u);
        const std::set<std::string> plans = ExpectedPlans(t, fields);
        BOOST_TEST(plans.count(found.plan) == 1u,
                   "X-Query-Plan should be " << Join(plans) << "; got \""
                                             << found.plan << "\"");
      }
      break;  // one record per table is enough
    }
  }
}

BOOST_AUTO_TEST_CASE(string_filters_match_whole_values_not_prefixes) {
  for (const TableDesc& t : TheSchema().tables) {
    const std::string parent =
        t.is_main() ? std::string() : models[t.parent].begin()->first;
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      if (t.fields[f].type != FieldType::STRING) continue;
      const std::string base = "pre" + std::to_string(NextN());
      // Values that share bytes with base: longer, with a NUL, shorter.
      const std::vector<std::string> values = {base, base + "x", base + std::string(1, '\0'),
                                               base + std::string(1, '\0') + "y",
                                               base.substr(0, base.size() - 1)};
      std::vector<std::string> uuids;
      for (const std::string& v : values) {
        Rec rec = GenRecord(t, NextN(), parent);
        rec.fields[f] = v;
        uuids.push_back(InsertOk(http(), t, rec).uuid);
      }
      for (std::size_t i = 0; i < values.size(); ++i) {
        const std::string path = TablePath(t) + "?" + FilterQuery(t, {{f, values[i]}});
        BOOST_TEST_CONTEXT("GET " << path) {
          Listing found = ListAll(http(), t, path);
          BOOST_TEST_REQUIRE(found.ok, found.error);
          BOOST_TEST(Uuids(found.records) == std::set<std::string>{uuids[i]},
                     "exactly the record holding " << Show(values[i]) << "; found "
                                                   << found.records.size());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(no_match_is_an_empty_page_with_null_next) {
  for (const TableDesc& t : TheSchema().tables) {
    for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
      if (t.fields[f].type != FieldType::STRING) continue;
      const std::string path =
          TablePath(t) + "/get-record?" + FilterQuery(t, {{f, std::string("no such value")}});
      BOOST_TEST_CONTEXT("GET " << path) {
        Response r = http().Get(path);
        BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
        BOOST_TEST(r.Header("Content-Type").rfind("application/json", 0) == 0,
                   "listings are application/json; got " << r.Header("Content-Type"));
        Page page = ParsePage(t, r);
        BOOST_TEST(page.error == "");
        BOOST_TEST(page.records.empty());
        BOOST_TEST(!page.next.has_value(), "next should be null on the only page");
      }
      break;
    }
  }
}

BOOST_AUTO_TEST_CASE(no_filter_lists_the_whole_table_in_uuid_order) {
  for (const TableDesc& t : TheSchema().tables) {
    BOOST_TEST_CONTEXT("table " << t.name) {
      const Model& model = models[t.position];
      Listing all = ListAll(http(), t, TablePath(t), 5);
      BOOST_TEST_REQUIRE(all.ok, all.error);
      std::vector<std::string> got;
      for (const Rec& r : all.records) got.push_back(r.uuid);
      const std::set<std::string> ids = Uuids(model);
      std::vector<std::string> want(ids.begin(), ids.end());
      BOOST_TEST(got == want, "every record, in uuid order");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
