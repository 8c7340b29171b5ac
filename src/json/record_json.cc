// SPDX-License-Identifier: Apache-2.0
// src/json/record_json.cc - see record_json.h.
//
// Reading uses RapidJSON's SAX Reader rather than a Document: the record is
// flat, so the handler refuses any nested value at once (no recursion, no
// DOM allocation), sees duplicate member names (a Document keeps both), and
// gets numbers as their literal text (kParseNumbersAsStringsFlag) so that
// INT64 is read exactly and 1.5 or 1e3 can be refused by name.

#include "json/record_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "json/json_output.h"
#include "json/utf8.h"
#include "lmdbapi/quote.h"

namespace lmdbapi::http {
namespace {

using rapidjson::SizeType;

constexpr unsigned kParseFlags = rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseNumbersAsStringsFlag;

std::string_view Expected(FieldType type) {
  switch (type) {
    case FieldType::STRING:    return "a string";
    case FieldType::INT64:     return "an integer";
    case FieldType::DOUBLE:    return "a number";
    case FieldType::BOOL:      return "true or false";
    case FieldType::DATE:      return "a date string \"YYYY-MM-DD\"";
    case FieldType::TIMESTAMP: return "an RFC 3339 timestamp string";
    case FieldType::UUID:      return "a uuid string";
  }
  return "a value";
}

// A number's text as the client wrote it, clipped and escaped like all
// client text in messages (lmdbapi/quote.h), but unquoted; strings and
// names are shown with Quote.
constexpr std::size_t kShownBytes = 40;
std::string Clip(std::string_view text) {
  std::string out;
  if (AppendEscaped(text, kShownBytes, &out)) out += "...";
  return out;
}

class RecordHandler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, RecordHandler> {
 public:
  // patch: the body is a merge patch (ParsePatchJson): "uuid" is refused
  // whatever `meta` says, and Finish leaves absent fields alone.
  RecordHandler(const TableDesc& table, MetaFields meta,
                std::size_t max_string_bytes, ParsedRecord* out,
                bool patch = false)
      : table_(table), meta_(meta), max_string_bytes_(max_string_bytes),
        out_(out), patch_(patch),
        seen_(table.fields.size(), false), null_(table.fields.size(), false) {
    out_->record.fields.resize(table.fields.size());
  }

  const Status& error() const { return error_; }

  // The member whose value is being read; empty outside the object.
  std::string_view current_member() const {
    if (depth_ == 0) return {};
    if (slot_ == kUuidSlot) return "uuid";
    if (slot_ == kRevisionSlot) return "revision";
    return table_.fields[slot_].name;
  }

  // SAX events. Each returns false to stop the parse, with error_ set.
  bool StartObject() {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return WrongKind("an object");
  }
  bool EndObject(SizeType) {
    depth_ = 0;
    return true;
  }
  bool StartArray() { return WrongKind("an array"); }
  bool EndArray(SizeType) { return false; }  // unreachable: arrays refused

  bool Key(const char* s, SizeType n, bool) {
    std::string_view name(s, n);
    if (name == "uuid" || name == "revision") {
      if (patch_ && name == "uuid")
        return Fail(name, "\"uuid\" cannot be patched: the path names the "
                          "record; remove it from the body");
      if (meta_ == MetaFields::kReject)
        return Fail(name, "\"" + std::string(name) +
                              "\" is assigned by the server; remove it from "
                              "the body");
      bool& seen = name == "uuid" ? seen_uuid_ : seen_revision_;
      if (seen) return Fail(name, "member \"" + std::string(name) +
                                      "\" appears twice");
      seen = true;
      slot_ = name == "uuid" ? kUuidSlot : kRevisionSlot;
      return true;
    }
    int i = table_.FieldIndex(name);
    if (i < 0) return Fail(name, UnknownFieldMessage(name));
    if (seen_[i])
      return Fail(name, "member \"" + std::string(name) + "\" appears twice");
    seen_[i] = true;
    slot_ = i;
    return true;
  }

  bool Null() {
    if (depth_ == 0) return NotAnObject("null");
    if (slot_ == kUuidSlot || slot_ == kRevisionSlot) return true;  // absent
    const FieldDesc& f = table_.fields[slot_];
    if (f.required)
      return Fail(f.name, f.name + ": is required and cannot be null");
    null_[slot_] = true;
    return true;
  }

  bool Bool(bool b) {
    if (depth_ == 0) return NotAnObject(b ? "true" : "false");
    if (slot_ < 0) return WrongKind(b ? "true" : "false");
    const FieldDesc& f = table_.fields[slot_];
    if (f.type != FieldType::BOOL) return WrongKind(b ? "true" : "false");
    out_->record.fields[slot_] = b;
    return true;
  }

  bool RawNumber(const char* s, SizeType n, bool) {
    std::string_view text(s, n);
    if (depth_ == 0) return NotAnObject("a number");
    if (slot_ == kRevisionSlot) {
      std::uint64_t v = 0;
      auto [end, ec] = std::from_chars(s, s + n, v);
      // 0 is no revision (they start at 1), and the document says int64:
      // its minimum and format.
      if (ec != std::errc() || end != s + n || v == 0 ||
          v > static_cast<std::uint64_t>(INT64_MAX))
        return Fail("revision", "revision: expected a positive integer, got " +
                                    Clip(text));
      out_->revision = v;
      return true;
    }
    if (slot_ == kUuidSlot) return WrongKind("a number");
    const FieldDesc& f = table_.fields[slot_];
    if (f.type == FieldType::INT64) {
      if (text.find_first_of(".eE") != std::string_view::npos)
        return Fail(f.name, f.name + ": expected an integer, got " +
                                Clip(text));
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(s, s + n, v);
      if (ec != std::errc() || end != s + n)
        return Fail(f.name,
                    f.name + ": " + Clip(text) +
                        " is out of range for INT64 "
                        "(-9223372036854775808..9223372036854775807)");
      out_->record.fields[slot_] = v;
      return true;
    }
    if (f.type == FieldType::DOUBLE) {
      double v = 0;
      auto [end, ec] = std::from_chars(s, s + n, v);
      if (ec != std::errc() || end != s + n || !std::isfinite(v))
        return Fail(f.name, f.name + ": " + Clip(text) +
                                " is out of range for a double");
      out_->record.fields[slot_] = v;
      return true;
    }
    return WrongKind("a number");
  }

  bool String(const char* s, SizeType n, bool) {
    std::string_view text(s, n);
    if (depth_ == 0) return NotAnObject("a string");
    if (slot_ == kRevisionSlot) return WrongKind("a string");
    if (slot_ == kUuidSlot) {
      auto u = Uuid::Parse(text);
      if (!u.ok())
        return Fail("uuid",
                    "uuid: " + Quote(text, kShownBytes) + " is not a uuid");
      out_->record.uuid = u.value();
      out_->has_uuid = true;
      return true;
    }
    const FieldDesc& f = table_.fields[slot_];
    switch (f.type) {
      case FieldType::STRING:
        // RapidJSON validates raw bytes but lets a lone low-surrogate
        // escape (\udc00) through as ill-formed UTF-8.
        if (!IsValidUtf8(text))
          return Fail(f.name, f.name +
                                  ": not valid Unicode (a lone surrogate "
                                  "escape such as \\udc00?)");
        // Bytes as stored (escapes decoded), not as sent.
        if (Status s = CheckStringBytes(f, text, max_string_bytes_); !s.ok()) {
          error_ = std::move(s);
          return false;
        }
        out_->record.fields[slot_] = std::string(text);
        return true;
      case FieldType::DATE:
      case FieldType::TIMESTAMP:
      case FieldType::UUID: {
        auto v = ParseValue(f.type, text, f.name);
        if (!v.ok()) {
          error_ = v.status();
          return false;
        }
        out_->record.fields[slot_] = std::move(v.value());
        return true;
      }
      case FieldType::INT64:
      case FieldType::DOUBLE:
      case FieldType::BOOL:
        break;
    }
    return WrongKind("a string");
  }

  // After a successful parse of a merge patch: one FieldPatch per member,
  // in field order; null (only optional fields get this far) is the
  // field's default, as if the member had been left out of an insert.
  void FinishPatch(std::vector<FieldPatch>* out) {
    for (std::size_t i = 0; i < table_.fields.size(); ++i) {
      if (!seen_[i]) continue;
      out->push_back({static_cast<int>(i),
                      null_[i] ? table_.fields[i].default_value
                               : std::move(out_->record.fields[i])});
    }
  }

  // After a successful parse: f.default_value for absent and null optional
  // fields (Null for a nullable one), an error for the first absent
  // required one.
  Status Finish() {
    for (std::size_t i = 0; i < table_.fields.size(); ++i) {
      const FieldDesc& f = table_.fields[i];
      if (seen_[i] && !null_[i]) continue;
      if (f.required)
        return Status::InvalidArgument(
            f.name, "missing required field \"" + f.name + "\"");
      out_->record.fields[i] = f.default_value;
    }
    return Status();
  }

 private:
  static constexpr int kUuidSlot = -1;
  static constexpr int kRevisionSlot = -2;

  bool Fail(std::string_view subject, std::string message) {
    error_ = Status::InvalidArgument(subject, std::move(message));
    return false;
  }

  bool NotAnObject(std::string_view got) {
    return Fail("", "the body must be a JSON object, got " + std::string(got));
  }

  // A value of the wrong JSON kind for the current member.
  bool WrongKind(std::string_view got) {
    if (depth_ == 0) return NotAnObject(got);
    if (slot_ == kUuidSlot)
      return Fail("uuid", "uuid: expected a uuid string, got " +
                              std::string(got));
    if (slot_ == kRevisionSlot)
      return Fail("revision", "revision: expected a positive integer, got " +
                                  std::string(got));
    const FieldDesc& f = table_.fields[slot_];
    return Fail(f.name, f.name + ": expected " + std::string(Expected(f.type)) +
                            ", got " + std::string(got));
  }

  std::string UnknownFieldMessage(std::string_view name) const {
    std::string msg = "unknown field " + Quote(name, kShownBytes) + "; " +
                      table_.name + " has: ";
    for (std::size_t i = 0; i < table_.fields.size(); ++i) {
      if (i > 0) msg += ", ";
      msg += table_.fields[i].name;
    }
    return msg;
  }

  const TableDesc& table_;
  MetaFields meta_;
  std::size_t max_string_bytes_;
  ParsedRecord* out_;
  bool patch_;
  Status error_;
  int depth_ = 0;
  int slot_ = 0;  // field position, or kUuidSlot / kRevisionSlot
  std::vector<bool> seen_, null_;
  bool seen_uuid_ = false, seen_revision_ = false;
};

// Writes the members after "uuid" as the record's values are visited.
class JsonFieldWriter : public FieldVisitor {
 public:
  JsonFieldWriter(const TableDesc& table, JsonWriter* w)
      : table_(table), w_(w) {}

  std::uint64_t revision() const { return revision_; }

  void Revision(std::uint64_t r) override {
    revision_ = r;
    w_->Key("revision");
    w_->Uint64(r);
  }
  void String(int f, std::string_view v) override {
    Key(f);
    w_->String(v);
  }
  void Int64(int f, std::int64_t v) override {
    Key(f);
    w_->Int64(v);
  }
  void Double(int f, double v) override {
    Key(f);
    if (std::isfinite(v)) {
      w_->Double(v);
    } else {
      // The store refuses NaN and infinities; should one be read anyway,
      // null keeps the body valid JSON.
      w_->Null();
    }
  }
  void Bool(int f, bool v) override {
    Key(f);
    w_->Bool(v);
  }
  void Date(int f, lmdbapi::Date v) override {
    Key(f);
    w_->String(FormatDate(v));
  }
  void Timestamp(int f, lmdbapi::Timestamp v) override {
    Key(f);
    w_->String(FormatTimestamp(v));
  }
  void Uuid(int f, const lmdbapi::Uuid& v) override {
    Key(f);
    char text[lmdbapi::Uuid::kTextSize];
    v.ToChars(text);
    w_->String(std::string_view(text, sizeof text));
  }
  void Null(int f) override {
    Key(f);
    w_->Null();
  }

 private:
  void Key(int f) { w_->Key(table_.fields[f].name); }

  const TableDesc& table_;
  JsonWriter* w_;
  std::uint64_t revision_ = 0;
};

// Opens the record's object with its "uuid" member.
void StartRecord(const Uuid& uuid, JsonWriter* w) {
  w->StartObject();
  w->Key("uuid");
  char text[Uuid::kTextSize];
  uuid.ToChars(text);
  w->String(std::string_view(text, sizeof text));
}

}  // namespace

Status AppendStoredRecordJson(const StoredRecord& record, std::string* out,
                              std::uint64_t* revision, const FieldMask* mask) {
  JsonWriter w(out);
  StartRecord(record.uuid(), &w);
  JsonFieldWriter fields(record.table(), &w);
  Status s;
  if (mask != nullptr && !mask->all()) {
    ProjectingVisitor projected(*mask, &fields);
    s = record.Visit(projected);
  } else {
    s = record.Visit(fields);
  }
  if (!s.ok()) return s;
  w.EndObject();
  if (revision != nullptr) *revision = fields.revision();
  return Status();
}

namespace {

// Runs the SAX parse of `json` into `handler`; the error, if any, names
// the member at fault or the byte offset.
Status ParseInto(std::string_view json, RecordHandler& handler) {
  // RapidJSON reads a NUL byte as the end of input and would ignore what
  // follows; raw NUL is never valid in JSON text, so refuse it here.
  if (const void* nul = std::memchr(json.data(), '\0', json.size())) {
    std::size_t at = static_cast<const char*>(nul) - json.data();
    return Status::InvalidArgument(
        "", "malformed JSON at offset " + std::to_string(at) +
                ": a NUL byte (control characters must be escaped)");
  }
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  rapidjson::ParseResult r = reader.Parse<kParseFlags>(stream, handler);
  if (r.IsError()) {
    if (r.Code() == rapidjson::kParseErrorTermination && !handler.error().ok())
      return handler.error();
    // RapidJSON refuses 1e400 while scanning it, before the handler sees
    // the number; name the member anyway.
    if (r.Code() == rapidjson::kParseErrorNumberTooBig &&
        !handler.current_member().empty()) {
      std::string member(handler.current_member());
      return Status::InvalidArgument(
          member, member + ": the number at offset " +
                      std::to_string(r.Offset()) +
                      " is out of range for a double");
    }
    return Status::InvalidArgument(
        "", "malformed JSON at offset " + std::to_string(r.Offset()) + ": " +
                rapidjson::GetParseError_En(r.Code()));
  }
  return Status();
}

}  // namespace

Result<ParsedRecord> ParseRecordJson(std::string_view json,
                                     const TableDesc& table,
                                     MetaFields meta,
                                     std::size_t max_string_bytes) {
  ParsedRecord parsed;
  RecordHandler handler(table, meta, max_string_bytes, &parsed);
  Status s = ParseInto(json, handler);
  if (s.ok()) s = handler.Finish();
  if (!s.ok()) return s;
  return parsed;
}

Result<ParsedPatch> ParsePatchJson(std::string_view json,
                                   const TableDesc& table,
                                   std::size_t max_string_bytes) {
  ParsedRecord parsed;
  RecordHandler handler(table, MetaFields::kAccept, max_string_bytes, &parsed,
                        /*patch=*/true);
  Status s = ParseInto(json, handler);
  if (!s.ok()) return s;
  ParsedPatch patch;
  patch.revision = parsed.revision;
  handler.FinishPatch(&patch.fields);
  return patch;
}

void AppendRecordJson(const Record& record, const TableDesc& table,
                      std::string* out) {
  JsonWriter w(out);
  StartRecord(record.uuid, &w);
  JsonFieldWriter fields(table, &w);
  fields.Revision(record.revision);
  for (std::size_t i = 0; i < table.fields.size() && i < record.fields.size();
       ++i)
    VisitValue(record.fields[i], static_cast<int>(i), &fields);
  w.EndObject();
}

}  // namespace lmdbapi::http
