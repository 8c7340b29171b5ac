// SPDX-License-Identifier: Apache-2.0
// src/http/bulk.cc - see bulk.h.

#include "http/bulk.h"

#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "json/json_output.h"
#include "json/record_json.h"
#include "http/record_msgpack.h"
#include "lmdbapi/admin.h"

namespace lmdbapi::http {
namespace {

// The same Status, its message led by which record it is about.
Status Named(const Status& s, std::string_view where) {
  std::string msg = std::string(where) + ": " + s.message();
  using C = Status::Code;
  switch (s.code()) {
    case C::kOk:               return s;
    case C::kInvalidArgument:  return Status::InvalidArgument(s.subject(), msg);
    case C::kNotFound:         return Status::NotFound(msg);
    case C::kUniqueViolation:  return Status::UniqueViolation(s.subject(), msg);
    case C::kMissingParent:    return Status::MissingParent(s.subject(), msg);
    case C::kConflict:         return Status::Conflict(msg);
    case C::kStorageFull:      return Status::StorageFull(msg);
    case C::kUnavailable:      return Status::Unavailable(msg);
    case C::kSchemaMismatch:   return Status::SchemaMismatch(msg);
    case C::kCorruption:       return Status::Corruption(msg);
    case C::kIOError:          return Status::IOError(msg);
  }
  return s;
}

// Walks the outer array. Each element's bytes, from its '{' to its '}',
// go to ParseRecordJson the moment the element closes; values inside an
// element are only counted here. RapidJSON's iterative reader (which
// needs no stack for deep nesting) calls StartObject and EndObject before
// it takes the brace, so Tell() is at '{' and at '}' (bulk_test.cc pins
// this).
class ArrayHandler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ArrayHandler> {
 public:
  ArrayHandler(std::string_view body, const rapidjson::MemoryStream& stream,
               const TableDesc& table, std::size_t max_string_bytes,
               std::vector<Record>* records, std::vector<std::string>* where)
      : body_(body), stream_(stream), table_(table),
        max_string_bytes_(max_string_bytes), records_(records),
        where_(where) {}

  const Status& error() const { return error_; }
  std::size_t index() const { return records_->size(); }

  bool StartArray() {
    if (depth_++ == 0) return true;
    if (depth_ == 2) return NotAnObject("an array");
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool StartObject() {
    if (depth_ == 0) return Fail(
        "the body must be a JSON array of records ([{...}, ...]); for one "
        "record per line send Content-Type: application/x-ndjson");
    if (depth_++ == 1) start_ = stream_.Tell();
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    if (--depth_ != 1) return true;
    std::string_view text = body_.substr(start_, stream_.Tell() + 1 - start_);
    std::string where = "index " + std::to_string(records_->size());
    auto parsed = ParseRecordJson(text, table_, MetaFields::kReject,
                                  max_string_bytes_);
    if (!parsed.ok()) {
      error_ = Named(parsed.status(), where);
      return false;
    }
    records_->push_back(std::move(parsed->record));
    where_->push_back(std::move(where));
    return true;
  }
  // Scalars and keys (numbers come as text: kParseNumbersAsStringsFlag).
  bool Default() {
    if (depth_ >= 2) return true;
    if (depth_ == 0) return Fail("the body must be a JSON array of records");
    return NotAnObject("a scalar");
  }

 private:
  bool Fail(std::string message) {
    error_ = Status::InvalidArgument("", std::move(message));
    return false;
  }
  bool NotAnObject(std::string_view got) {
    return Fail("index " + std::to_string(records_->size()) +
                ": a record must be a JSON object, got " + std::string(got));
  }

  std::string_view body_;
  const rapidjson::MemoryStream& stream_;
  const TableDesc& table_;
  std::size_t max_string_bytes_;
  std::vector<Record>* records_;
  std::vector<std::string>* where_;
  Status error_;
  int depth_ = 0;
  std::size_t start_ = 0;
};

Status ParseJsonArray(std::string_view body, const TableDesc& table,
                      std::size_t max_string_bytes,
                      std::vector<Record>* records,
                      std::vector<std::string>* where) {
  // RapidJSON reads NUL as the end of input (see record_json.cc).
  if (const void* nul = std::memchr(body.data(), '\0', body.size()))
    return Status::InvalidArgument(
        "", "malformed JSON at offset " +
                std::to_string(static_cast<const char*>(nul) - body.data()) +
                ": a NUL byte (control characters must be escaped)");
  rapidjson::MemoryStream stream(body.data(), body.size());
  ArrayHandler handler(body, stream, table, max_string_bytes, records, where);
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseIterativeFlag;
  rapidjson::ParseResult r = reader.Parse<kFlags>(stream, handler);
  if (!r.IsError()) return Status();
  if (r.Code() == rapidjson::kParseErrorTermination && !handler.error().ok())
    return handler.error();
  return Status::InvalidArgument(
      "", "malformed JSON at offset " + std::to_string(r.Offset()) +
              " (in index " + std::to_string(handler.index()) +
              "): " + rapidjson::GetParseError_En(r.Code()));
}

Status ParseNdjson(std::string_view body, const TableDesc& table,
                   std::size_t max_string_bytes, std::vector<Record>* records,
                   std::vector<std::string>* where) {
  std::size_t line_no = 0;
  while (!body.empty()) {
    std::size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view()
                                        : body.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string name = "line " + std::to_string(line_no);
    auto parsed = ParseRecordJson(line, table, MetaFields::kReject,
                                  max_string_bytes);
    if (!parsed.ok()) return Named(parsed.status(), name);
    records->push_back(std::move(parsed->record));
    where->push_back(std::move(name));
  }
  return Status();
}

Status ParseMsgpack(std::string_view body, const TableDesc& table,
                    std::size_t max_string_bytes,
                    std::vector<Record>* records,
                    std::vector<std::string>* where) {
  return ForEachMsgpackRecord(
      body, [&](std::string_view json, std::size_t index) -> Status {
        std::string name = "index " + std::to_string(index);
        auto parsed = ParseRecordJson(json, table, MetaFields::kReject,
                                      max_string_bytes);
        if (!parsed.ok()) return Named(parsed.status(), name);
        records->push_back(std::move(parsed->record));
        where->push_back(std::move(name));
        return Status();
      });
}

// MDB_TXN_FULL reaches us as kStorageFull with LMDB's own message (the
// HTTP layer never sees LMDB's codes, mdb_status.h); its name in that
// message tells it from a full map.
bool IsTxnFull(const Status& s) {
  return s.code() == Status::Code::kStorageFull &&
         s.message().find("MDB_TXN_FULL") != std::string::npos;
}

}  // namespace

Status ParseBulkBody(std::string_view body, BulkFormat format,
                     const TableDesc& table, std::size_t max_string_bytes,
                     std::vector<Record>* records,
                     std::vector<std::string>* where) {
  records->clear();
  where->clear();
  Status s;
  switch (format) {
    case BulkFormat::kJsonArray:
      s = ParseJsonArray(body, table, max_string_bytes, records, where);
      break;
    case BulkFormat::kNdjson:
      s = ParseNdjson(body, table, max_string_bytes, records, where);
      break;
    case BulkFormat::kMsgpack:
      s = ParseMsgpack(body, table, max_string_bytes, records, where);
      break;
  }
  if (!s.ok()) return s;
  if (records->empty())
    return Status::InvalidArgument(
        "", "the body holds no records; send at least one");
  return Status();
}

Status LoadBulk(Env& env, const TableDesc& table, std::vector<Record> records,
                const std::vector<std::string>& where, std::vector<Uuid>* uuids,
                bool* too_big) {
  *too_big = false;
  uuids->clear();
  uuids->reserve(records.size());
  // Its destructor discards what is not committed; all or nothing, so no
  // nested transaction per record.
  ImportBatch batch(env, /*all_or_nothing=*/true);
  for (std::size_t i = 0; i < records.size(); ++i) {
    Status s = batch.Insert(table, &records[i]);
    if (!s.ok()) {
      *too_big = IsTxnFull(s);
      return Named(s, where[i]);
    }
    uuids->push_back(records[i].uuid);
  }
  Status s = batch.Commit();
  if (!s.ok()) {
    *too_big = IsTxnFull(s);
    uuids->clear();
  }
  return s;
}

void AppendBulkResultJson(const std::vector<Uuid>& uuids, bool with_uuids,
                          std::string* out) {
  JsonWriter w(out);
  w.StartObject();
  w.Key("count");
  w.Uint64(uuids.size());
  if (with_uuids) {
    w.Key("uuids");
    w.StartArray();
    char text[Uuid::kTextSize];
    for (const Uuid& u : uuids) {
      u.ToChars(text);
      w.String(std::string_view(text, sizeof text));
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace lmdbapi::http
