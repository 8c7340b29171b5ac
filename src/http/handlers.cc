// SPDX-License-Identifier: Apache-2.0
// src/http/handlers.cc - see handlers.h.
//
// HandleRequest routes, checks what every route shares (body presence and
// type, query syntax), then calls one function per route kind. Those
// return a Status; a non-OK one becomes its problem response, so each
// handler reads as the happy path plus `if (!s.ok()) return s;`. The
// write handlers (insert, replace, remove) return once their write is
// queued, having set Deferred::submitted; the write's completion then
// fills the response the same way (EndWrite) and calls the caller's done.

#include "http/handlers.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

#include "http/base64url.h"
#include "http/batch_json.h"
#include "http/bulk.h"
#include "http/changes_json.h"
#include "http/conditional.h"
#include "http/header_text.h"
#include "http/health.h"
#include "http/idempotency_key.h"
#include "http/log.h"
#include "http/openapi.h"
#include "http/params.h"
#include "json/record_json.h"
#include "http/record_msgpack.h"
#include "http/router.h"
#include "lmdbapi/batch.h"
#include "json/utf8.h"

namespace lmdbapi::http {
namespace {

void SetStatusProblem(const Status& s, Response* resp) {
  ProblemType type = ProblemFor(s.code());
  if (type.status >= 500)
    Log(LogLevel::kError, std::string(type.slug) + ": " + s.message());
  SetProblem(type, s.message(), s.subject(), resp);
}

std::string_view ContentTypeOf(MediaType media) {
  return media == MediaType::kMsgpack ? kMsgpackContentType
                                      : kJsonContentType;
}

void SetRecord(int status, const Record& record, const TableDesc& table,
               MediaType media, Response* resp) {
  resp->status = status;
  resp->content_type = ContentTypeOf(media);
  resp->etag = ETagFor(record.revision);
  if (media == MediaType::kMsgpack)
    AppendRecordMsgpack(record, table, &resp->body);
  else
    AppendRecordJson(record, table, &resp->body);
}

// One stored record in the request's media type and projection.
Status AppendStored(const StoredRecord& record, MediaType media,
                    const FieldMask& mask, std::string* out,
                    std::uint64_t* revision = nullptr) {
  if (media == MediaType::kMsgpack)
    return AppendStoredRecordMsgpack(record, out, revision, &mask);
  return AppendStoredRecordJson(record, out, revision, &mask);
}

// What a write handler needs to answer after the commit. Lives on
// HandleRequestAsync's stack: a completion copies what it uses.
struct Deferred {
  Response* resp;
  int route_template;
  const std::function<void()>* done;
  bool submitted = false;  // the write is queued: resp is no longer ours
};

// A write's completion, on the committing thread: `fill` makes the answer
// from the outcome, a non-OK Status becomes its problem as in Answer, and
// the caller is told.
void EndWrite(Response* resp, int route_template,
              const std::function<void()>& done,
              const std::function<Status()>& fill) {
  try {
    Status s = fill();
    if (!s.ok()) {
      resp->Clear();
      SetStatusProblem(s, resp);
    }
  } catch (...) {
    Log(LogLevel::kError, "exception while answering a write");
    SetProblem(ProblemFor(HttpError::kInternal),
               "the server failed to answer; the error is logged", "", resp);
  }
  resp->route_template = route_template;  // SetProblem cleared it
  done();
}

// Writes each record of a page as the table walks it, from the stored
// bytes (see lmdbapi/record_sink.h): JSON with a comma between records,
// msgpack back to back (the array's header, which needs the count, is
// written after the walk).
class PageSink : public RecordSink {
 public:
  PageSink(MediaType media, const FieldMask& mask, std::string* out)
      : media_(media), mask_(mask), out_(out) {}
  std::size_t count() const { return count_; }
  Status Add(const StoredRecord& record) override {
    if (count_++ > 0 && media_ == MediaType::kJson) out_->push_back(',');
    return AppendStored(record, media_, mask_, out_);
  }

 private:
  MediaType media_;
  const FieldMask& mask_;
  std::string* out_;
  std::size_t count_ = 0;
};

// A page, {"records":[...],"next":...} in JSON or msgpack. `walk` runs the
// query with the sink it is given and returns the Page (records empty).
template <typename Walk>
Status SetPage(Walk&& walk, Scratch* scratch, Response* resp) {
  std::string& out = resp->body;
  if (scratch->media == MediaType::kMsgpack) {
    scratch->records.clear();
    PageSink sink(MediaType::kMsgpack, scratch->mask, &scratch->records);
    Result<Page> page = walk(&sink);
    if (!page.ok()) return page.status();
    resp->status = 200;
    resp->content_type = kMsgpackContentType;
    resp->query_plan = page->plan;
    resp->examined = static_cast<std::int64_t>(page->examined);
    AppendPageMsgpack(scratch->records, sink.count(), page->next, &out);
    return Status();
  }
  out += "{\"records\":[";
  PageSink sink(MediaType::kJson, scratch->mask, &out);
  Result<Page> page = walk(&sink);
  if (!page.ok()) return page.status();
  resp->status = 200;
  resp->content_type = kJsonContentType;
  resp->query_plan = page->plan;
  resp->examined = static_cast<std::int64_t>(page->examined);
  out += "],\"next\":";
  if (page->next) {
    out += '"';
    AppendBase64Url(*page->next, &out);  // base64url needs no JSON escaping
    out += '"';
  } else {
    out += "null";
  }
  out += '}';
  return Status();
}

// `media` (application/json, or application/merge-patch+json for PATCH),
// any case, with optional parameters; a charset, if given, must be UTF-8
// (RFC 8259 allows no other).
bool IsJsonContentType(std::string_view header,
                       std::string_view media = kJsonContentType) {
  std::size_t semi = header.find(';');
  if (!EqualsIgnoreCase(Trim(header.substr(0, semi)), media)) return false;
  while (semi != std::string_view::npos) {
    header = header.substr(semi + 1);
    semi = header.find(';');
    std::string_view param = Trim(header.substr(0, semi));
    std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!EqualsIgnoreCase(Trim(param.substr(0, eq)), "charset")) continue;
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (!EqualsIgnoreCase(value, "utf-8") && !EqualsIgnoreCase(value, "utf8"))
      return false;
  }
  return true;
}

bool IsMsgpackBody(const Request& req) {
  return HasMediaType(req.content_type, kMsgpackContentType);
}

// Whether a route answers data (records, pages, bulk results) and so
// negotiates its media type; DELETE answers none, the service routes their
// own types.
bool AnswersData(RouteKind kind) {
  switch (kind) {
    case RouteKind::kInsert:
    case RouteKind::kFind:
    case RouteKind::kGet:
    case RouteKind::kReplace:
    case RouteKind::kPatch:
    case RouteKind::kRange:
    case RouteKind::kChildren:
    case RouteKind::kBulk:
      return true;
    case RouteKind::kRemove:
    case RouteKind::kCount:  // JSON only, for now
    case RouteKind::kBatch:  // JSON only, for now
    case RouteKind::kChanges:
    case RouteKind::kChangesStream:
    case RouteKind::kHealth:
    case RouteKind::kMetrics:
    case RouteKind::kOpenApi:
      return false;
  }
  return false;
}

// The 415 for a body of a type the route does not read; "" if it reads it.
std::string UnsupportedBodyType(RouteKind kind, std::string_view type) {
  const bool patch = kind == RouteKind::kPatch;
  const bool bulk = kind == RouteKind::kBulk;
  // A batch is JSON only, for now (its operation list has no msgpack form).
  const bool batch = kind == RouteKind::kBatch;
  if (IsJsonContentType(type) ||
      (!batch && HasMediaType(type, kMsgpackContentType)) ||
      (patch && IsJsonContentType(type, kMergePatchContentType)) ||
      (bulk && HasMediaType(type, kNdjsonContentType)))
    return {};
  std::string detail = "Content-Type ";
  detail += type.empty() ? std::string("is missing")
                         : "\"" + std::string(type.substr(0, 64)) +
                               "\" is not one this route reads";
  detail += patch ? "; send application/merge-patch+json, application/json "
                    "(UTF-8) or application/msgpack"
            : bulk ? "; send application/json (an array of records), "
                     "application/x-ndjson or application/msgpack"
            : batch ? "; send application/json (UTF-8)"
                   : "; send application/json (UTF-8) or application/msgpack";
  return detail;
}

// What a write must find, from the If-Match header and the body's
// "revision". The store checks one expected revision in the write's own
// transaction; a failed check is a 412 when the revision came from
// If-Match (the request's precondition, RFC 9110 13.1.1), else a 409 (the
// body's revision is stale).
struct WriteCondition {
  std::optional<std::uint64_t> expected;
  bool from_if_match = false;
  std::string if_match;  // the header, clipped, for the 412's detail
};

// Revisions start at 1, so no record is ever at this one: an If-Match
// that names no revision of this API's form fails the store's check (or
// the record is missing: 404 comes first, RFC 9110 13.2.1).
constexpr std::uint64_t kNoRevision = 0;

Status WriteConditionOf(Env& env, const Route& route, const Request& req,
                        std::optional<std::uint64_t> from_body,
                        WriteCondition* out) {
  EntityTagList list;
  Status s = ParseEntityTags(req.if_match, "If-Match", &list);
  if (!s.ok()) return s;
  out->expected = from_body;
  if (!list.present || list.any) return Status();  // "*": the record exists
  out->from_if_match = true;
  out->if_match = std::string(Trim(req.if_match).substr(0, 64));
  std::vector<std::uint64_t> revs = StrongRevisions(list);
  if (revs.empty()) {  // weak or foreign tags only: If-Match cannot hold
    out->expected = kNoRevision;
    return Status();
  }
  if (from_body) {
    if (std::find(revs.begin(), revs.end(), *from_body) == revs.end())
      return Status::Conflict("the body's revision " +
                              std::to_string(*from_body) +
                              " is not one If-Match names (" + out->if_match +
                              "); send the same revision in both, or one");
    return Status();
  }
  if (revs.size() == 1) {
    out->expected = revs[0];
  } else {
    // Several revisions: the store checks one, so take the current one if
    // it is listed. The write's own check still guards the gap between
    // this read and the write (at worst a 412 for a record that moved on
    // to another listed revision meanwhile).
    auto current = Table(env, *route.table).Get(route.uuid);
    if (!current.ok()) return current.status();
    bool listed = std::binary_search(revs.begin(), revs.end(),
                                     current->revision);
    out->expected = listed ? current->revision : kNoRevision;
  }
  return Status();
}

// A write's failed outcome: 412 with the store's words when If-Match was
// the condition that failed; otherwise the Status, for EndWrite to map.
Status WriteFailure(const Status& s, const WriteCondition& cond,
                    Response* resp) {
  if (s.code() != Status::Code::kConflict || !cond.from_if_match) return s;
  SetProblem(ProblemFor(HttpError::kPreconditionFailed),
             "If-Match: " + cond.if_match + " matches no current ETag: " +
                 s.message(),
             "If-Match", resp);
  return Status();
}

// A batch operation's failure: its problem, with "operation".
void SetBatchProblem(const Status& s, int operation, Response* resp) {
  ProblemType type = ProblemFor(s.code());
  if (type.status >= 500)
    Log(LogLevel::kError, std::string(type.slug) + ": " + s.message());
  resp->Clear();
  resp->status = type.status;
  resp->content_type = kProblemContentType;
  AppendProblemJson(type, s.message(), s.subject(), operation, &resp->body);
}

// How a write answers: from its records once they are stored (Fill), and
// from the outcome when an operation failed (Fail: a Status for EndWrite
// to map, or OK having set *resp itself).
using Fill = std::function<void(const std::vector<Record>&, Response*)>;
using Fail = std::function<Status(const BatchOutcome&, Response*)>;

// What a keyed write's completion needs; shared by its answer (made in the
// write's transaction, to be stored with the key) and its done.
struct KeyedWrite {
  const Env* env;
  std::string key;
  Fill fill;
  Fail fail;
  Response answer;  // made in the transaction, handed out after the commit
};

// A write with an Idempotency-Key (idempotency_key.h): answered from the
// stored keys if they decide it (replay, 422), refused if the key's first
// request is still in flight here (409), else run as one batch that stores
// its answer under the key in the same transaction.
Status SubmitKeyed(Env& env, const Request& req, const Services& services,
                   std::vector<BatchOp> ops, Fill fill, Fail fail,
                   Deferred* d) {
  std::string key;
  Status s = ParseIdempotencyKey(req.idempotency_key, &key);
  if (!s.ok()) return s;
  IdempotencyKey k;
  k.digest = RequestDigest(req.method, req.path, req.query, req.body);
  k.now = static_cast<std::uint64_t>(std::time(nullptr));
  k.ttl_seconds = services.idempotency_ttl_seconds;
  auto stored = LookupIdempotencyKey(env, key, k.now);
  if (!stored.ok()) return stored.status();
  Response* resp = d->resp;
  if (stored->has_value()) {
    if (stored.value()->digest != k.digest) {
      SetProblem(ProblemFor(HttpError::kIdempotencyKeyReused),
                 "this Idempotency-Key was used for a different request "
                 "(method, path or body); send a new key for a new request",
                 "Idempotency-Key", resp);
      return Status();
    }
    if (!DecodeAnswer(stored.value()->answer, resp))
      return Status::Corruption(
          "the answer stored under this Idempotency-Key does not decode");
    return Status();
  }
  if (!KeysInFlight::Process().Claim(&env, key)) {
    SetProblem(ProblemFor(HttpError::kIdempotencyKeyInFlight),
               "a request with this Idempotency-Key is still being written; "
               "retry once it has been answered",
               "Idempotency-Key", resp);
    return Status();
  }
  auto w = std::make_shared<KeyedWrite>();
  w->env = &env;
  w->key = key;
  w->fill = std::move(fill);
  w->fail = std::move(fail);
  k.key = std::move(key);
  k.answer = [w](const std::vector<Record>& records) {
    w->answer.Clear();
    w->fill(records, &w->answer);
    return EncodeAnswer(w->answer);
  };
  // (Were RunBatchAsync to throw, std::bad_alloc, the claim would stay
  // until the process ends: the key would get 409s, never two writes.)
  RunBatchAsync(
      env, std::move(ops), std::move(k),
      [w, resp, rt = d->route_template, done = *d->done](BatchOutcome o) {
        KeysInFlight::Process().Release(w->env, w->key);
        EndWrite(resp, rt, done, [&]() -> Status {
          if (o.replayed) {
            if (!DecodeAnswer(*o.replayed, resp))
              return Status::Corruption("the answer stored under this "
                                        "Idempotency-Key does not decode");
            return Status();
          }
          if (o.key_reused) {
            SetProblem(ProblemFor(HttpError::kIdempotencyKeyReused),
                       o.status.message(), "Idempotency-Key", resp);
            return Status();
          }
          if (!o.status.ok())
            return o.failed >= 0 ? w->fail(o, resp) : o.status;
          *resp = std::move(w->answer);
          return Status();
        });
      });
  d->submitted = true;
  return Status();
}

// A one-operation keyed write (POST, PUT, PATCH, DELETE with a key).
Status SubmitKeyedOne(Env& env, const Request& req, const Services& services,
                      BatchOp op, Fill fill, const WriteCondition& cond,
                      Deferred* d) {
  std::vector<BatchOp> ops;
  op.expected_revision = cond.expected;
  ops.push_back(std::move(op));
  return SubmitKeyed(env, req, services, std::move(ops), std::move(fill),
                     [cond](const BatchOutcome& o, Response* resp) {
                       return WriteFailure(o.status, cond, resp);
                     },
                     d);
}

void SetInserted(const Record& record, const TableDesc& table,
                 MediaType media, Response* resp) {
  SetRecord(201, record, table, media, resp);
  resp->location = "/api/" + table.name + "/" + record.uuid.ToString();
}

Status HandleInsert(Env& env, const Route& route, const Request& req,
                    const Services& services, Scratch* scratch, Deferred* d) {
  Status s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  auto parsed = IsMsgpackBody(req)
                    ? ParseRecordMsgpack(req.body, *route.table,
                                         MetaFields::kReject,
                                         services.max_string_bytes)
                    : ParseRecordJson(req.body, *route.table,
                                      MetaFields::kReject,
                                      services.max_string_bytes);
  if (!parsed.ok()) return parsed.status();
  const TableDesc& table = *route.table;
  if (!req.idempotency_key.empty()) {
    BatchOp op;
    op.kind = BatchOp::Kind::kInsert;
    op.table = &table;
    op.record = std::move(parsed->record);
    return SubmitKeyedOne(
        env, req, services, std::move(op),
        [&table, media = scratch->media](const std::vector<Record>& r,
                                         Response* resp) {
          SetInserted(r[0], table, media, resp);
        },
        WriteCondition(), d);
  }
  Table(env, table).InsertAsync(
      std::move(parsed->record),
      [&table, media = scratch->media, resp = d->resp,
       rt = d->route_template, done = *d->done](Result<Record> r) {
        EndWrite(resp, rt, done, [&]() -> Status {
          if (!r.ok()) return r.status();
          SetInserted(r.value(), table, media, resp);
          return Status();
        });
      });
  d->submitted = true;  // from here on, req and resp are the completion's
  return Status();
}

// Find and range: the same query machinery, a page of records.
Status HandleSelect(Env& env, const Route& route, QueryRoute kind,
                    const Services& services, Scratch* scratch,
                    Response* resp) {
  Status s = TakeProjection(&scratch->params, *route.table, &scratch->mask);
  if (!s.ok()) return s;
  PageRequest page;
  s = ParseQueryParams(scratch->params, *route.table,
                       services.max_string_bytes, kind, &scratch->query,
                       &page);
  if (!s.ok()) return s;
  page.max_examined = services.max_examined;
  return SetPage(
      [&](RecordSink* sink) {
        page.sink = sink;
        return Table(env, *route.table).Select(scratch->query, page);
      },
      scratch, resp);
}

// {"count":N,"next":...}: next is null unless MAX_EXAMINED stopped the
// count (then pass it as after and add the counts).
Status HandleCount(Env& env, const Route& route, const Services& services,
                   Scratch* scratch, Response* resp) {
  PageRequest page;
  Status s = ParseQueryParams(scratch->params, *route.table,
                              services.max_string_bytes, QueryRoute::kCount,
                              &scratch->query, &page);
  if (!s.ok()) return s;
  page.max_examined = services.max_examined;
  auto count = Table(env, *route.table).CountWhere(scratch->query, page);
  if (!count.ok()) return count.status();
  resp->status = 200;
  resp->content_type = kJsonContentType;
  resp->query_plan = count->plan;
  resp->examined = static_cast<std::int64_t>(count->examined);
  std::string& out = resp->body;
  out += "{\"count\":";
  out += std::to_string(count->count);
  out += ",\"next\":";
  if (count->next) {
    out += '"';
    AppendBase64Url(*count->next, &out);
    out += '"';
  } else {
    out += "null";
  }
  out += '}';
  return Status();
}

Status HandleGet(Env& env, const Route& route, const Request& req,
                 Scratch* scratch, Response* resp) {
  Status s = TakeProjection(&scratch->params, *route.table, &scratch->mask);
  if (!s.ok()) return s;
  s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  EntityTagList if_none_match;
  s = ParseEntityTags(req.if_none_match, "If-None-Match", &if_none_match);
  if (!s.ok()) return s;
  // Written straight from the stored bytes.
  struct Sink : RecordSink {
    Response* resp;
    const Scratch* scratch;
    std::uint64_t revision = 0;
    Status Add(const StoredRecord& record) override {
      Status s = AppendStored(record, scratch->media, scratch->mask,
                              &resp->body, &revision);
      if (!s.ok()) return s;
      resp->status = 200;
      resp->content_type = ContentTypeOf(scratch->media);
      resp->etag = ETagFor(revision);
      return Status();
    }
  } sink;
  sink.resp = resp;
  sink.scratch = scratch;
  s = Table(env, *route.table).Get(route.uuid, sink);
  if (!s.ok()) return s;
  // RFC 9110 13.1.2: the client's copy is current; 304 keeps the ETag.
  if (if_none_match.present &&
      MatchesWeakly(if_none_match, sink.revision)) {
    resp->status = 304;
    resp->content_type = {};
    resp->body.clear();
  }
  return Status();
}

Status HandleReplace(Env& env, const Route& route, const Request& req,
                     const Services& services, Scratch* scratch, Deferred* d) {
  Status s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  auto parsed = IsMsgpackBody(req)
                    ? ParseRecordMsgpack(req.body, *route.table,
                                         MetaFields::kAccept,
                                         services.max_string_bytes)
                    : ParseRecordJson(req.body, *route.table,
                                      MetaFields::kAccept,
                                      services.max_string_bytes);
  if (!parsed.ok()) return parsed.status();
  Record& record = parsed->record;
  if (parsed->has_uuid && record.uuid != route.uuid)
    return Status::InvalidArgument(
        "uuid", "uuid: the body says " + record.uuid.ToString() +
                    " but the path says " + route.uuid.ToString() +
                    "; a record's uuid cannot change");
  record.uuid = route.uuid;
  WriteCondition cond;
  s = WriteConditionOf(env, route, req, parsed->revision, &cond);
  if (!s.ok()) return s;
  const TableDesc& table = *route.table;
  if (!req.idempotency_key.empty()) {
    BatchOp op;
    op.kind = BatchOp::Kind::kReplace;
    op.table = &table;
    op.uuid.uuid = route.uuid;
    op.record = std::move(record);
    return SubmitKeyedOne(
        env, req, services, std::move(op),
        [&table, media = scratch->media](const std::vector<Record>& r,
                                         Response* resp) {
          SetRecord(200, r[0], table, media, resp);
        },
        cond, d);
  }
  Table(env, table).ReplaceAsync(
      std::move(record), cond.expected,
      [&table, cond, media = scratch->media, resp = d->resp,
       rt = d->route_template, done = *d->done](Result<Record> r) {
        EndWrite(resp, rt, done, [&]() -> Status {
          if (!r.ok()) return WriteFailure(r.status(), cond, resp);
          SetRecord(200, r.value(), table, media, resp);
          return Status();
        });
      });
  d->submitted = true;
  return Status();
}

Status HandlePatch(Env& env, const Route& route, const Request& req,
                   const Services& services, Scratch* scratch, Deferred* d) {
  Status s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  auto parsed =
      IsMsgpackBody(req)
          ? ParsePatchMsgpack(req.body, *route.table, services.max_string_bytes)
          : ParsePatchJson(req.body, *route.table, services.max_string_bytes);
  if (!parsed.ok()) return parsed.status();
  WriteCondition cond;
  s = WriteConditionOf(env, route, req, parsed->revision, &cond);
  if (!s.ok()) return s;
  const TableDesc& table = *route.table;
  if (!req.idempotency_key.empty()) {
    BatchOp op;
    op.kind = BatchOp::Kind::kPatch;
    op.table = &table;
    op.uuid.uuid = route.uuid;
    op.patch = std::move(parsed->fields);
    return SubmitKeyedOne(
        env, req, services, std::move(op),
        [&table, media = scratch->media](const std::vector<Record>& r,
                                         Response* resp) {
          SetRecord(200, r[0], table, media, resp);
        },
        cond, d);
  }
  Table(env, table).PatchAsync(
      route.uuid, std::move(parsed->fields), cond.expected,
      [&table, cond, media = scratch->media, resp = d->resp,
       rt = d->route_template, done = *d->done](Result<Record> r) {
        EndWrite(resp, rt, done, [&]() -> Status {
          if (!r.ok()) return WriteFailure(r.status(), cond, resp);
          SetRecord(200, r.value(), table, media, resp);
          return Status();
        });
      });
  d->submitted = true;
  return Status();
}

Status HandleRemove(Env& env, const Route& route, const Request& req,
                    const Services& services, Scratch* scratch, Deferred* d) {
  Status s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  WriteCondition cond;
  s = WriteConditionOf(env, route, req, std::nullopt, &cond);
  if (!s.ok()) return s;
  if (!req.idempotency_key.empty()) {
    BatchOp op;
    op.kind = BatchOp::Kind::kRemove;
    op.table = route.table;
    op.uuid.uuid = route.uuid;
    return SubmitKeyedOne(
        env, req, services, std::move(op),
        [](const std::vector<Record>&, Response* resp) { resp->status = 204; },
        cond, d);
  }
  Table(env, *route.table).RemoveAsync(
      route.uuid, cond.expected,
      [cond, resp = d->resp, rt = d->route_template,
       done = *d->done](Status s) {
        EndWrite(resp, rt, done, [&]() -> Status {
          if (!s.ok()) return WriteFailure(s, cond, resp);
          resp->status = 204;
          return Status();
        });
      });
  d->submitted = true;
  return Status();
}

Status HandleChildren(Env& env, const Route& route, const Request&,
                      Scratch* scratch, Response* resp) {
  Status s = TakeProjection(&scratch->params, *route.child, &scratch->mask);
  if (!s.ok()) return s;
  PageRequest page;
  s = ParsePageParams(scratch->params, &page);
  if (!s.ok()) return s;
  return SetPage(
      [&](RecordSink* sink) {
        page.sink = sink;
        return Table(env, *route.table).Children(route.uuid, *route.child, page);
      },
      scratch, resp);
}

// ?return=count: the compact answer; nothing else is taken.
Status ParseBulkParams(const std::vector<QueryParam>& params,
                       bool* with_uuids) {
  *with_uuids = true;
  for (const QueryParam& p : params) {
    if (p.name != "return")
      return Status::InvalidArgument(
          p.name, "unknown query parameter " + QuoteForMessage(p.name) +
                      "; bulk takes return=count");
    if (p.value != "count" || !*with_uuids)
      return Status::InvalidArgument(
          "return", "return: " + QuoteForMessage(p.value) +
                        " is not accepted; return=count leaves out the "
                        "uuids (given once)");
    *with_uuids = false;
  }
  return Status();
}

Status HandleBulk(Env& env, const Route& route, const Request& req,
                  const Services& services, Scratch* scratch,
                  Response* resp) {
  bool with_uuids = true;
  Status s = ParseBulkParams(scratch->params, &with_uuids);
  if (!s.ok()) return s;
  BulkFormat format = HasMediaType(req.content_type, kNdjsonContentType)
                          ? BulkFormat::kNdjson
                      : IsMsgpackBody(req) ? BulkFormat::kMsgpack
                                           : BulkFormat::kJsonArray;
  std::vector<Record> records;
  std::vector<std::string> where;
  s = ParseBulkBody(req.body, format, *route.table, services.max_string_bytes,
                    &records, &where);
  if (!s.ok()) return s;
  std::vector<Uuid> uuids;
  bool too_big = false;
  s = LoadBulk(env, *route.table, std::move(records), where, &uuids,
               &too_big);
  if (too_big) {
    SetProblem(ProblemFor(HttpError::kBodyTooLarge),
               "the load is more than one LMDB transaction holds; nothing "
               "was written: send it in smaller bodies (" +
                   s.message() + ")",
               "", resp);
    return Status();
  }
  if (!s.ok()) return s;
  resp->status = 200;
  resp->content_type = ContentTypeOf(scratch->media);
  if (scratch->media == MediaType::kMsgpack)
    AppendBulkResultMsgpack(uuids, with_uuids, &resp->body);
  else
    AppendBulkResultJson(uuids, with_uuids, &resp->body);
  return Status();
}

Status HandleHealth(Env& env, const Request& req, Scratch* scratch,
                    Response* resp) {
  Status s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  s = AppendHealthJson(env, !req.keyless, &resp->body);
  if (!s.ok()) return s;
  resp->content_type = kJsonContentType;
  return Status();
}

Status HandleMetrics(Env& env, const Services& services, Scratch* scratch,
                     Response* resp) {
  Status s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  if (services.metrics != nullptr)
    services.metrics->Render(env, &resp->body);
  else
    AppendLmdbMetrics(env, &resp->body);
  resp->content_type = kMetricsContentType;
  return Status();
}

Status HandleOpenApi(Env& env, const Services& services, Scratch* scratch,
                     Response* resp) {
  Status s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  if (services.openapi_json.empty())
    resp->body = OpenApiJson(env.schema(), services.max_string_bytes);
  else
    resp->body = services.openapi_json;
  resp->content_type = kJsonContentType;
  return Status();
}

// POST /api/batch once its body is parsed (batch_json.h; another encoding
// hands over the same operation list): one write of every operation, with
// or without an Idempotency-Key.
Status SubmitBatch(Env& env, const Request& req, const Services& services,
                   std::vector<BatchOp> ops, Deferred* d) {
  // What the answer needs of each operation: its kind and table.
  auto summary = std::make_shared<std::vector<BatchOp>>(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    (*summary)[i].kind = ops[i].kind;
    (*summary)[i].table = ops[i].table;
  }
  Fill fill = [summary](const std::vector<Record>& records, Response* resp) {
    resp->status = 200;
    resp->content_type = kJsonContentType;
    AppendBatchResultsJson(*summary, records, &resp->body);
  };
  Fail fail = [](const BatchOutcome& o, Response* resp) {
    SetBatchProblem(o.status, o.failed, resp);
    return Status();
  };
  if (!req.idempotency_key.empty())
    return SubmitKeyed(env, req, services, std::move(ops), std::move(fill),
                       std::move(fail), d);
  RunBatchAsync(env, std::move(ops), std::nullopt,
                [fill, fail, resp = d->resp, rt = d->route_template,
                 done = *d->done](BatchOutcome o) {
                  EndWrite(resp, rt, done, [&]() -> Status {
                    if (!o.status.ok())
                      return o.failed >= 0 ? fail(o, resp) : o.status;
                    fill(o.records, resp);
                    return Status();
                  });
                });
  d->submitted = true;
  return Status();
}

Status HandleBatch(Env& env, const Request& req, const Services& services,
                   Scratch* scratch, Deferred* d) {
  Status s = ParseNoParams(scratch->params);
  if (!s.ok()) return s;
  ParsedBatch parsed = ParseBatchJson(req.body, env.schema(),
                                      services.max_string_bytes,
                                      services.batch_max_operations);
  if (parsed.too_many) {
    SetProblem(ProblemFor(HttpError::kTooManyOperations),
               parsed.status.message(), "operations", d->resp);
    return Status();
  }
  if (!parsed.status.ok()) {
    if (parsed.operation < 0) return parsed.status;
    SetBatchProblem(parsed.status, parsed.operation, d->resp);
    return Status();
  }
  return SubmitBatch(env, req, services, std::move(parsed.ops), d);
}

// The feed routes, when CHANGES=off: a client error that says so, not a
// 404 (the route exists) nor a 5xx (nothing failed).
Status CheckFeedOn(Env& env, Response* resp) {
  if (env.options().changes) return Status();
  SetProblem(ProblemFor(HttpError::kChangesOff),
             "the change feed is off on this server (CHANGES=off); ask its "
             "operator to turn it on",
             "", resp);
  return Status();
}

// A 410 naming the oldest change held, from ReadChanges' kNotFound.
void SetTrimmed(const Status& s, std::uint64_t oldest, Response* resp) {
  SetProblem(ProblemFor(HttpError::kChangesTrimmed), s.message(), "after",
             resp);
  AddOldestMember(oldest, &resp->body);
}

class ChangePageSink : public ChangeSink {
 public:
  explicit ChangePageSink(std::string* out) : out_(out) {}
  Status Add(const Change& c) override {
    if (!first_) *out_ += ',';
    first_ = false;
    return AppendChangeJson(c, out_);
  }

 private:
  std::string* out_;
  bool first_ = true;
};

Status HandleChanges(Env& env, const Request&, Scratch* scratch,
                     Response* resp) {
  Status s = CheckFeedOn(env, resp);
  if (!s.ok() || resp->status != 200) return s;
  ChangesRequest request;
  bool has_after;
  s = ParseChangesParams(scratch->params, env.schema(), false, &request,
                         &has_after);
  if (!s.ok()) return s;
  resp->body = "{\"changes\":[";
  ChangePageSink sink(&resp->body);
  std::uint64_t oldest = 0;
  Result<ChangesPage> page = ReadChanges(env, request, sink, &oldest);
  if (!page.ok() && oldest != 0) {
    SetTrimmed(page.status(), oldest, resp);
    return Status();
  }
  if (!page.ok()) return page.status();
  resp->body += "],\"next\":";
  resp->body += std::to_string(page->next);
  resp->body += '}';
  resp->content_type = kJsonContentType;
  return Status();
}

Status HandleChangesStream(Env& env, const Request& req, Scratch* scratch,
                           Response* resp) {
  Status s = CheckFeedOn(env, resp);
  if (!s.ok() || resp->status != 200) return s;
  ChangesRequest request;
  bool has_after;
  s = ParseChangesParams(scratch->params, env.schema(), true, &request,
                         &has_after);
  if (!s.ok()) return s;
  // A reconnecting EventSource sends the URL it first used and the id of
  // the last event it got: the header says where it really is.
  if (!req.last_event_id.empty()) {
    std::string_view v = req.last_event_id;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(),
                                     request.after);
    if (ec != std::errc() || end != v.data() + v.size())
      return Status::InvalidArgument(
          "Last-Event-ID", "Last-Event-ID: " + QuoteForMessage(v, 40) +
                               " is not a sequence number (an event's id)");
    has_after = true;
  }
  Result<ChangeBounds> bounds = GetChangeBounds(env);
  if (!bounds.ok()) return bounds.status();
  if (!has_after) {
    request.after = bounds->newest;  // from now on
  } else if (bounds->oldest != 0 && request.after + 1 < bounds->oldest) {
    SetTrimmed(Status::NotFound(
                   "changes after " + std::to_string(request.after) +
                   " were trimmed; the oldest held is " +
                   std::to_string(bounds->oldest) + " (start from after=" +
                   std::to_string(bounds->oldest - 1) + ", or from a backup)"),
               bounds->oldest, resp);
    return Status();
  }
  resp->content_type = kEventStreamContentType;
  resp->stream = std::move(request);
  return Status();
}

Status Dispatch(Env& env, const Route& route, const Request& req,
                const Services& services, Scratch* scratch, Response* resp,
                Deferred* d) {
  switch (route.kind) {
    case RouteKind::kInsert:
      return HandleInsert(env, route, req, services, scratch, d);
    case RouteKind::kFind:
      return HandleSelect(env, route, QueryRoute::kFind, services, scratch,
                          resp);
    case RouteKind::kGet:      return HandleGet(env, route, req, scratch, resp);
    case RouteKind::kReplace:
      return HandleReplace(env, route, req, services, scratch, d);
    case RouteKind::kPatch:
      return HandlePatch(env, route, req, services, scratch, d);
    case RouteKind::kRemove:
      return HandleRemove(env, route, req, services, scratch, d);
    case RouteKind::kBatch:
      return HandleBatch(env, req, services, scratch, d);
    case RouteKind::kRange:
      return HandleSelect(env, route, QueryRoute::kRange, services, scratch,
                          resp);
    case RouteKind::kCount:    return HandleCount(env, route, services, scratch, resp);
    case RouteKind::kChildren: return HandleChildren(env, route, req, scratch, resp);
    case RouteKind::kBulk:
      return HandleBulk(env, route, req, services, scratch, resp);
    case RouteKind::kHealth:   return HandleHealth(env, req, scratch, resp);
    case RouteKind::kMetrics:  return HandleMetrics(env, services, scratch, resp);
    case RouteKind::kOpenApi:  return HandleOpenApi(env, services, scratch, resp);
    case RouteKind::kChanges:  return HandleChanges(env, req, scratch, resp);
    case RouteKind::kChangesStream:
      return HandleChangesStream(env, req, scratch, resp);
  }
  return Status::InvalidArgument("", "unknown route kind");
}

void Answer(Env& env, const Request& req, const RouteMatch& m,
            const Services& services, Response* resp, Scratch* scratch,
            Deferred* d) {
  if (m.outcome == RouteMatch::Outcome::kNoRoute) {
    SetProblem(ProblemFor(HttpError::kNoRoute), m.detail, "", resp);
    return;
  }
  if (m.outcome == RouteMatch::Outcome::kMethodNotAllowed) {
    // OPTIONS works on every route (RFC 9110 9.3.7): it says what the
    // path allows, and is how a browser asks before a cross-origin call
    // (the CORS headers are added as the answer is written, cors.h).
    std::string allow(m.allow);
    allow += ", OPTIONS";
    if (req.method == "OPTIONS") {
      resp->status = 204;
      resp->allow = std::move(allow);
      return;
    }
    std::string detail(req.method.substr(0, 32));
    detail += " is not allowed here; allowed: ";
    detail += allow;
    SetProblem(ProblemFor(HttpError::kMethodNotAllowed), detail, "", resp);
    resp->allow = std::move(allow);
    return;
  }
  if (m.outcome == RouteMatch::Outcome::kBadUuid) {
    SetProblem(ProblemFor(Status::Code::kInvalidArgument), m.detail, "uuid",
               resp);
    return;
  }
  const Route& route = m.route;
  scratch->media = MediaType::kJson;
  scratch->mask.keep.clear();
  if (route.kind == RouteKind::kInsert || route.kind == RouteKind::kReplace ||
      route.kind == RouteKind::kPatch || route.kind == RouteKind::kBatch ||
      route.kind == RouteKind::kBulk) {
    if (req.body.empty()) {
      SetProblem(ProblemFor(HttpError::kMissingBody),
                 route.kind == RouteKind::kBulk
                     ? "this route needs a body: a JSON array of records "
                       "(application/json), NDJSON (application/x-ndjson) "
                       "or msgpack (application/msgpack)"
                     : "this route needs a JSON object body (Content-Type: "
                       "application/json) or a msgpack map "
                       "(application/msgpack)",
                 "", resp);
      return;
    }
    std::string detail = UnsupportedBodyType(route.kind, req.content_type);
    if (!detail.empty()) {
      SetProblem(ProblemFor(HttpError::kUnsupportedMediaType), detail, "",
                 resp);
      return;
    }
  }
  if (AnswersData(route.kind)) {
    std::optional<MediaType> media = NegotiateMediaType(req.accept);
    if (!media) {
      SetProblem(ProblemFor(HttpError::kNotAcceptable),
                 "Accept: " + QuoteForMessage(req.accept, 120) +
                     " allows neither type this route answers in; accept "
                     "application/json or application/msgpack",
                 "Accept", resp);
      resp->vary_accept = true;
      return;
    }
    scratch->media = *media;
    resp->vary_accept = true;
  }
  Status s = ParseQuery(req.query, &scratch->params);
  if (s.ok()) s = Dispatch(env, route, req, services, scratch, resp, d);
  if (d->submitted) return;
  if (!s.ok()) {
    resp->Clear();
    SetStatusProblem(s, resp);
  }
}

}  // namespace

void Response::Clear() {
  status = 200;
  content_type = {};
  location.clear();
  etag.clear();
  allow.clear();
  www_authenticate = {};
  query_plan.clear();
  idempotent_replayed = false;
  replayed_content_type.clear();
  examined = -1;
  vary_accept = false;
  body.clear();
  route_template = -1;
  stream.reset();
}

void SetProblem(const ProblemType& type, std::string_view detail,
                std::string_view field, Response* resp) {
  resp->Clear();
  resp->status = type.status;
  resp->content_type = kProblemContentType;
  AppendProblemJson(type, detail, field, &resp->body);
}

void HandleRequestAsync(Env& env, const Request& req, Response* resp,
                        Scratch* scratch, const Services& services,
                        std::function<void()> done) {
  resp->Clear();
  Deferred d{resp, -1, &done};
  try {
    RouteMatch m = MatchRoute(env.schema(), req.method, req.path);
    d.route_template = m.template_index;
    Answer(env, req, m, services, resp, scratch, &d);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, std::string("exception while answering ") +
                              std::string(req.method.substr(0, 16)) + " " +
                              std::string(req.path.substr(0, 200)) + ": " +
                              e.what());
    SetProblem(ProblemFor(HttpError::kInternal),
               "the server failed to answer; the error is logged", "", resp);
  } catch (...) {
    Log(LogLevel::kError, "unknown exception while answering " +
                              std::string(req.method.substr(0, 16)) + " " +
                              std::string(req.path.substr(0, 200)));
    SetProblem(ProblemFor(HttpError::kInternal),
               "the server failed to answer; the error is logged", "", resp);
  }
  // Nothing throws once a write is queued (its handler returns at once),
  // so a caught exception always means this thread still owns resp.
  if (d.submitted) return;
  resp->route_template = d.route_template;  // SetProblem cleared it
  done();
}

void HandleRequest(Env& env, const Request& req, Response* resp,
                   Scratch* scratch, const Services& services) {
  struct Wait {
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
  } wait;
  HandleRequestAsync(env, req, resp, scratch, services, [w = &wait] {
    std::lock_guard<std::mutex> lock(w->mu);
    w->finished = true;
    // Under the lock: once finished is seen, wait (and cv) may be gone.
    w->cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(wait.mu);
  wait.cv.wait(lock, [&] { return wait.finished; });
}

}  // namespace lmdbapi::http
