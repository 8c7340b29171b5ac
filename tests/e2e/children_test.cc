// SPDX-License-Identifier: Apache-2.0
// tests/e2e/children_test.cc - secondary tables: listing a parent's
// children, parents that do not exist (404, 422), moving a child, and the
// cascade that deletes a parent's descendants at every level.

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

constexpr const char* kAbsentUuid = "01900000-0000-7000-8000-0000000000ff";

// A record and, for each child table, its own children (recursively).
struct Node {
  const TableDesc* table = nullptr;
  Rec rec;
  std::vector<Node> kids;
};

// A root record of main table t with `fanout` children in every child
// table, and so on to the bottom of the schema.
Node BuildTree(HttpClient& http, const TableDesc& t, int fanout,
               const std::string& parent = {}) {
  Node node{&t, InsertGenerated(http, t, parent), {}};
  for (int c : t.children)
    for (int i = 0; i < fanout; ++i)
      node.kids.push_back(BuildTree(http, TheSchema().tables[c], fanout, node.rec.uuid));
  return node;
}

void Flatten(const Node& n, std::vector<const Node*>* out) {
  out->push_back(&n);
  for (const Node& k : n.kids) Flatten(k, out);
}

std::vector<std::size_t> TreeCounts(const Node& root) {
  std::vector<std::size_t> counts(TheSchema().tables.size());
  std::vector<const Node*> all;
  Flatten(root, &all);
  for (const Node* n : all) ++counts[n->table->position];
  return counts;
}

int Depth(const TableDesc& t) {
  int d = 1;
  for (int c : t.children) d = std::max(d, 1 + Depth(TheSchema().tables[c]));
  return d;
}

std::string ChildrenPath(const TableDesc& p, const std::string& uuid,
                         const TableDesc& child) {
  return RecordPath(p, uuid) + "/" + child.name;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(children, StackFixture)

BOOST_AUTO_TEST_CASE(children_lists_exactly_the_records_linked_to_the_parent) {
  int lists = 0;
  for (const TableDesc& p : TheSchema().tables) {
    if (p.children.empty()) continue;
    const Node a = BuildTree(http(), p, 3);
    const Node b = BuildTree(http(), p, 2);
    const Rec lonely = InsertGenerated(http(), p);
    for (int c : p.children) {
      const TableDesc& s = TheSchema().tables[c];
      for (const Node* parent : {&a, &b}) {
        std::vector<std::string> want;
        for (const Node& k : parent->kids)
          if (k.table == &s) want.push_back(k.rec.uuid);
        std::sort(want.begin(), want.end());
        const std::string path = ChildrenPath(p, parent->rec.uuid, s);
        BOOST_TEST_CONTEXT("GET " << path) {
          Listing got = ListAll(http(), s, path, 2);
          BOOST_TEST_REQUIRE(got.ok, got.error);
          std::vector<std::string> order;
          for (const Rec& r : got.records) order.push_back(r.uuid);
          BOOST_TEST(order == want, "the parent's children, in uuid order");
          for (const Node& k : parent->kids)
            for (const Rec& r : got.records)
              if (r.uuid == k.rec.uuid) BOOST_TEST(Mismatch(s, k.rec, r) == "");
          // A filter on the link field agrees.
          Listing by_link = ListAll(
              http(), s,
              TablePath(s) + "?" + FilterQuery(s, {{s.link_field, parent->rec.uuid}}));
          BOOST_TEST_REQUIRE(by_link.ok, by_link.error);
          BOOST_TEST(Uuids(by_link.records) == std::set<std::string>(want.begin(), want.end()));
          ++lists;
        }
      }
      const std::string empty = ChildrenPath(p, lonely.uuid, s);
      BOOST_TEST_CONTEXT("GET " << empty) {
        Listing got = ListAll(http(), s, empty);
        BOOST_TEST(got.ok, got.error);
        BOOST_TEST(got.records.empty(), "a parent without children lists none");
      }
    }
  }
  BOOST_TEST_MESSAGE("children: " << lists << " listings checked");
}

BOOST_AUTO_TEST_CASE(children_of_an_unknown_parent_is_a_404_problem) {
  for (const TableDesc& p : TheSchema().tables) {
    for (int c : p.children) {
      const std::string path = ChildrenPath(p, kAbsentUuid, TheSchema().tables[c]);
      BOOST_TEST_CONTEXT("GET " << path) { CheckProblem(http().Get(path), 404); }
    }
  }
}

BOOST_AUTO_TEST_CASE(children_of_a_table_that_is_not_a_child_is_a_404) {
  for (const TableDesc& p : TheSchema().tables) {
    Rec rec = InsertGenerated(http(), p);
    for (const TableDesc& s : TheSchema().tables) {
      if (s.parent == p.position) continue;
      const std::string path = ChildrenPath(p, rec.uuid, s);
      BOOST_TEST_CONTEXT("GET " << path) { CheckProblem(http().Get(path), 404); }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_child_naming_an_absent_parent_is_422_and_writes_nothing) {
  for (const TableDesc& s : TheSchema().tables) {
    if (s.is_main()) continue;
    const std::string link = s.fields[s.link_field].name;
    BOOST_TEST_CONTEXT("table " << s.name) {
      Rec existing = InsertGenerated(http(), s);
      const std::vector<std::size_t> before = TableCounts(http());
      Rec orphan = GenRecord(s, NextN(), kAbsentUuid);
      CheckProblem(http().Post(TablePath(s), BodyJson(s, orphan)), 422, link);
      CheckProblem(http().Post(TablePath(s) + "/insert-record", BodyJson(s, orphan)), 422, link);
      orphan.uuid = existing.uuid;
      CheckProblem(http().Put(RecordPath(s, existing.uuid), BodyJson(s, orphan)), 422, link);
      BOOST_TEST(TableCounts(http()) == before, "nothing should be written");
      Response r = http().Get(RecordPath(s, existing.uuid));
      rapidjson::Document d = ParseJson(r.body);
      existing.revision = 1;
      BOOST_TEST(Mismatch(s, existing, d) == "", "a refused update leaves the record as it was");
    }
  }
}

BOOST_AUTO_TEST_CASE(an_update_can_move_a_child_to_another_parent) {
  for (const TableDesc& s : TheSchema().tables) {
    if (s.is_main()) continue;
    const TableDesc& p = TheSchema().tables[s.parent];
    BOOST_TEST_CONTEXT("table " << s.name) {
      const std::string from = MakeParent(http(), s), to = MakeParent(http(), s);
      Rec child = InsertGenerated(http(), s, from);
      child.fields[s.link_field] = to;
      Response r = http().Put(RecordPath(s, child.uuid), BodyJson(s, child));
      BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
      Listing old_list = ListAll(http(), s, ChildrenPath(p, from, s));
      Listing new_list = ListAll(http(), s, ChildrenPath(p, to, s));
      BOOST_TEST_REQUIRE((old_list.ok && new_list.ok), old_list.error << new_list.error);
      BOOST_TEST(Uuids(old_list.records).count(child.uuid) == 0u, "left the old parent");
      BOOST_TEST(Uuids(new_list.records).count(child.uuid) == 1u, "joined the new parent");
      // Deleting the old parent no longer takes the moved child with it.
      BOOST_TEST_REQUIRE(http().Delete(RecordPath(p, from)).status == 204);
      BOOST_TEST(http().Get(RecordPath(s, child.uuid)).status == 200,
                 "a moved child survives its old parent's deletion");
    }
  }
}

BOOST_AUTO_TEST_CASE(deleting_a_parent_cascades_through_every_level) {
  int roots = 0;
  for (const TableDesc& root_table : TheSchema().tables) {
    if (!root_table.is_main() || root_table.children.empty()) continue;
    ++roots;
    BOOST_TEST_CONTEXT("root table " << root_table.name << ", "
                                     << Depth(root_table) << " levels") {
      const std::vector<std::size_t> base = TableCounts(http());
      const Node doomed = BuildTree(http(), root_table, 2);
      const Node kept = BuildTree(http(), root_table, 2);
      std::vector<const Node*> doomed_nodes, kept_nodes;
      Flatten(doomed, &doomed_nodes);
      Flatten(kept, &kept_nodes);

      Response r = http().Delete(RecordPath(root_table, doomed.rec.uuid));
      BOOST_TEST_REQUIRE(r.status == 204, r.Describe());

      for (const Node* n : doomed_nodes) {
        const TableDesc& t = *n->table;
        BOOST_TEST_CONTEXT(t.name << " " << n->rec.uuid) {
          CheckProblem(http().Get(RecordPath(t, n->rec.uuid)), 404);
          for (int c : t.children) {
            const TableDesc& s = TheSchema().tables[c];
            CheckProblem(http().Get(ChildrenPath(t, n->rec.uuid, s)), 404);
            Listing by_link = ListAll(
                http(), s, TablePath(s) + "?" + FilterQuery(s, {{s.link_field, n->rec.uuid}}));
            BOOST_TEST(by_link.ok, by_link.error);
            BOOST_TEST(by_link.records.empty(),
                       "a filter on " << s.name << "." << s.fields[s.link_field].name
                                      << " should find no orphans");
          }
          // Nor does any index still point at it.
          for (const IndexDesc& index : t.indexes) {
            FieldFilter key;
            for (int f : index.key_fields) key.emplace_back(f, n->rec.fields[f]);
            Listing found = ListAll(http(), t, TablePath(t) + "?" + FilterQuery(t, key));
            BOOST_TEST(found.ok, found.error);
            BOOST_TEST(Uuids(found.records).count(n->rec.uuid) == 0u,
                       "index " << index.name << " should forget a cascaded record");
          }
        }
      }
      for (const Node* n : kept_nodes) {
        Response g = http().Get(RecordPath(*n->table, n->rec.uuid));
        BOOST_TEST(g.status == 200, "the other tree is untouched: " << g.Describe());
      }
      std::vector<std::size_t> want = base;
      const std::vector<std::size_t> kept_counts = TreeCounts(kept);
      for (std::size_t i = 0; i < want.size(); ++i) want[i] += kept_counts[i];
      BOOST_TEST(TableCounts(http()) == want, "every table holds only the kept tree");
    }
  }
  BOOST_TEST(roots > 0, "the schema should have a table with children");
}

BOOST_AUTO_TEST_CASE(deleting_a_child_keeps_its_parent_and_siblings) {
  for (const TableDesc& p : TheSchema().tables) {
    if (!p.is_main() || p.children.empty()) continue;
    const Node tree = BuildTree(http(), p, 2);
    const Node& victim = tree.kids.front();
    const TableDesc& s = *victim.table;
    BOOST_TEST_REQUIRE(http().Delete(TablePath(s) + "/delete/" + victim.rec.uuid).status == 204);
    BOOST_TEST(http().Get(RecordPath(p, tree.rec.uuid)).status == 200, "the parent stays");
    Listing left = ListAll(http(), s, ChildrenPath(p, tree.rec.uuid, s));
    BOOST_TEST_REQUIRE(left.ok, left.error);
    std::set<std::string> want;
    for (const Node& k : tree.kids)
      if (k.table == &s && k.rec.uuid != victim.rec.uuid) want.insert(k.rec.uuid);
    BOOST_TEST(Uuids(left.records) == want, "the siblings stay");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
