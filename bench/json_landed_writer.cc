// SPDX-License-Identifier: Apache-2.0
// bench/json_landed_writer.cc - see json_landed_writer.h.
//
// RapidJSON is compiled here with RAPIDJSON_SSE2, as the landed Makefile
// had it, and in a namespace of its own, so that this file's
// Writer<StringBuffer> (with the SSE2 specialization) is a different class
// from the one the rest of the program links, not a second definition of
// it. Nothing else may include RapidJSON in this file.

#define RAPIDJSON_SSE2
#define RAPIDJSON_NAMESPACE lmdbapi_landed_rapidjson
#define RAPIDJSON_NAMESPACE_BEGIN namespace lmdbapi_landed_rapidjson {
#define RAPIDJSON_NAMESPACE_END }
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "json_landed_writer.h"

#include <cmath>

#include "lmdbapi/value.h"

namespace lmdbapi::bench {
namespace {

namespace rj = lmdbapi_landed_rapidjson;
using LandedWriter = rj::Writer<rj::StringBuffer>;

void Str(LandedWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rj::SizeType>(s.size()));
}

// record_json.cc's JsonFieldWriter as it was.
class FieldWriter : public FieldVisitor {
 public:
  FieldWriter(const TableDesc& table, LandedWriter* w) : table_(table), w_(w) {}
  void Revision(std::uint64_t r) override {
    Str(*w_, "revision");
    w_->Uint64(r);
  }
  void String(int f, std::string_view v) override { Key(f); Str(*w_, v); }
  void Int64(int f, std::int64_t v) override { Key(f); w_->Int64(v); }
  void Double(int f, double v) override {
    Key(f);
    if (std::isfinite(v)) w_->Double(v); else w_->Null();
  }
  void Bool(int f, bool v) override { Key(f); w_->Bool(v); }
  void Date(int f, lmdbapi::Date v) override { Key(f); Str(*w_, FormatDate(v)); }
  void Timestamp(int f, lmdbapi::Timestamp v) override {
    Key(f);
    Str(*w_, FormatTimestamp(v));
  }
  void Uuid(int f, const lmdbapi::Uuid& v) override {
    Key(f);
    char text[lmdbapi::Uuid::kTextSize];
    v.ToChars(text);
    Str(*w_, std::string_view(text, sizeof text));
  }
  void Null(int f) override {
    Key(f);
    w_->Null();
  }

 private:
  void Key(int f) { Str(*w_, table_.fields[f].name); }
  const TableDesc& table_;
  LandedWriter* w_;
};

thread_local rj::StringBuffer buffer;

}  // namespace

Status LandedAppendStoredRecordJson(const StoredRecord& record,
                                    std::string* out) {
  buffer.Clear();
  LandedWriter w(buffer);
  w.StartObject();
  Str(w, "uuid");
  char text[Uuid::kTextSize];
  record.uuid().ToChars(text);
  Str(w, std::string_view(text, sizeof text));
  FieldWriter fields(record.table(), &w);
  Status s = record.Visit(fields);
  if (!s.ok()) return s;
  w.EndObject();
  out->append(buffer.GetString(), buffer.GetSize());
  return Status();
}

}  // namespace lmdbapi::bench
