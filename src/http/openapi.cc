// SPDX-License-Identifier: Apache-2.0
// src/http/openapi.cc - see openapi.h.
//
// Paths and operations here; what the bodies look like is
// openapi_schemas.cc. One operation per (route template, method) of
// RouteTemplates(); the route kind decides parameters, bodies and the
// statuses listed.

#include "http/openapi.h"

#include <algorithm>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "http/bulk.h"
#include "http/content_negotiation.h"
#include "http/handlers.h"
#include "http/openapi_schemas.h"
#include "http/params.h"
#include "http/problem.h"
#include "http/router.h"

namespace lmdbapi::http {
namespace {

using openapi::ComponentName;
using openapi::Json;
using openapi::JsonBuilder;

constexpr std::string_view kServiceTag = "service";

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// The statuses an operation of `kind` may answer with besides its success:
// every route may meet a malformed request (400, from nginx or the worker),
// a request line too long for nginx (414), a bug (500) and no worker or no
// reader slot (503).
// The statuses only API keys answer (auth.h): 401 on every route but
// /api/health, 403 on writes.
std::vector<int> AuthStatuses(RouteKind kind) {
  switch (kind) {
    case RouteKind::kHealth:
      return {};
    case RouteKind::kInsert:
    case RouteKind::kReplace:
    case RouteKind::kPatch:
    case RouteKind::kRemove:
    case RouteKind::kBatch:
    case RouteKind::kBulk:
      return {401, 403};
    default:
      return {401};
  }
}

// Writes take an Idempotency-Key, so every write may also answer 409 (the
// key's first request still in flight) and 422 (the key reused).
std::vector<int> ErrorStatuses(RouteKind kind, const TableDesc*) {
  switch (kind) {
    case RouteKind::kInsert:
    case RouteKind::kBulk:
      return {400, 406, 409, 413, 414, 415, 422, 500, 503, 507};
    case RouteKind::kReplace:
    case RouteKind::kPatch:
      return {400, 404, 406, 409, 412, 413, 414, 415, 422, 500, 503, 507};
    case RouteKind::kRemove:
      return {400, 404, 409, 412, 414, 422, 500, 503, 507};
    case RouteKind::kBatch:
      return {400, 404, 409, 413, 414, 415, 422, 500, 503, 507};
    case RouteKind::kGet:
    case RouteKind::kChildren:
      return {400, 404, 406, 414, 500, 503};
    case RouteKind::kFind:
    case RouteKind::kRange:
      return {400, 406, 414, 500, 503};
    case RouteKind::kCount:
    case RouteKind::kHealth:
    case RouteKind::kMetrics:
    case RouteKind::kOpenApi:
      return {400, 414, 500, 503};
    case RouteKind::kChanges:
    case RouteKind::kChangesStream:
      return {400, 409, 410, 414, 500, 503};
  }
  return {400, 414, 500, 503};
}

class Writer {
 public:
  Writer(const Schema& schema, std::size_t max_string_bytes,
         rapidjson::Document* doc)
      : schema_(schema), max_string_bytes_(max_string_bytes), b_(doc) {}

  void Build(rapidjson::Document* doc);

 private:
  Json Info();
  Json Tags();
  Json Paths();
  Json Components();
  Json Operation(const RouteTemplate& rt, RouteKind kind);
  Json HeadOperation(const RouteTemplate& rt);
  Json OptionsOperation(const RouteTemplate& rt);
  Json Parameters(const RouteTemplate& rt, RouteKind kind);
  Json FindParameters(const TableDesc& t);
  Json RangeParameters(const TableDesc& t, bool required);
  Json OrderParameter();
  Json Responses(const RouteTemplate& rt, RouteKind kind);
  Json RequestBody(const TableDesc& t, RouteKind kind);
  Json BatchRequestBody();
  Json BatchSchemas(Json* schemas);
  Json BatchResultsExample();
  Json Closed(std::string_view description, Json props,
              std::initializer_list<std::string_view> required);
  Json Content(std::string_view media_type, Json schema, Json example);
  // application/json with its example, and application/msgpack with the
  // same schema (the msgpack forms mirror the JSON ones).
  Json DataContent(Json schema, Json example);
  Json QueryParam(std::string_view name, std::string_view doc, Json schema,
                  bool required, std::string_view example);
  // An optional string header, e.g. If-Match.
  Json HeaderParam(std::string_view name, std::string_view doc,
                   std::string_view example);
  Json Param(std::string_view in, std::string_view name, std::string_view doc,
             Json schema, bool required, std::string_view example);
  Json HeaderRefs(std::initializer_list<std::string_view> names);
  void Describe(const RouteTemplate& rt, RouteKind kind, Json* op);

  const Schema& schema_;
  std::size_t max_string_bytes_;  // MAX_STRING_BYTES
  JsonBuilder b_;
};

void Writer::Build(rapidjson::Document* doc) {
  Json& root = doc->SetObject();
  b_.Put(root, "openapi", kOpenApiVersion);
  b_.Put(root, "info", Info());
  Json servers = b_.Array();
  Json server = b_.Object();
  b_.Put(server, "url", "/");
  b_.Put(server, "description", "The host that served this document.");
  b_.Push(servers, std::move(server));
  b_.Put(root, "servers", std::move(servers));
  // API keys are optional and off by default (API_KEYS_FILE): a bearer key,
  // an X-API-Key header, or, when keys are off, nothing ({}).
  Json security = b_.Array();
  for (std::string_view scheme : {"bearerKey", "apiKeyHeader"}) {
    Json requirement = b_.Object();
    b_.Put(requirement, scheme, b_.Array());
    b_.Push(security, std::move(requirement));
  }
  b_.Push(security, b_.Object());
  b_.Put(root, "security", std::move(security));
  b_.Put(root, "tags", Tags());
  b_.Put(root, "paths", Paths());
  b_.Put(root, "components", Components());
}

Json Writer::Info() {
  Json info = b_.Object();
  b_.Put(info, "title", "lmdb-api");
  b_.Put(info, "version", schema_.FingerprintHash());
  b_.Put(info, "description",
         "A REST API over LMDB, generated from a schema file; this document "
         "is generated from the same schema, and its version is the "
         "schema's fingerprint.\n\n"
         "Every table has two path styles: the original design's paths "
         "(/api/T/insert-record, "
         "/get-record, /update/{uuid}, /delete/{uuid}) and aliases (POST and "
         "GET /api/T, GET, PUT, PATCH and DELETE /api/T/{uuid}); they behave "
         "the same. HEAD is accepted wherever GET is and answers the same status "
         "and headers without a body. OPTIONS answers 204 with Allow on "
         "every path (and is the CORS preflight, see below). Any other "
         "method on one of these paths is 405 with an Allow header (see "
         "components/responses/Problem405); a path outside them is 404.\n\n"
         "A record's ETag is its revision in quotes, a strong validator. "
         "GET (and HEAD) of a record with If-None-Match naming it answers "
         "304 without a body. PUT, PATCH and DELETE with If-Match write only "
         "if the record is still at a listed revision, else 412; If-Match "
         "compares strongly, so a weak W/\"5\" never matches. Single-record "
         "answers are sent without content coding so that their ETag stays "
         "strong.\n\n"
         "CORS is off unless the worker's CORS_ORIGINS names origins; then "
         "answers to an allowed Origin carry Access-Control-Allow-Origin "
         "and expose ETag, Location, X-Query-Plan, Allow and "
         "WWW-Authenticate. Answers nginx makes itself (413, 429, 503 "
         "when no worker answers) carry no CORS headers.\n\n"
         "INT64 values are JSON numbers; JavaScript's Number holds integers "
         "exactly only up to 2^53-1 (9007199254740991), so a client in "
         "JavaScript loses precision beyond +-2^53-1 unless it parses "
         "numbers itself.\n\n"
         "Every data route reads application/msgpack bodies and answers "
         "in application/msgpack when Accept prefers it (RFC 9110 12.5.1 "
         "negotiation, 406 when Accept allows neither type); the msgpack "
         "forms mirror the JSON ones, dates, timestamps and uuids being "
         "strings there too. Reads take fields=a,b to answer only those "
         "fields (uuid and revision always come). POST /api/T/bulk loads "
         "many records in one transaction, all or nothing.\n\n"
         "Errors are RFC 9457 application/problem+json bodies whose \"type\" "
         "names the kind of error and whose \"field\" names the field, "
         "parameter or index at fault. Listings are pages of at most "
         "`limit` records; pass `next` as `after` for the following page. "
         "A string value (in a body or a filter) holds at most the bytes of "
         "UTF-8 its schema's x-maxBytes says; that is a count of bytes, not "
         "of characters, so it is not given as maxLength. "
         "Interactive docs: /api/docs/.");
  return info;
}

Json Writer::Tags() {
  Json tags = b_.Array();
  for (const TableDesc& t : schema_.tables) {
    Json tag = b_.Object();
    b_.Put(tag, "name", t.name);
    b_.Put(tag, "description", t.doc);
    b_.Push(tags, std::move(tag));
  }
  Json service = b_.Object();
  b_.Put(service, "name", kServiceTag);
  b_.Put(service, "description",
         "The service itself: health, metrics and this document.");
  b_.Push(tags, std::move(service));
  return tags;
}

Json Writer::Paths() {
  Json paths = b_.Object();
  for (const RouteTemplate& rt : RouteTemplates(schema_)) {
    // A table without a RANGE index has no range route (the router
    // answers 404): a route that cannot succeed is not documented.
    if (!rt.exists) continue;
    Json item = b_.Object();
    if (rt.path.find("{uuid}") != std::string::npos) {
      Json params = b_.Array();
      b_.Push(params, b_.Ref("parameters", "uuid"));
      b_.Put(item, "parameters", std::move(params));
    }
    struct M { std::string_view name, key; RouteKind kind; };
    for (const M& m : {M{"GET", "get", rt.get}, M{"POST", "post", rt.post},
                       M{"PUT", "put", rt.put},
                       M{"PATCH", "patch", rt.patch},
                       M{"DELETE", "delete", rt.del}})
      if (rt.Allows(m.name)) b_.Put(item, m.key, Operation(rt, m.kind));
    if (rt.Allows("GET")) b_.Put(item, "head", HeadOperation(rt));
    b_.Put(item, "options", OptionsOperation(rt));
    b_.Put(paths, rt.path, std::move(item));
  }
  return paths;
}

void Writer::Describe(const RouteTemplate& rt, RouteKind kind, Json* op) {
  const std::string t = rt.table != nullptr ? rt.table->name : "";
  std::string id, summary, description;
  const bool seed = rt.shape == PathShape::kInsertRecord ||
                    rt.shape == PathShape::kGetRecord ||
                    rt.shape == PathShape::kUpdate ||
                    rt.shape == PathShape::kDelete;
  switch (kind) {
    case RouteKind::kInsert:
      id = seed ? "insert-record" : "insert";
      summary = "Insert a " + t + " record";
      description = "Stores a new record; the server assigns its uuid "
                    "(UUIDv7) and revision 1 and answers with the stored "
                    "record and its Location.";
      break;
    case RouteKind::kFind:
      id = seed ? "get-record" : "find";
      summary = "Find " + t + " records by field values";
      description = "Records whose fields equal every given parameter (all "
                    "records if none), and whose <field>.prefix field "
                    "starts with its value, one page at a time, in the "
                    "order of the access path (order=desc: reversed). "
                    "X-Query-Plan says which index, link or scan answered; "
                    "X-Examined how many records were read (at most "
                    "MAX_EXAMINED: past it the page ends early, with a "
                    "next, maybe with no records).";
      break;
    case RouteKind::kRange:
      id = "range";
      summary = "Range scan of " + t + " records";
      description = "Records with from <= field <= to (either bound may be "
                    "left out; a null is never in a range) and equal to "
                    "every other field given. Through an index whose keys "
                    "are the equality fields then field (ascending by "
                    "field; order=desc: descending), else field's RANGE "
                    "index with the equality filters checked per record, "
                    "else an equality index with the range checked per "
                    "record (in that index's order). X-Query-Plan names "
                    "the index; X-Examined and MAX_EXAMINED as for "
                    "get-record.";
      break;
    case RouteKind::kGet:
      id = "get";
      summary = "Get a " + t + " record";
      description = "The record with this uuid; its ETag is its revision. "
                    "With If-None-Match naming that ETag (or *), 304 and "
                    "no body.";
      break;
    case RouteKind::kReplace:
      id = seed ? "update" : "replace";
      summary = "Replace a " + t + " record";
      description = "Replaces every field and moves the record's index "
                    "entries. With If-Match the write happens only if the "
                    "record is still at a listed revision (else 412); with a "
                    "revision in the body, only if it is still at that one "
                    "(else 409).";
      break;
    case RouteKind::kPatch:
      id = seed ? "update-patch" : "patch";
      summary = "Patch a " + t + " record";
      description = "Applies a JSON Merge Patch (RFC 7396): the fields "
                    "named in the body change, the others keep their "
                    "values, and the record's index entries and link move "
                    "in the same transaction as the record. The revision "
                    "goes up by one, even when nothing changes (an empty "
                    "patch {} too). Preconditions as for PUT: If-Match "
                    "(412) or a revision in the body (409).";
      break;
    case RouteKind::kRemove:
      id = seed ? "delete" : "remove";
      summary = "Delete a " + t + " record";
      description = "Deletes the record and, in the same transaction, every "
                    "record linked to it (cascade).";
      break;
    case RouteKind::kChildren:
      id = rt.child->name;
      summary = rt.child->name + " records of a " + t + " record";
      description = "The " + rt.child->name + " records linked to this " + t +
                    " record, in uuid (creation) order.";
      break;
    case RouteKind::kCount:
      id = "count";
      summary = "Count " + t + " records";
      description = "How many records match get-record's parameters, or "
                    "range's (with field=). X-Query-Plan says how: "
                    "\"entries\" (no filter: LMDB's own count), \"index "
                    "<name> keys\" or \"link <db> keys\" (the index "
                    "covers every condition: keys are counted, no record "
                    "is read), else the plan get-record would run, reading "
                    "records. Such a count stops after MAX_EXAMINED records "
                    "with a next: pass it as after and add the counts.";
      break;
    case RouteKind::kHealth:
      id = "health";
      summary = "Health of the worker and its LMDB environment";
      description = "200 while the environment can serve reads; 503 when "
                    "it cannot (no reader slot, failed stat).";
      break;
    case RouteKind::kMetrics:
      id = "metrics";
      summary = "Prometheus metrics";
      description = "Request counts and latency histograms per route "
                    "template, method and status, and LMDB gauges, in the "
                    "Prometheus text format 0.0.4. Counts are this worker "
                    "process's, since it started.";
      break;
    case RouteKind::kOpenApi:
      id = "openapi";
      summary = "This OpenAPI document";
      description = "Generated from the schema at start-up.";
      break;
    case RouteKind::kBatch:
      id = "batch";
      summary = "Several writes on any tables, in one transaction";
      description =
          "Runs the operations in order as one transaction: all of them "
          "happen, durably, or none does. An operation may name the uuid "
          "an earlier insert of the same batch makes as {\"$ref\": i}, "
          "as its uuid or as the value of a uuid field (a child's parent "
          "link). On success, one result per operation. On failure nothing "
          "is written, and the problem's \"operation\" is the position of "
          "the operation at fault, with the status that operation alone "
          "would get (400, 404, 409, 422). At most BATCH_MAX_OPERATIONS "
          "operations (default 1000; more: 413).";
      break;
    case RouteKind::kChanges:
      id = "changes";
      summary = "A page of the change feed";
      description =
          "Every committed write appended one change per record it touched, "
          "in the write's own transaction: changes after `after`, in "
          "sequence order, with no gaps. Continue with after=next. A "
          "sequence number already trimmed (CHANGES_RETAIN) is 410 with the "
          "oldest held; with CHANGES=off, 409.";
      break;
    case RouteKind::kChangesStream:
      id = "changes-stream";
      summary = "The change feed as Server-Sent Events";
      description =
          "One event per change (id: its seq; data: the Change object), in "
          "sequence order, then each new change as it commits; a comment "
          "line as heartbeat while idle. Without after, from the newest "
          "change on. A reconnecting client's Last-Event-ID takes "
          "precedence over after, so it resumes with every change exactly "
          "once. A client that stops reading is dropped after "
          "RESPONSE_SEND_TIMEOUT_MS and resumes the same way.";
      break;
    case RouteKind::kBulk:
      id = "bulk";
      summary = "Insert many " + t + " records in one transaction";
      description =
          "Stores every record of the body, each read as POST /api/" + t +
          " reads one, in one LMDB transaction, durable before the answer: "
          "all or nothing. The body is a JSON array of records "
          "(application/json), one record per line (application/x-ndjson), "
          "or msgpack (record maps back to back). It is read "
          "as a stream, up to BULK_MAX_BODY_BYTES (default 64 MiB). The "
          "first record that fails ends the load with nothing written: the "
          "problem's detail names it (\"index 3: ...\" or \"line 4: "
          "...\"), its \"field\" the field, and its status is the one that "
          "record alone would have had. A load larger than one LMDB "
          "transaction holds is a 413. The answer lists the new uuids in "
          "body order, or only the count with ?return=count.";
      break;
  }
  if (seed || (rt.table != nullptr && rt.shape == PathShape::kItem) ||
      rt.shape == PathShape::kCollection) {
    // Name the twin path, so a reader sees the two styles are one thing.
    const std::string base = "/api/" + t;
    std::string twin;
    if (rt.shape == PathShape::kInsertRecord) twin = "POST " + base;
    if (rt.shape == PathShape::kGetRecord) twin = "GET " + base;
    if (rt.shape == PathShape::kUpdate)
      twin = (kind == RouteKind::kPatch ? "PATCH " : "PUT ") + base +
             "/{uuid}";
    if (rt.shape == PathShape::kDelete) twin = "DELETE " + base + "/{uuid}";
    if (rt.shape == PathShape::kCollection)
      twin = kind == RouteKind::kInsert ? "POST " + base + "/insert-record"
                                        : "GET " + base + "/get-record";
    if (rt.shape == PathShape::kItem && kind == RouteKind::kReplace)
      twin = "PUT " + base + "/update/{uuid}";
    if (rt.shape == PathShape::kItem && kind == RouteKind::kPatch)
      twin = "PATCH " + base + "/update/{uuid}";
    if (rt.shape == PathShape::kItem && kind == RouteKind::kRemove)
      twin = "DELETE " + base + "/delete/{uuid}";
    if (!twin.empty()) description += " Same as " + twin + ".";
  }
  Json tags = b_.Array();
  b_.Push(tags, b_.Str(rt.table != nullptr ? t : std::string(kServiceTag)));
  b_.Put(*op, "tags", std::move(tags));
  b_.Put(*op, "summary", summary);
  b_.Put(*op, "description", description);
  b_.Put(*op, "operationId", rt.table != nullptr ? t + "." + id : id);
}

Json Writer::Operation(const RouteTemplate& rt, RouteKind kind) {
  Json op = b_.Object();
  Describe(rt, kind, &op);
  Json params = Parameters(rt, kind);
  if (!params.Empty()) b_.Put(op, "parameters", std::move(params));
  if (kind == RouteKind::kInsert || kind == RouteKind::kReplace ||
      kind == RouteKind::kPatch || kind == RouteKind::kBulk)
    b_.Put(op, "requestBody", RequestBody(*rt.table, kind));
  if (kind == RouteKind::kBatch) b_.Put(op, "requestBody", BatchRequestBody());
  b_.Put(op, "responses", Responses(rt, kind));
  // A liveness probe never needs a key (AuthExempt).
  if (kind == RouteKind::kHealth) b_.Put(op, "security", b_.Array());
  return op;
}

// GET's operation without bodies: the same parameters, statuses and
// headers (RFC 9110 9.3.2).
Json Writer::HeadOperation(const RouteTemplate& rt) {
  Json op = Operation(rt, rt.get);
  Json& id = op["operationId"];
  id = b_.Str(std::string(id.GetString()) + ".head");
  Json& summary = op["summary"];
  summary = b_.Str(std::string(summary.GetString()) + " (headers only)");
  Json& description = op["description"];
  description = b_.Str("As GET, with the same status and headers and no "
                       "body. " + std::string(description.GetString()));
  Json responses = b_.Object();
  const Json& get_responses = op["responses"];
  for (const auto& r : get_responses.GetObject()) {
    Json headless = b_.Object();
    const std::string status = r.name.GetString();
    if (r.value.HasMember("$ref")) {
      b_.Put(headless, "description",
             openapi::ProblemSummary(std::stoi(status)) +
                 " (no body: HEAD)");
      if (status == "401")
        b_.Put(headless, "headers", HeaderRefs({"WWW-Authenticate"}));
    } else {
      b_.Put(headless, "description", r.value["description"].GetString());
      if (r.value.HasMember("headers")) {
        Json headers = b_.Object();
        for (const auto& h : r.value["headers"].GetObject())
          b_.Put(headers, h.name.GetString(),
                 b_.Ref("headers", h.name.GetString()));
        b_.Put(headless, "headers", std::move(headers));
      }
    }
    b_.Put(responses, status, std::move(headless));
  }
  op["responses"] = std::move(responses);
  return op;
}

// OPTIONS on every route (RFC 9110 9.3.7), which is also the CORS
// preflight (cors.h).
Json Writer::OptionsOperation(const RouteTemplate& rt) {
  Json op = b_.Object();
  Json tags = b_.Array();
  b_.Push(tags, b_.Str(rt.table != nullptr ? rt.table->name
                                           : std::string(kServiceTag)));
  b_.Put(op, "tags", std::move(tags));
  b_.Put(op, "summary", "Methods of " + rt.path + " (and CORS preflight)");
  b_.Put(op, "description",
         "204 with Allow, the methods this path takes. With CORS on "
         "(CORS_ORIGINS) and an allowed Origin, a preflight (with "
         "Access-Control-Request-Method) also gets Access-Control-Allow-"
         "Origin, -Allow-Methods, -Allow-Headers and -Max-Age, and needs "
         "no API key.");
  std::string id = rt.table != nullptr ? rt.table->name + "." : "";
  id += rt.path.substr(rt.path.rfind('/') + 1);
  if (rt.shape == PathShape::kItem) id = rt.table->name + ".item";
  if (rt.shape == PathShape::kCollection) id = rt.table->name + ".collection";
  if (rt.shape == PathShape::kUpdate) id = rt.table->name + ".update";
  if (rt.shape == PathShape::kDelete) id = rt.table->name + ".delete";
  if (rt.shape == PathShape::kChildren)
    id = rt.table->name + "." + rt.child->name;
  b_.Put(op, "operationId", id + ".options");
  Json responses = b_.Object();
  Json ok = b_.Object();
  b_.Put(ok, "description", "The methods this path takes.");
  Json headers = HeaderRefs({"Allow"});
  for (std::string_view h :
       {"Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Vary"})
    b_.Put(headers, h, b_.Ref("headers", h));
  b_.Put(ok, "headers", std::move(headers));
  b_.Put(responses, "204", std::move(ok));
  for (int s : {400, 401, 413, 414, 429, 500, 503})
    b_.Put(responses, std::to_string(s),
           b_.Ref("responses", "Problem" + std::to_string(s)));
  b_.Put(op, "responses", std::move(responses));
  return op;
}

Json Writer::QueryParam(std::string_view name, std::string_view doc,
                        Json schema, bool required,
                        std::string_view example) {
  return Param("query", name, doc, std::move(schema), required, example);
}

Json Writer::HeaderParam(std::string_view name, std::string_view doc,
                         std::string_view example) {
  return Param("header", name, doc, b_.Typed("string"), false, example);
}

Json Writer::Param(std::string_view in, std::string_view name,
                   std::string_view doc, Json schema, bool required,
                   std::string_view example) {
  Json p = b_.Object();
  b_.Put(p, "name", name);
  b_.Put(p, "in", in);
  b_.Put(p, "description", doc);
  b_.Put(p, "required", required);
  b_.Put(p, "schema", std::move(schema));
  if (!example.empty()) b_.Put(p, "example", example);
  return p;
}

Json Writer::FindParameters(const TableDesc& t) {
  Json params = b_.Array();
  for (const FieldDesc& f : t.fields) {
    std::size_t max_bytes = f.type == FieldType::STRING
                                ? StringLimit(f, max_string_bytes_)
                                : 0;
    Json s = openapi::QueryValueSchema(b_, f.type, max_bytes);
    std::string doc = "Only records whose " + f.name + " equals this. " + f.doc;
    if (max_bytes > 0) doc += openapi::MaxBytesSentence(max_bytes);
    b_.Push(params, QueryParam(f.name, doc, std::move(s), false, ""));
  }
  // SQL's IS NULL, only where a field can be null: on any other field the
  // parameter is refused (400), so it is not offered.
  for (const FieldDesc& f : t.fields) {
    if (!f.nullable) continue;
    Json s = b_.Typed("string");
    Json values = b_.Array();
    b_.Push(values, b_.Str("null"));
    b_.Put(s, "enum", std::move(values));
    b_.Push(params,
            QueryParam(f.name + ".is",
                       "null: only records whose " + f.name +
                           " is null (not recorded). The only value "
                           "accepted; " + f.name + "=null would compare "
                           "with the text \"null\". Uses an index where " +
                           f.name + " is a key. Only nullable fields take "
                           ".is; on any other field it is refused (400).",
                       std::move(s), false, "null"));
  }
  // Prefixes only where an index walk can serve them (else 400).
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    const FieldDesc& f = t.fields[i];
    bool leads = false;
    for (const IndexDesc& index : t.indexes)
      leads = leads || index.key_fields.front() == static_cast<int>(i);
    if (f.type != FieldType::STRING || !leads) continue;
    b_.Push(params,
            QueryParam(f.name + ".prefix",
                       "Only records whose " + f.name + " starts with this "
                       "(byte-wise, case-sensitive; not empty), through an "
                       "index that has " + f.name + " as a key after any "
                       "equality-filtered fields. One prefix per query; "
                       "not with a range.",
                       b_.Typed("string"), false, ""));
  }
  return params;
}

Json Writer::OrderParameter() {
  Json s = b_.Typed("string");
  Json values = b_.Array();
  b_.Push(values, b_.Str("asc"));
  b_.Push(values, b_.Str("desc"));
  b_.Put(s, "enum", std::move(values));
  b_.Put(s, "default", "asc");
  return QueryParam("order",
                    "asc: the access path's order (X-Query-Plan); desc: "
                    "the same walked backwards. A next cursor only "
                    "continues the order it was made for (else 400).",
                    std::move(s), false, "desc");
}

Json Writer::RangeParameters(const TableDesc& t, bool required) {
  Json params = b_.Array();
  std::vector<std::string> fields;
  FieldType bound_type = FieldType::STRING;
  bool one_type = true;
  std::string example;
  for (const FieldDesc& f : t.fields) {
    if (f.type != FieldType::DATE && f.type != FieldType::TIMESTAMP &&
        f.type != FieldType::INT64)
      continue;
    if (!fields.empty() && f.type != bound_type) one_type = false;
    bound_type = f.type;
    fields.push_back(f.name);
  }
  if (fields.empty()) return params;  // count, on a table without such fields
  for (const IndexDesc& i : t.indexes)
    if (i.kind == IndexKind::RANGE && example.empty())
      example = t.fields[i.key_fields.front()].name;
  // Only tables with a RANGE index have the range route
  // (RouteTemplate::exists); count takes field too.
  Json field = b_.Typed("string");
  b_.Put(field, "enum", b_.Strings(fields));
  b_.Push(params, QueryParam("field",
                             "The DATE, TIMESTAMP or INT64 field to range "
                             "over. Served by an index with the equality "
                             "fields then this one as keys, or by its RANGE "
                             "index, or (with an equality filter on an "
                             "indexed field) checked per record; with none "
                             "of those, 400." +
                                 std::string(required ? "" :
                                 " Given, the count is of a range."),
                             std::move(field), required,
                             example.empty() ? fields.front() : example));
  // The bounds are in the chosen field's text form; when every RANGE field
  // has one type, the document can say which.
  for (std::string_view bound : {"from", "to"}) {
    Json s = b_.Object();
    std::string example;
    if (one_type) {
      s = openapi::QueryValueSchema(b_, bound_type);
      example = openapi::QueryExample(bound_type);
    } else {
      b_.Put(s, "type", "string");
    }
    std::string doc = bound == "from" ? "Lowest value included"
                                      : "Highest value included";
    doc += ", in the field's text form (DATE YYYY-MM-DD, TIMESTAMP RFC "
           "3339, INT64 digits). Absent: unbounded.";
    b_.Push(params, QueryParam(bound, doc, std::move(s), false, example));
  }
  return params;
}

Json Writer::Parameters(const RouteTemplate& rt, RouteKind kind) {
  Json params = b_.Array();
  if (kind == RouteKind::kFind || kind == RouteKind::kRange ||
      kind == RouteKind::kCount)
    params = FindParameters(*rt.table);
  if (kind == RouteKind::kRange || kind == RouteKind::kCount) {
    Json range = RangeParameters(*rt.table, kind == RouteKind::kRange);
    for (auto& p : range.GetArray()) b_.Push(params, std::move(p));
  }
  if (kind == RouteKind::kFind || kind == RouteKind::kRange)
    b_.Push(params, OrderParameter());
  if (kind == RouteKind::kCount)
    b_.Push(params, b_.Ref("parameters", "after"));
  if (kind == RouteKind::kFind || kind == RouteKind::kRange ||
      kind == RouteKind::kChildren) {
    b_.Push(params, b_.Ref("parameters", "limit"));
    b_.Push(params, b_.Ref("parameters", "after"));
  }
  if (kind == RouteKind::kFind || kind == RouteKind::kRange ||
      kind == RouteKind::kChildren || kind == RouteKind::kGet) {
    const TableDesc& listed =
        kind == RouteKind::kChildren ? *rt.child : *rt.table;
    std::vector<std::string> names;
    for (const FieldDesc& f : listed.fields) names.push_back(f.name);
    std::string example = names.front();
    if (names.size() > 1) example += "," + names[1];
    Json s = b_.Typed("string");
    b_.Put(s, "pattern", "^[^,]+(,[^,]+)*$");
    b_.Push(params,
            QueryParam(kFieldsParam,
                       "Projection: only these fields (names separated by "
                       "commas; any of " + Join(names) + "), besides uuid "
                       "and revision, which always come. The other members "
                       "are left out of each record. An unknown or repeated "
                       "name is 400.",
                       std::move(s), false, example));
  }
  if (kind == RouteKind::kInsert || kind == RouteKind::kReplace ||
      kind == RouteKind::kPatch || kind == RouteKind::kBulk ||
      kind == RouteKind::kFind || kind == RouteKind::kRange ||
      kind == RouteKind::kChildren || kind == RouteKind::kGet)
    b_.Push(params, b_.Ref("parameters", "Accept"));
  if (kind == RouteKind::kBulk) {
    Json s = b_.Typed("string");
    Json values = b_.Array();
    b_.Push(values, b_.Str("count"));
    b_.Put(s, "enum", std::move(values));
    b_.Push(params, QueryParam("return",
                               "count: answer {\"count\": N} only, "
                               "without the uuids.",
                               std::move(s), false, "count"));
  }
  if (kind == RouteKind::kReplace || kind == RouteKind::kPatch ||
      kind == RouteKind::kRemove)
    b_.Push(params, b_.Ref("parameters", "If-Match"));
  if (kind == RouteKind::kInsert || kind == RouteKind::kReplace ||
      kind == RouteKind::kPatch || kind == RouteKind::kRemove ||
      kind == RouteKind::kBatch)
    b_.Push(params, b_.Ref("parameters", "Idempotency-Key"));
  if (kind == RouteKind::kGet)
    b_.Push(params, b_.Ref("parameters", "If-None-Match"));
  if (kind == RouteKind::kChanges || kind == RouteKind::kChangesStream) {
    Json seq = b_.Typed("integer");
    b_.Put(seq, "minimum", 0);
    b_.Push(params,
            QueryParam("after",
                       kind == RouteKind::kChanges
                           ? "Changes after this sequence number (a page's "
                             "next, or a change's seq); absent: from the "
                             "oldest held."
                           : "Changes after this sequence number; absent: "
                             "from the newest on. Last-Event-ID, when sent, "
                             "takes precedence.",
                       std::move(seq), false, ""));
    if (kind == RouteKind::kChanges) {
      Json limit = b_.Typed("integer");
      b_.Put(limit, "minimum", 1);
      b_.Put(limit, "maximum", static_cast<int>(kMaxLimit));
      b_.Put(limit, "default", static_cast<int>(kDefaultLimit));
      b_.Push(params, QueryParam("limit", "Most changes in the page.",
                                 std::move(limit), false, ""));
    }
    b_.Push(params,
            QueryParam("tables",
                       "Only these tables' changes: names separated by "
                       "commas.",
                       b_.Typed("string"), false, schema_.tables[0].name));
    if (kind == RouteKind::kChangesStream)
      b_.Push(params, HeaderParam("Last-Event-ID",
                                  "The id of the last event received: the "
                                  "stream resumes after it.",
                                  "42"));
  }
  return params;
}

Json Writer::Content(std::string_view media_type, Json schema, Json example) {
  Json media = b_.Object();
  b_.Put(media, "schema", std::move(schema));
  b_.Put(media, "example", std::move(example));
  Json content = b_.Object();
  b_.Put(content, media_type, std::move(media));
  return content;
}

Json Writer::DataContent(Json schema, Json example) {
  Json content = Content(kJsonContentType, b_.Copy(schema),
                         std::move(example));
  Json msgpack = b_.Object();
  b_.Put(msgpack, "schema", std::move(schema));
  b_.Put(content, kMsgpackContentType, std::move(msgpack));
  return content;
}

Json Writer::RequestBody(const TableDesc& t, RouteKind kind) {
  Json body = b_.Object();
  if (kind == RouteKind::kBulk) {
    b_.Put(body, "description",
           "The records: a JSON array, NDJSON (one record object per line) "
           "or msgpack (record maps back to back, not an array), each "
           "record as POST /api/" + t.name + " takes it.");
    b_.Put(body, "required", true);
    Json items = b_.Object();
    b_.Put(items, "type", "array");
    b_.Put(items, "items", b_.Ref("schemas", ComponentName(t, "new")));
    Json example = b_.Array();
    b_.Push(example, openapi::RecordExample(b_, t, false));
    Json content = DataContent(std::move(items), std::move(example));
    Json ndjson = b_.Object();
    Json line = b_.Typed("string");
    b_.Put(line, "description",
           "One " + ComponentName(t, "new") + " object per line.");
    b_.Put(ndjson, "schema", std::move(line));
    b_.Put(content, kNdjsonContentType, std::move(ndjson));
    b_.Put(body, "content", std::move(content));
    return body;
  }
  if (kind == RouteKind::kPatch) {
    b_.Put(body, "description",
           "The fields to change, as a JSON Merge Patch (RFC 7396); "
           "application/json is accepted too.");
    b_.Put(body, "required", true);
    Json content = b_.Object();
    for (std::string_view media :
         {kMergePatchContentType, kJsonContentType}) {
      // One field, as a patch usually carries: the first that is not the
      // parent link.
      Json full = openapi::RecordExample(b_, t, false);
      Json example = b_.Object();
      for (const FieldDesc& f : t.fields) {
        if (f.is_parent_link) continue;
        b_.Put(example, f.name, std::move(full[f.name.c_str()]));
        break;
      }
      Json media_object = b_.Object();
      b_.Put(media_object, "schema",
             b_.Ref("schemas", ComponentName(t, "patch")));
      b_.Put(media_object, "example", std::move(example));
      b_.Put(content, media, std::move(media_object));
    }
    Json msgpack = b_.Object();
    b_.Put(msgpack, "schema", b_.Ref("schemas", ComponentName(t, "patch")));
    b_.Put(content, kMsgpackContentType, std::move(msgpack));
    b_.Put(body, "content", std::move(content));
    return body;
  }
  const bool insert = kind == RouteKind::kInsert;
  b_.Put(body, "description",
         insert ? "The new record's fields." : "Every field, replacing all.");
  b_.Put(body, "required", true);
  b_.Put(body, "content",
         DataContent(
             b_.Ref("schemas", ComponentName(t, insert ? "new" : "replace")),
             openapi::RecordExample(b_, t, false)));
  return body;
}

Json Writer::BatchRequestBody() {
  Json body = b_.Object();
  b_.Put(body, "description",
         "The operations, in the order they run.");
  b_.Put(body, "required", true);
  Json example = b_.Object();
  Json ops = b_.Array();
  const TableDesc& first = schema_.tables.front();
  Json insert = b_.Object();
  b_.Put(insert, "op", "insert");
  b_.Put(insert, "table", first.name);
  b_.Put(insert, "record", openapi::RecordExample(b_, first, false));
  b_.Push(ops, std::move(insert));
  // No child with {"$ref": 0} here: tools read any "$ref" member as a
  // reference, even in an example. The descriptions show it.
  b_.Put(example, "operations", std::move(ops));
  b_.Put(body, "content",
         Content("application/json", b_.Ref("schemas", "BatchRequest"),
                 std::move(example)));
  return body;
}

// An object schema with these properties and no others.
Json Writer::Closed(std::string_view description, Json props,
                    std::initializer_list<std::string_view> required) {
  Json s = b_.Typed("object");
  b_.Put(s, "description", description);
  Json req = b_.Array();
  for (std::string_view r : required) b_.Push(req, b_.Str(r));
  b_.Put(s, "required", std::move(req));
  b_.Put(s, "properties", std::move(props));
  b_.Put(s, "additionalProperties", false);
  return s;
}

Json Writer::BatchResultsExample() {
  const TableDesc& first = schema_.tables.front();
  Json result = b_.Object();
  b_.Put(result, "op", "insert");
  b_.Put(result, "table", first.name);
  b_.Put(result, "status", 201);
  b_.Put(result, "record", openapi::RecordExample(b_, first, true));
  Json results = b_.Array();
  b_.Push(results, std::move(result));
  Json example = b_.Object();
  b_.Put(example, "results", std::move(results));
  return example;
}

// BatchRequest, BatchOperation and BatchResults, into *schemas.
Json Writer::BatchSchemas(Json* schemas) {
  auto described = [this](Json s, std::string_view doc) {
    b_.Put(s, "description", doc);
    return s;
  };
  Json names = b_.Array();
  for (const TableDesc& t : schema_.tables) b_.Push(names, b_.Str(t.name));
  Json props = b_.Object();
  Json op = b_.Typed("string");
  b_.Put(op, "enum", b_.Strings({"insert", "replace", "patch", "delete"}));
  b_.Put(props, "op", described(std::move(op), "What the operation does, as "
                                "POST, PUT, PATCH and DELETE of one record."));
  Json table = b_.Typed("string");
  b_.Put(table, "enum", std::move(names));
  b_.Put(props, "table", described(std::move(table), "The table written."));
  // A uuid string or {"$ref": i}; kept to the keywords the project's
  // schema checker knows (no oneOf), and without a "$ref" property name,
  // which OpenAPI tools would take for a reference.
  Json uuid = b_.Object();
  b_.Put(uuid, "type", b_.Strings({"string", "object"}));
  b_.Put(props, "uuid",
         described(std::move(uuid),
                   "replace, patch, delete: the record, as a uuid string or "
                   "as {\"$ref\": i}, the uuid that operation i (an earlier "
                   "insert of this batch) makes. An insert takes none."));
  Json record = b_.Typed("object");
  b_.Put(props, "record",
         described(std::move(record),
                   "insert, replace: the record's fields, exactly as the "
                   "table's <table>_new (insert) and <table>_replace "
                   "schemas say, except that a uuid field may hold "
                   "{\"$ref\": i}."));
  Json patch = b_.Typed("object");
  b_.Put(props, "patch",
         described(std::move(patch),
                   "patch: a JSON Merge Patch, as the table's "
                   "<table>_patch schema says; a uuid field may hold "
                   "{\"$ref\": i}."));
  Json revision = b_.Typed("integer");
  b_.Put(revision, "minimum", 1);
  b_.Put(props, "revision",
         described(std::move(revision),
                   "replace, patch, delete: the revision the record must be "
                   "at, else the batch fails with 409."));
  b_.Put(*schemas, "BatchOperation",
         Closed("One write of a batch.", std::move(props),
                               {"op", "table"}));

  Json list = b_.Typed("array");
  b_.Put(list, "description",
         "At least one operation, at most BATCH_MAX_OPERATIONS (default "
         "1000; more: 413).");
  b_.Put(list, "items", b_.Ref("schemas", "BatchOperation"));
  Json request_props = b_.Object();
  b_.Put(request_props, "operations", std::move(list));
  b_.Put(*schemas, "BatchRequest",
         Closed("POST /api/batch's body.",
                               std::move(request_props), {"operations"}));

  Json result_props = b_.Object();
  Json rop = b_.Typed("string");
  b_.Put(rop, "enum", b_.Strings({"insert", "replace", "patch", "delete"}));
  b_.Put(result_props, "op", std::move(rop));
  b_.Put(result_props, "table", b_.Typed("string"));
  Json status = b_.Typed("integer");
  Json codes = b_.Array();
  for (int code : {201, 200, 204}) b_.Push(codes, Json(code));
  b_.Put(status, "enum", std::move(codes));
  b_.Put(result_props, "status",
         described(std::move(status), "What the operation's own route "
                                      "answers: 201 insert, 200 replace and "
                                      "patch, 204 delete."));
  Json stored = b_.Typed("object");
  b_.Put(result_props, "record",
         described(std::move(stored), "insert, replace, patch: the record as "
                                      "stored (the table's <table>_record "
                                      "schema)."));
  b_.Put(result_props, "uuid",
         described(openapi::QueryValueSchema(b_, FieldType::UUID),
                   "delete: the record deleted."));
  Json results = b_.Typed("array");
  b_.Put(results, "items",
         Closed("One operation's result.",
                               std::move(result_props),
                               {"op", "table", "status"}));
  Json answer_props = b_.Object();
  b_.Put(answer_props, "results", std::move(results));
  b_.Put(*schemas, "BatchResults",
         Closed("One result per operation, in order.",
                               std::move(answer_props), {"results"}));
  return Json();
}

Json Writer::HeaderRefs(std::initializer_list<std::string_view> names) {
  Json headers = b_.Object();
  for (std::string_view n : names) b_.Put(headers, n, b_.Ref("headers", n));
  return headers;
}

Json Writer::Responses(const RouteTemplate& rt, RouteKind kind) {
  Json responses = b_.Object();
  Json ok = b_.Object();
  std::string status = "200";
  const TableDesc* t = rt.table;
  switch (kind) {
    case RouteKind::kInsert:
      status = "201";
      b_.Put(ok, "description", "Stored; the body is the record as stored.");
      b_.Put(ok, "headers",
             HeaderRefs({"Location", "ETag", "Idempotent-Replayed"}));
      b_.Put(ok, "content",
             DataContent(b_.Ref("schemas", ComponentName(*t, "record")),
                         openapi::RecordExample(b_, *t, true)));
      break;
    case RouteKind::kGet:
    case RouteKind::kReplace:
    case RouteKind::kPatch:
      b_.Put(ok, "description",
             "The record (after the write, for PUT and PATCH).");
      b_.Put(ok, "headers",
             kind == RouteKind::kGet
                 ? HeaderRefs({"ETag"})
                 : HeaderRefs({"ETag", "Idempotent-Replayed"}));
      // A GET may project (fields=): its record names only uuid and
      // revision as always present.
      b_.Put(ok, "content",
             DataContent(b_.Ref("schemas",
                                ComponentName(*t, kind == RouteKind::kGet
                                                      ? "read"
                                                      : "record")),
                         openapi::RecordExample(b_, *t, true)));
      break;
    case RouteKind::kRemove:
      status = "204";
      b_.Put(ok, "description", "Deleted, with every record linked to it.");
      b_.Put(ok, "headers", HeaderRefs({"Idempotent-Replayed"}));
      break;
    case RouteKind::kFind:
    case RouteKind::kRange:
    case RouteKind::kChildren: {
      const TableDesc& listed = kind == RouteKind::kChildren ? *rt.child : *t;
      b_.Put(ok, "description", "One page of records.");
      b_.Put(ok, "headers", HeaderRefs({"X-Query-Plan", "X-Examined"}));
      b_.Put(ok, "content",
             DataContent(b_.Ref("schemas", ComponentName(listed, "page")),
                         openapi::PageExample(b_, listed)));
      break;
    }
    case RouteKind::kBulk: {
      b_.Put(ok, "description",
             "Every record stored, in one transaction; their uuids in body "
             "order (left out with ?return=count).");
      Json example = b_.Object();
      b_.Put(example, "count", 1);
      Json uuids = b_.Array();
      b_.Push(uuids, b_.Str("0190a5c4-7e2b-7c3d-8e4f-0123456789ab"));
      b_.Put(example, "uuids", std::move(uuids));
      b_.Put(ok, "content",
             DataContent(b_.Ref("schemas", "BulkResult"), std::move(example)));
      break;
    }
    case RouteKind::kCount: {
      b_.Put(ok, "description", "The count, whole or (with next) partial.");
      b_.Put(ok, "headers", HeaderRefs({"X-Query-Plan", "X-Examined"}));
      Json props = b_.Object();
      Json count = b_.Typed("integer");
      b_.Put(count, "minimum", 0);
      b_.Put(count, "description",
             "Matching records (so far, when next is not null).");
      b_.Put(props, "count", std::move(count));
      Json next = b_.Object();
      Json types = b_.Array();
      b_.Push(types, b_.Str("string"));
      b_.Push(types, b_.Str("null"));
      b_.Put(next, "type", std::move(types));
      b_.Put(next, "description",
             "Non-null when the count stopped at MAX_EXAMINED records: pass "
             "as ?after= with the same query and add the counts.");
      b_.Put(props, "next", std::move(next));
      Json s = b_.Object();
      b_.Put(s, "type", "object");
      b_.Put(s, "properties", std::move(props));
      Json required = b_.Array();
      b_.Push(required, b_.Str("count"));
      b_.Push(required, b_.Str("next"));
      b_.Put(s, "required", std::move(required));
      Json example = b_.Object();
      b_.Put(example, "count", 42);
      b_.Put(example, "next", Json());
      b_.Put(ok, "content",
             Content("application/json", std::move(s), std::move(example)));
      break;
    }
    case RouteKind::kHealth:
      b_.Put(ok, "description", "The environment answers.");
      b_.Put(ok, "content",
             Content("application/json", b_.Ref("schemas", "Health"),
                     openapi::HealthExample(b_, schema_)));
      break;
    case RouteKind::kMetrics: {
      b_.Put(ok, "description",
             "Prometheus text exposition format, version 0.0.4.");
      Json s = b_.Typed("string");
      b_.Put(ok, "content",
             Content("text/plain", std::move(s),
                     b_.Str("# TYPE lmdbapi_http_requests_total counter\n"
                            "lmdbapi_http_requests_total{route=\"/api/"
                            "health\",method=\"GET\",status=\"200\"} 1\n")));
      break;
    }
    case RouteKind::kBatch:
      b_.Put(ok, "description",
             "Every operation happened, in one transaction, durably.");
      b_.Put(ok, "headers", HeaderRefs({"Idempotent-Replayed"}));
      b_.Put(ok, "content",
             Content("application/json", b_.Ref("schemas", "BatchResults"),
                     BatchResultsExample()));
      break;
    case RouteKind::kChanges: {
      Json example = b_.Object();
      b_.Put(example, "changes", b_.Array());
      b_.Put(example, "next", 0);
      b_.Put(ok, "description", "Changes in sequence order.");
      b_.Put(ok, "content",
             Content("application/json", b_.Ref("schemas", "ChangePage"),
                     std::move(example)));
      break;
    }
    case RouteKind::kChangesStream: {
      b_.Put(ok, "description",
             "Server-Sent Events, one per change: `id: <seq>` and `data: "
             "<Change object as JSON>`; comment lines (`: heartbeat`) while "
             "idle. The response never ends on its own.");
      Json s = b_.Typed("string");
      b_.Put(ok, "content",
             Content(kEventStreamContentType, std::move(s),
                     b_.Str(": stream after 41\n\nid: 42\ndata: "
                            "{\"seq\":42,\"txn\":42,...}\n\n")));
      break;
    }
    case RouteKind::kOpenApi: {
      b_.Put(ok, "description", "The OpenAPI document.");
      Json s = b_.Object();
      b_.Put(s, "type", "object");
      Json example = b_.Object();
      b_.Put(example, "openapi", kOpenApiVersion);
      b_.Put(ok, "content", Content("application/json", std::move(s),
                                    std::move(example)));
      break;
    }
  }
  b_.Put(responses, status, std::move(ok));
  if (kind == RouteKind::kGet) {
    Json not_modified = b_.Object();
    b_.Put(not_modified, "description",
           "Not Modified: If-None-Match named the record's current ETag. "
           "No body.");
    b_.Put(not_modified, "headers", HeaderRefs({"ETag"}));
    b_.Put(responses, "304", std::move(not_modified));
  }
  std::vector<int> statuses = ErrorStatuses(kind, t);
  for (int s : AuthStatuses(kind)) statuses.push_back(s);
  // The production nginx site's rate and connection limits, on every route.
  statuses.push_back(429);
  std::sort(statuses.begin(), statuses.end());
  for (int s : statuses)
    b_.Put(responses, std::to_string(s),
           b_.Ref("responses", "Problem" + std::to_string(s)));
  return responses;
}

Json Writer::Components() {
  Json schemas = b_.Object();
  for (const TableDesc& t : schema_.tables) {
    b_.Put(schemas, ComponentName(t, "record"), openapi::RecordSchema(b_, t));
    b_.Put(schemas, ComponentName(t, "read"),
           openapi::RecordSchema(b_, t, /*projected=*/true));
    b_.Put(schemas, ComponentName(t, "new"),
           openapi::NewSchema(b_, t, max_string_bytes_));
    b_.Put(schemas, ComponentName(t, "replace"),
           openapi::ReplaceSchema(b_, t, max_string_bytes_));
    b_.Put(schemas, ComponentName(t, "patch"),
           openapi::PatchSchema(b_, t, max_string_bytes_));
    b_.Put(schemas, ComponentName(t, "page"), openapi::PageSchema(b_, t));
  }
  b_.Put(schemas, "Health", openapi::HealthSchema(b_, schema_));
  BatchSchemas(&schemas);
  b_.Put(schemas, "Change", openapi::ChangeSchema(b_, schema_));
  b_.Put(schemas, "ChangePage", openapi::ChangePageSchema(b_));
  {
    Json props = b_.Object();
    Json count = b_.Typed("integer");
    b_.Put(count, "minimum", 1);
    b_.Put(props, "count", std::move(count));
    Json uuids = b_.Object();
    b_.Put(uuids, "type", "array");
    b_.Put(uuids, "items", openapi::QueryValueSchema(b_, FieldType::UUID));
    b_.Put(props, "uuids", std::move(uuids));
    Json bulk = b_.Object();
    b_.Put(bulk, "type", "object");
    b_.Put(bulk, "description",
           "A bulk load's answer: how many records were stored and, "
           "unless ?return=count, their uuids in body order.");
    Json required = b_.Array();
    b_.Push(required, b_.Str("count"));
    b_.Put(bulk, "required", std::move(required));
    b_.Put(bulk, "properties", std::move(props));
    b_.Put(bulk, "additionalProperties", false);
    b_.Put(schemas, "BulkResult", std::move(bulk));
  }
  Json responses = b_.Object();
  for (int status : openapi::ProblemStatuses()) {
    const std::string name = "Problem" + std::to_string(status);
    b_.Put(schemas, name, openapi::ProblemSchema(b_, status));
    Json r = b_.Object();
    std::string summary = openapi::ProblemSummary(status);
    if (status == 401 || status == 403) summary += " (when API keys are on)";
    b_.Put(r, "description", summary);
    if (status == 405) b_.Put(r, "headers", HeaderRefs({"Allow"}));
    if (status == 401) b_.Put(r, "headers", HeaderRefs({"WWW-Authenticate"}));
    b_.Put(r, "content",
           Content(kProblemContentType, b_.Ref("schemas", name),
                   openapi::ProblemExample(b_, status)));
    b_.Put(responses, name, std::move(r));
  }

  Json params = b_.Object();
  Json uuid = b_.Object();
  b_.Put(uuid, "name", "uuid");
  b_.Put(uuid, "in", "path");
  b_.Put(uuid, "description", "The record's uuid (8-4-4-4-12 hex digits).");
  b_.Put(uuid, "required", true);
  b_.Put(uuid, "schema", openapi::QueryValueSchema(b_, FieldType::UUID));
  b_.Put(params, "uuid", std::move(uuid));
  Json limit_schema = b_.Object();
  b_.Put(limit_schema, "type", "integer");
  b_.Put(limit_schema, "minimum", 1);
  b_.Put(limit_schema, "maximum", static_cast<int>(kMaxLimit));
  b_.Put(limit_schema, "default", static_cast<int>(kDefaultLimit));
  b_.Put(params, "limit",
         QueryParam("limit", "Most records on one page.",
                    std::move(limit_schema), false, ""));
  b_.Put(params, "after",
         QueryParam("after",
                    "The previous page's \"next\": continue after it. Only "
                    "valid with the same query.",
                    b_.Typed("string"), false, ""));
  b_.Put(params, "If-Match",
         HeaderParam(
             "If-Match",
             "ETags as read (\"<revision>\", quotes included), separated by "
             "commas, or *. The write fails with 412 if the record is at "
             "none of them. Compared strongly (RFC 9110 8.8.3.2): a weak tag "
             "W/\"5\" never matches; a value that is not a list of ETags is "
             "400.",
             "\"1\""));
  b_.Put(params, "Idempotency-Key",
         HeaderParam(
             "Idempotency-Key",
             "Makes a retried write apply once (IETF httpapi "
             "idempotency-key draft): a quoted string (RFC 8941 sf-string) "
             "of 1 to 255 printable ASCII characters, new for each new "
             "request, e.g. a UUID. The first request's answer is stored "
             "with the write, in its transaction, for IDEMPOTENCY_TTL "
             "(default 24 h). The same key with the same method, path and "
             "body gets that answer again, with Idempotent-Replayed: true, "
             "and writes nothing; with a different request, 422; while the "
             "first is still being written, 409 (retry). A write that fails "
             "stores nothing, so its retry runs again. Not a valid "
             "sf-string, or too long: 400.",
             "\"8e03978e-40d5-43e8-bc93-6894a57f9324\""));
  b_.Put(params, "Accept",
         HeaderParam(
             "Accept",
             "application/json (the default) or application/msgpack, with "
             "q-values and wildcards (RFC 9110 12.5.1); q=0 excludes a "
             "type. A header that allows neither is 406. The msgpack forms "
             "mirror the JSON ones: dates, timestamps and uuids are strings "
             "there too. Errors are application/problem+json either way.",
             "application/msgpack"));
  b_.Put(params, "If-None-Match",
         HeaderParam(
             "If-None-Match",
             "ETags the client holds, separated by commas, or *. When one "
             "names the record's current revision (compared weakly: W/\"5\" "
             "matches \"5\"), the answer is 304 with the ETag and no body.",
             "\"1\""));

  Json headers = b_.Object();
  struct H { std::string_view name, doc; };
  for (const H& h :
       {H{"Location", "The new record's path, /api/<table>/<uuid>."},
        H{"ETag", "The record's revision in quotes, a strong validator; "
                  "send it back in If-Match to write only if nothing "
                  "changed since, or in If-None-Match to read only if it "
                  "did."},
        H{"X-Query-Plan", "How the listing ran: \"index <name>\", \"link "
                          "<links db>\", \"primary\" or \"scan\", with "
                          "\" desc\" when walked backwards; for a count "
                          "also \"entries\", \"index <name> keys\" or "
                          "\"link <db> keys\"."},
        H{"X-Examined", "Records the query read to answer (matching or "
                        "not); at most MAX_EXAMINED."},
        H{"Allow", "The methods the path accepts."},
        H{"Access-Control-Allow-Origin",
          "CORS (CORS_ORIGINS): the request's Origin, or * (only when the "
          "Origin is allowed)."},
        H{"Access-Control-Allow-Methods",
          "CORS preflight: the methods the path accepts."},
        H{"Access-Control-Allow-Headers",
          "CORS preflight: the request headers the API reads."},
        H{"Access-Control-Max-Age",
          "CORS preflight: seconds a browser may reuse this answer."},
        H{"Vary", "Accept on the data routes' answers (JSON or msgpack); "
                  "with CORS on, Origin too (and, for OPTIONS, the "
                  "Access-Control-Request-* headers)."},
        H{"WWW-Authenticate", "How to authenticate: Bearer realm=\"lmdb-api\"."},
        H{"Idempotent-Replayed",
          "true when the answer is the stored answer of an earlier request "
          "with the same Idempotency-Key (nothing was written again)."}}) {
    Json header = b_.Object();
    b_.Put(header, "description", h.doc);
    // The CORS headers come only with CORS on and an allowed Origin.
    const bool cors = h.name.starts_with("Access-Control-") || h.name == "Vary";
    b_.Put(header, "required", !cors && h.name != "Idempotent-Replayed");
    b_.Put(header, "schema", b_.Typed("string"));
    b_.Put(headers, h.name, std::move(header));
  }

  Json components = b_.Object();
  b_.Put(components, "schemas", std::move(schemas));
  b_.Put(components, "responses", std::move(responses));
  b_.Put(components, "parameters", std::move(params));
  b_.Put(components, "headers", std::move(headers));

  // Optional; off unless the worker has API_KEYS_FILE (see the top-level
  // "security"). Either scheme carries the same key.
  Json schemes = b_.Object();
  Json bearer = b_.Object();
  b_.Put(bearer, "type", "http");
  b_.Put(bearer, "scheme", "bearer");
  b_.Put(bearer, "description",
         "Authorization: Bearer <key>, when API keys are on. A read key may "
         "GET and HEAD; writes need a read-write key (else 403).");
  b_.Put(schemes, "bearerKey", std::move(bearer));
  Json api_key = b_.Object();
  b_.Put(api_key, "type", "apiKey");
  b_.Put(api_key, "in", "header");
  b_.Put(api_key, "name", "X-API-Key");
  b_.Put(api_key, "description",
         "The same key as an X-API-Key header, when API keys are on.");
  b_.Put(schemes, "apiKeyHeader", std::move(api_key));
  b_.Put(components, "securitySchemes", std::move(schemes));
  return components;
}

}  // namespace

std::string OpenApiJson(const Schema& schema, std::size_t max_string_bytes) {
  rapidjson::Document doc;
  Writer(schema, max_string_bytes, &doc).Build(&doc);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace lmdbapi::http
