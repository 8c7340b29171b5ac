// SPDX-License-Identifier: Apache-2.0
// tests/e2e/batch_test.cc - POST /api/batch and Idempotency-Key through
// nginx and the worker, on whatever schema is compiled in.
//
// The chain is the schema's longest line of parent links (permits ->
// processing_status -> inspection_report on the default schema), inserted
// in one batch, each child naming its parent by {"$ref": i}.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

// The longest root-to-leaf line of parent links, root first.
std::vector<const TableDesc*> LongestChain() {
  std::vector<const TableDesc*> best;
  for (const TableDesc& t : TheSchema().tables) {
    std::vector<const TableDesc*> chain;
    for (const TableDesc* p = &t;; p = &TheSchema().tables[p->parent]) {
      chain.insert(chain.begin(), p);
      if (p->parent < 0) break;
    }
    if (chain.size() > best.size()) best = chain;
  }
  return best;
}

std::string Ref(int op) { return "{\"$ref\":" + std::to_string(op) + "}"; }

// One insert operation of record `rec` of t; its parent link (if any) is
// {"$ref": parent_op}.
std::string InsertOp(const TableDesc& t, const Rec& rec, int parent_op) {
  std::map<int, std::string> raw;
  if (parent_op >= 0) raw[t.link_field] = Ref(parent_op);
  return "{\"op\":\"insert\",\"table\":\"" + t.name + "\",\"record\":" +
         BodyJson(t, rec, {}, raw) + "}";
}

struct Chain {
  std::vector<const TableDesc*> tables;
  std::vector<Rec> records;  // as sent
  std::string ops;           // the operations, comma-separated
};

Chain MakeChain() {
  Chain c;
  c.tables = LongestChain();
  for (std::size_t i = 0; i < c.tables.size(); ++i) {
    const TableDesc& t = *c.tables[i];
    // The parent link is written as a $ref; GenRecord needs some uuid.
    Rec rec = GenRecord(t, NextN(), i > 0 ? "0190a5c4-7e2b-7c3d-8e4f-0123456789ab" : "");
    if (i > 0) c.ops += ",";
    c.ops += InsertOp(t, rec, static_cast<int>(i) - 1);
    c.records.push_back(rec);
  }
  return c;
}

std::string Body(const std::string& ops) { return "{\"operations\":[" + ops + "]}"; }

int ProblemOperation(const Response& r) {
  rapidjson::Document d = ParseJson(r.body);
  const rapidjson::Value* op = JsonMember(d, "operation");
  return op != nullptr && op->IsInt() ? op->GetInt() : -1;
}

Headers Key(const std::string& key) { return {{"Idempotency-Key", "\"" + key + "\""}}; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(batch, StackFixture)

BOOST_AUTO_TEST_CASE(a_ref_chain_goes_in_as_one_batch) {
  Chain c = MakeChain();
  Response r = http().Post("/api/batch", Body(c.ops));
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  rapidjson::Document d = ParseJson(r.body);
  const rapidjson::Value* results = JsonMember(d, "results");
  BOOST_TEST_REQUIRE((results != nullptr && results->IsArray() &&
                      results->Size() == c.tables.size()),
                     r.Describe());
  std::vector<std::string> uuids;
  for (std::size_t i = 0; i < c.tables.size(); ++i) {
    const TableDesc& t = *c.tables[i];
    const rapidjson::Value& res = (*results)[static_cast<rapidjson::SizeType>(i)];
    BOOST_TEST(res["status"].GetInt() == 201);
    std::string error;
    std::optional<Rec> got = RecFromJson(t, res["record"], &error);
    BOOST_TEST_REQUIRE(got.has_value(), error);
    uuids.push_back(got->uuid);
    Rec want = c.records[i];
    if (i > 0) want.fields[t.link_field] = uuids[i - 1];
    want.revision = 1;
    BOOST_TEST(Mismatch(t, want, *got) == "");
    Response stored = http().Get(RecordPath(t, got->uuid));
    BOOST_TEST_REQUIRE(stored.status == 200, stored.Describe());
    BOOST_TEST(Mismatch(t, want, ParseJson(stored.body)) == "");
  }
  // The children route sees the chain.
  for (std::size_t i = 1; i < c.tables.size(); ++i) {
    Listing kids = ListAll(http(), *c.tables[i],
                           RecordPath(*c.tables[i - 1], uuids[i - 1]) + "/" +
                               c.tables[i]->name);
    BOOST_TEST(kids.ok, kids.error);
    BOOST_TEST(kids.records.size() == 1u);
  }
}

BOOST_AUTO_TEST_CASE(a_failing_last_operation_writes_nothing) {
  const std::vector<std::size_t> before = TableCounts(http());
  Chain c = MakeChain();
  const TableDesc& root = *c.tables.front();
  const int n = static_cast<int>(c.tables.size());
  // 404: a delete of a record nobody has.
  Response r = http().Post(
      "/api/batch",
      Body(c.ops + ",{\"op\":\"delete\",\"table\":\"" + root.name +
           "\",\"uuid\":\"0190a5c4-7e2b-7c3d-8e4f-0123456789ab\"}"));
  CheckProblem(r, 404);
  BOOST_TEST(ProblemOperation(r) == n);
  // 409: a stale revision on the record the batch itself inserted.
  r = http().Post("/api/batch",
                  Body(c.ops + ",{\"op\":\"patch\",\"table\":\"" + root.name +
                       "\",\"uuid\":" + Ref(0) + ",\"patch\":{},\"revision\":5}"));
  CheckProblem(r, 409);
  BOOST_TEST(ProblemOperation(r) == n);
  // 400: a bad value in the last record, found before anything runs.
  Rec bad = GenRecord(root, NextN());
  r = http().Post("/api/batch",
                  Body(c.ops + "," + InsertOp(root, bad, -1).replace(
                                         0, 1, "{\"surprise\":1,")));
  CheckProblem(r, 400, "surprise");
  BOOST_TEST(ProblemOperation(r) == n);
  if (c.tables.size() > 1) {
    // 422: a child whose parent does not exist.
    const TableDesc& child = *c.tables[1];
    Rec orphan = GenRecord(child, NextN(), "0190a5c4-7e2b-7c3d-8e4f-0123456789ab");
    r = http().Post("/api/batch", Body(c.ops + "," + InsertOp(child, orphan, -1)));
    CheckProblem(r, 422, child.fields[child.link_field].name);
    BOOST_TEST(ProblemOperation(r) == n);
  }
  BOOST_TEST(TableCounts(http()) == before);
}

BOOST_AUTO_TEST_CASE(too_many_operations_is_413_naming_the_limit) {
  const TableDesc& root = TheSchema().tables.front();
  std::string ops;
  for (int i = 0; i < 1001; ++i) {
    if (i > 0) ops += ",";
    ops += "{\"op\":\"delete\",\"table\":\"" + root.name +
           "\",\"uuid\":\"0190a5c4-7e2b-7c3d-8e4f-0123456789ab\"}";
  }
  Response r = http().Post("/api/batch", Body(ops));
  CheckProblem(r, 413, "operations");
  BOOST_TEST(r.body.find("BATCH_MAX_OPERATIONS") != std::string::npos, r.body);
  BOOST_TEST(r.body.find("1000") != std::string::npos, r.body);
  CheckProblem(http().Request("GET", "/api/batch"), 405);
  CheckProblem(http().Post("/api/batch", "{\"operations\":[]}"), 400, "operations");
}

BOOST_AUTO_TEST_CASE(a_repeated_key_replays_the_answer_and_writes_nothing) {
  const TableDesc& root = TheSchema().tables.front();
  const std::string body = BodyJson(root, GenRecord(root, NextN()));
  const Response first = http().Request("POST", TablePath(root), body, Key("insert-1"));
  BOOST_TEST_REQUIRE(first.status == 201, first.Describe());
  BOOST_TEST(first.Header("Idempotent-Replayed") == "");
  const std::vector<std::size_t> after = TableCounts(http());
  const Response again = http().Request("POST", TablePath(root), body, Key("insert-1"));
  BOOST_TEST(again.status == 201, again.Describe());
  BOOST_TEST(again.Header("Idempotent-Replayed") == "true");
  BOOST_TEST(again.body == first.body);
  BOOST_TEST(again.Header("Location") == first.Header("Location"));
  BOOST_TEST(again.Header("ETag") == first.Header("ETag"));
  BOOST_TEST(TableCounts(http()) == after);

  // A batch, then PUT, PATCH and DELETE of its record: each replayed.
  Chain c = MakeChain();
  const Response batch = http().Request("POST", "/api/batch", Body(c.ops), Key("batch-1"));
  BOOST_TEST_REQUIRE(batch.status == 200, batch.Describe());
  const Response batch_again =
      http().Request("POST", "/api/batch", Body(c.ops), Key("batch-1"));
  BOOST_TEST(batch_again.status == 200);
  BOOST_TEST(batch_again.body == batch.body);
  BOOST_TEST(batch_again.Header("Idempotent-Replayed") == "true");
  BOOST_TEST(TableCounts(http()) != after);

  rapidjson::Document d = ParseJson(first.body);
  const std::string uuid = d["uuid"].GetString();
  Rec rec = GenRecord(root, NextN());
  for (int round = 0; round < 2; ++round) {
    Response put = http().Request("PUT", RecordPath(root, uuid), BodyJson(root, rec),
                                  Key("put-1"));
    BOOST_TEST(put.status == 200, put.Describe());
    BOOST_TEST(ParseJson(put.body)["revision"].GetInt() == 2);
    BOOST_TEST(put.Header("Idempotent-Replayed") == (round == 0 ? "" : "true"));
  }
  for (int round = 0; round < 2; ++round) {
    Response patch = http().Request("PATCH", RecordPath(root, uuid), "{}",
                                    Key("patch-1"));
    BOOST_TEST(patch.status == 200, patch.Describe());
    BOOST_TEST(ParseJson(patch.body)["revision"].GetInt() == 3);
  }
  for (int round = 0; round < 2; ++round) {
    Response del = http().Request("DELETE", RecordPath(root, uuid), {}, Key("delete-1"));
    BOOST_TEST(del.status == 204, del.Describe());
    BOOST_TEST(del.Header("Idempotent-Replayed") == (round == 0 ? "" : "true"));
  }
  BOOST_TEST(http().Get(RecordPath(root, uuid)).status == 404);
}

BOOST_AUTO_TEST_CASE(a_misused_key_is_refused) {
  const TableDesc& root = TheSchema().tables.front();
  const std::vector<std::size_t> before = TableCounts(http());
  Response r = http().Request("POST", TablePath(root),
                              BodyJson(root, GenRecord(root, NextN())), Key("misuse-1"));
  BOOST_TEST_REQUIRE(r.status == 201, r.Describe());
  // Same key, another body; same key, another path.
  r = http().Request("POST", TablePath(root), BodyJson(root, GenRecord(root, NextN())),
                     Key("misuse-1"));
  CheckProblem(r, 422, "Idempotency-Key");
  r = http().Request("POST", TablePath(root) + "/insert-record",
                     BodyJson(root, GenRecord(root, NextN())), Key("misuse-1"));
  CheckProblem(r, 422, "Idempotency-Key");
  // Not an sf-string; too long.
  r = http().Request("POST", TablePath(root), BodyJson(root, GenRecord(root, NextN())),
                     {{"Idempotency-Key", "bare-token"}});
  CheckProblem(r, 400, "Idempotency-Key");
  r = http().Request("POST", TablePath(root), BodyJson(root, GenRecord(root, NextN())),
                     Key(std::string(256, 'k')));
  CheckProblem(r, 400, "Idempotency-Key");
  std::vector<std::size_t> want = before;
  want[root.position] += 1;
  BOOST_TEST(TableCounts(http()) == want);
  // A failed write stores nothing: its retry runs (and fails) again.
  const std::string stale = "{\"revision\": 7}";
  rapidjson::Document d = ParseJson(r.body);
  Rec rec = InsertGenerated(http(), root);
  for (int round = 0; round < 2; ++round) {
    Response p = http().Request("PATCH", RecordPath(root, rec.uuid), stale, Key("failed-1"));
    CheckProblem(p, 409);
    BOOST_TEST(p.Header("Idempotent-Replayed") == "");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
