// SPDX-License-Identifier: Apache-2.0
// src/http/record_msgpack.cc - see record_msgpack.h.
//
// Writing goes through msgpack::packer into the response string. Reading
// unpacks with msgpack::unpack and hands each member to the JSON reader in
// its JSON text (MsgpackRecordToJson): one set of validation rules and
// error messages for both formats, at the cost of writing a record's
// members once more, which is small next to the write it precedes.

#include "http/record_msgpack.h"

#include <cmath>
#include <exception>

#include <msgpack.hpp>

#include "http/base64url.h"
#include "json/json_output.h"
#include "json/utf8.h"

namespace lmdbapi::http {
namespace {

// What msgpack::packer writes to: the end of a std::string.
struct StringOut {
  std::string* s;
  void write(const char* p, std::size_t n) { s->append(p, n); }
};
using Packer = msgpack::packer<StringOut>;

void PackStr(std::string_view s, Packer* pk) {
  pk->pack_str(static_cast<std::uint32_t>(s.size()));
  pk->pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

void PackUuid(const Uuid& u, Packer* pk) {
  char text[Uuid::kTextSize];
  u.ToChars(text);
  PackStr(std::string_view(text, sizeof text), pk);
}

// Writes the members after "uuid" as the record's values are visited.
class MsgpackFieldWriter : public FieldVisitor {
 public:
  MsgpackFieldWriter(const TableDesc& table, Packer* pk)
      : table_(table), pk_(pk) {}

  std::uint64_t revision() const { return revision_; }

  void Revision(std::uint64_t r) override {
    revision_ = r;
    PackStr("revision", pk_);
    pk_->pack_uint64(r);
  }
  void String(int f, std::string_view v) override {
    Key(f);
    PackStr(v, pk_);
  }
  void Int64(int f, std::int64_t v) override {
    Key(f);
    pk_->pack_int64(v);
  }
  void Double(int f, double v) override {
    Key(f);
    // As in JSON: the store refuses NaN and infinities; should one be
    // read anyway, nil.
    if (std::isfinite(v))
      pk_->pack_double(v);
    else
      pk_->pack_nil();
  }
  void Bool(int f, bool v) override {
    Key(f);
    if (v)
      pk_->pack_true();
    else
      pk_->pack_false();
  }
  void Date(int f, lmdbapi::Date v) override {
    Key(f);
    PackStr(FormatDate(v), pk_);
  }
  void Timestamp(int f, lmdbapi::Timestamp v) override {
    Key(f);
    PackStr(FormatTimestamp(v), pk_);
  }
  void Uuid(int f, const lmdbapi::Uuid& v) override {
    Key(f);
    PackUuid(v, pk_);
  }
  void Null(int f) override {
    Key(f);
    pk_->pack_nil();
  }

 private:
  void Key(int f) { PackStr(table_.fields[f].name, pk_); }

  const TableDesc& table_;
  Packer* pk_;
  std::uint64_t revision_ = 0;
};

void StartRecord(const Uuid& uuid, std::size_t fields, Packer* pk) {
  pk->pack_map(static_cast<std::uint32_t>(2 + fields));
  PackStr("uuid", pk);
  PackUuid(uuid, pk);
}

// msgpack's type, in a message.
std::string_view KindOf(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:              return "nil";
    case msgpack::type::BOOLEAN:          return "a boolean";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER: return "an integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:          return "a float";
    case msgpack::type::STR:              return "a string";
    case msgpack::type::BIN:              return "msgpack bin";
    case msgpack::type::ARRAY:            return "an array";
    case msgpack::type::MAP:              return "a map";
    case msgpack::type::EXT:              return "msgpack ext";
  }
  return "an unknown msgpack type";
}

// One member's value in JSON; member names the member for an error.
Status ValueToJson(const msgpack::object& v, std::string_view member,
                   JsonWriter* w) {
  switch (v.type) {
    case msgpack::type::NIL:
      w->Null();
      return Status();
    case msgpack::type::BOOLEAN:
      w->Bool(v.via.boolean);
      return Status();
    case msgpack::type::POSITIVE_INTEGER:
      w->Uint64(v.via.u64);
      return Status();
    case msgpack::type::NEGATIVE_INTEGER:
      w->Int64(v.via.i64);
      return Status();
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      if (!std::isfinite(v.via.f64))
        return Status::InvalidArgument(
            member, std::string(member) +
                        ": NaN and infinities are not numbers a record holds");
      w->Double(v.via.f64);
      return Status();
    case msgpack::type::STR: {
      std::string_view s(v.via.str.ptr, v.via.str.size);
      if (!IsValidUtf8(s))
        return Status::InvalidArgument(
            member, std::string(member) + ": the string is not valid UTF-8");
      w->String(s);
      return Status();
    }
    // Never unpacked inside a record (kLimit: depth 1); were one here,
    // the JSON reader would refuse it by the member's name and type.
    case msgpack::type::ARRAY:
      w->StartArray();
      w->EndArray();
      return Status();
    case msgpack::type::MAP:
      w->StartObject();
      w->EndObject();
      return Status();
    case msgpack::type::BIN:
    case msgpack::type::EXT:
      break;
  }
  return Status::InvalidArgument(
      member, std::string(member) + ": " + std::string(KindOf(v)) +
                  " has no JSON form; send values as JSON has them (uuids, "
                  "dates and timestamps as strings)");
}

Status ObjectToJson(const msgpack::object& o, std::string* json) {
  if (o.type != msgpack::type::MAP)
    return Status::InvalidArgument(
        "", "the body must be a msgpack map, got " + std::string(KindOf(o)));
  JsonWriter w(json);
  w.StartObject();
  for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
    const msgpack::object_kv& kv = o.via.map.ptr[i];
    if (kv.key.type != msgpack::type::STR)
      return Status::InvalidArgument(
          "", "a map key must be a string (a field's name), got " +
                  std::string(KindOf(kv.key)));
    std::string_view name(kv.key.via.str.ptr, kv.key.via.str.size);
    if (!IsValidUtf8(name))
      return Status::InvalidArgument(
          "", "a map key is not valid UTF-8: " + QuoteForMessage(name));
    w.Key(name);
    Status s = ValueToJson(kv.val, name, &w);
    if (!s.ok()) return s;
  }
  w.EndObject();
  return Status();
}

// msgpack-c allocates room for a map's or array's declared count before
// it reads one element, so a five-byte header could ask for gigabytes
// (record_msgpack_fuzz found it). A record is one map of scalars: no
// array at all, no container inside the map (depth 1), and at most
// kMaxMembers members, which bounds that allocation to 128 KiB a value.
// Strings are read only once all their bytes are there.
constexpr std::uint32_t kMaxMembers = 4096;
const msgpack::unpack_limit kLimit(/*array=*/0, kMaxMembers, 0xffffffff,
                                   0xffffffff, 0xffffffff, /*depth=*/1);

// Unpacks the value at *off; a syntax error as Status.
Status Unpack(std::string_view bytes, std::size_t* off,
              msgpack::object_handle* out) {
  try {
    *out = msgpack::unpack(bytes.data(), bytes.size(), *off, nullptr, nullptr,
                           kLimit);
    return Status();
  } catch (const std::exception& e) {
    return Status::InvalidArgument(
        "", "malformed msgpack at offset " + std::to_string(*off) + ": " +
                e.what() +
                " (a record is one map of at most " +
                std::to_string(kMaxMembers) +
                " members whose values are nil, bool, int, float or str)");
  }
}

}  // namespace

Status AppendStoredRecordMsgpack(const StoredRecord& record, std::string* out,
                                 std::uint64_t* revision,
                                 const FieldMask* mask) {
  StringOut sink{out};
  Packer pk(sink);
  const std::size_t n = record.table().fields.size();
  StartRecord(record.uuid(), mask != nullptr ? mask->Count(n) : n, &pk);
  MsgpackFieldWriter fields(record.table(), &pk);
  Status s;
  if (mask != nullptr && !mask->all()) {
    ProjectingVisitor projected(*mask, &fields);
    s = record.Visit(projected);
  } else {
    s = record.Visit(fields);
  }
  if (!s.ok()) return s;
  if (revision != nullptr) *revision = fields.revision();
  return Status();
}

void AppendRecordMsgpack(const Record& record, const TableDesc& table,
                         std::string* out) {
  StringOut sink{out};
  Packer pk(sink);
  const std::size_t n = std::min(table.fields.size(), record.fields.size());
  StartRecord(record.uuid, n, &pk);
  MsgpackFieldWriter fields(table, &pk);
  fields.Revision(record.revision);
  for (std::size_t i = 0; i < n; ++i)
    VisitValue(record.fields[i], static_cast<int>(i), &fields);
}

void AppendPageMsgpack(std::string_view records, std::size_t count,
                       const std::optional<std::string>& next,
                       std::string* out) {
  StringOut sink{out};
  Packer pk(sink);
  pk.pack_map(2);
  PackStr("records", &pk);
  pk.pack_array(static_cast<std::uint32_t>(count));
  out->append(records);
  PackStr("next", &pk);
  if (next) {
    std::string text;
    AppendBase64Url(*next, &text);
    PackStr(text, &pk);
  } else {
    pk.pack_nil();
  }
}

void AppendCountMsgpack(std::uint64_t n, std::string* out) {
  StringOut sink{out};
  Packer pk(sink);
  pk.pack_map(1);
  PackStr("count", &pk);
  pk.pack_uint64(n);
}

void AppendBulkResultMsgpack(const std::vector<Uuid>& uuids, bool with_uuids,
                             std::string* out) {
  StringOut sink{out};
  Packer pk(sink);
  pk.pack_map(with_uuids ? 2 : 1);
  PackStr("count", &pk);
  pk.pack_uint64(uuids.size());
  if (!with_uuids) return;
  PackStr("uuids", &pk);
  pk.pack_array(static_cast<std::uint32_t>(uuids.size()));
  for (const Uuid& u : uuids) PackUuid(u, &pk);
}

Status MsgpackRecordToJson(std::string_view bytes, std::string* json) {
  std::size_t off = 0;
  msgpack::object_handle oh;
  Status s = Unpack(bytes, &off, &oh);
  if (!s.ok()) return s;
  if (off != bytes.size())
    return Status::InvalidArgument(
        "", "malformed msgpack: " + std::to_string(bytes.size() - off) +
                " bytes follow the map at offset " + std::to_string(off) +
                "; send one map");
  return ObjectToJson(oh.get(), json);
}

Result<ParsedRecord> ParseRecordMsgpack(std::string_view bytes,
                                        const TableDesc& table,
                                        MetaFields meta,
                                        std::size_t max_string_bytes) {
  std::string json;
  Status s = MsgpackRecordToJson(bytes, &json);
  if (!s.ok()) return s;
  return ParseRecordJson(json, table, meta, max_string_bytes);
}

Result<ParsedPatch> ParsePatchMsgpack(std::string_view bytes,
                                      const TableDesc& table,
                                      std::size_t max_string_bytes) {
  std::string json;
  Status s = MsgpackRecordToJson(bytes, &json);
  if (!s.ok()) return s;
  return ParsePatchJson(json, table, max_string_bytes);
}

Status ForEachMsgpackRecord(
    std::string_view body,
    const std::function<Status(std::string_view json, std::size_t index)>&
        each) {
  std::string json;
  std::size_t off = 0;
  for (std::size_t index = 0; off < body.size(); ++index) {
    msgpack::object_handle oh;
    Status s = Unpack(body, &off, &oh);
    if (s.ok()) {
      json.clear();
      s = ObjectToJson(oh.get(), &json);
    }
    if (!s.ok())
      return Status::InvalidArgument(
          s.subject(), "index " + std::to_string(index) + ": " + s.message());
    s = each(json, index);
    if (!s.ok()) return s;
  }
  return Status();
}

}  // namespace lmdbapi::http
