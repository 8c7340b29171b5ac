// src/store/record_codec.cc - see record_codec.h for the layout.

#include "store/record_codec.h"

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>

#include <msgpack.hpp>

namespace lmdbapi {
namespace {

// msgpack::packer writes to anything with write(const char*, size_t).
struct StringSink {
  std::string* out;
  void write(const char* data, std::size_t size) { out->append(data, size); }
};

Status Bad(const TableDesc& table, const std::string& what) {
  return Status::Corruption("stored " + table.name + " record: " + what);
}

// Reads a stored record with msgpack-c's SAX-style parser straight into
// Values: no object tree and no zone allocation per record, which is most
// of the cost of msgpack::unpack on a read path that decodes thousands of
// records per request. Anything but a flat array whose items have their
// fields' types stops the parse.
class RecordReader : public msgpack::null_visitor {
 public:
  // `only` >= 0 decodes just that field (others are skipped unconverted).
  RecordReader(const TableDesc& table, Record* record, int only, Value* one)
      : table_(table), record_(record), only_(only), one_(one) {}

  // With `only` set, stop parsing once that field is read (see done()).
  void StopAfterField() { stop_after_ = true; }
  bool done() const { return done_; }

  const std::string& error() const { return error_; }
  std::size_t items() const { return items_; }

  bool start_array(std::uint32_t n) {
    if (depth_++ != 0) return Fail("nested array");
    if (n == 0) return Fail("empty array (no revision)");
    if (n - 1 > table_.fields.size())
      return Fail(std::to_string(n - 1) + " values for " +
                  std::to_string(table_.fields.size()) + " fields");
    items_ = n;
    return true;
  }
  bool start_array_item() { return true; }
  bool end_array_item() { ++index_; return true; }
  bool end_array() { --depth_; return true; }
  bool start_map(std::uint32_t) { return Fail("a map"); }

  bool visit_nil() { return Fail("nil"); }
  bool visit_ext(const char*, std::uint32_t) { return Fail("ext"); }
  bool visit_float32(float v) { return visit_float64(v); }
  bool visit_boolean(bool v) {
    return Expect(FieldType::BOOL) && Put(v);
  }
  bool visit_positive_integer(std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      if (Top() && index_ != 0 && Field().type == FieldType::DOUBLE)
        return Put(static_cast<double>(v));
      return Fail("integer out of range");
    }
    return Integer(static_cast<std::int64_t>(v));
  }
  bool visit_negative_integer(std::int64_t v) { return Integer(v); }
  bool visit_float64(double v) {
    return Expect(FieldType::DOUBLE) && Put(v);
  }
  bool visit_str(const char* p, std::uint32_t n) {
    if (!Expect(FieldType::STRING)) return false;
    if (!Wanted()) return true;
    // A reused string keeps its buffer across the records of a scan.
    if (only_ >= 0 && std::holds_alternative<std::string>(*one_)) {
      std::get<std::string>(*one_).assign(p, n);
      return Finish();
    }
    return Put(std::string(p, n));
  }
  bool visit_bin(const char* p, std::uint32_t n) {
    if (!Expect(FieldType::UUID)) return false;
    Uuid u;
    if (!Uuid::FromBytes(std::string_view(p, n), &u)) return Fail("uuid not 16 bytes");
    return Put(u);
  }
  void parse_error(std::size_t, std::size_t) { Fail("malformed msgpack"); }
  void insufficient_bytes(std::size_t, std::size_t) { Fail("truncated"); }

 private:
  bool Top() const { return depth_ == 1; }
  const FieldDesc& Field() const { return table_.fields[index_ - 1]; }
  bool Wanted() const { return only_ < 0 || index_ - 1 == static_cast<std::size_t>(only_); }
  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  // Checks a scalar item's place and type; the revision (item 0) is an int.
  bool Expect(FieldType type) {
    if (!Top()) return Fail("not an array");
    if (index_ == 0) return Fail("revision is not an integer");
    if (Field().type != type)
      return Fail("field " + Field().name + " is not a stored " +
                  std::string(TypeName(Field().type)));
    return true;
  }
  bool Integer(std::int64_t v) {
    if (!Top()) return Fail("not an array");
    if (index_ == 0) {
      if (v < 1) return Fail("revision is not a positive integer");
      record_->revision = static_cast<std::uint64_t>(v);
      return true;
    }
    switch (Field().type) {
      case FieldType::INT64: return Put(v);
      case FieldType::TIMESTAMP: return Put(Timestamp{v});
      // msgpack-c packs a double with an integral value as an integer.
      case FieldType::DOUBLE: return Put(static_cast<double>(v));
      case FieldType::DATE:
        if (v < std::numeric_limits<std::int32_t>::min() ||
            v > std::numeric_limits<std::int32_t>::max())
          return Fail("field " + Field().name + " is not a stored DATE");
        return Put(Date{static_cast<std::int32_t>(v)});
      default:
        return Fail("field " + Field().name + " is not a stored " +
                    std::string(TypeName(Field().type)));
    }
  }
  template <typename T>
  bool Put(T&& v) {
    if (!Wanted()) return true;
    if (only_ < 0) {
      record_->fields.emplace_back(std::forward<T>(v));
      return true;
    }
    *one_ = std::forward<T>(v);
    return Finish();
  }
  // After the one wanted field: returning false stops msgpack's parser.
  bool Finish() {
    if (!stop_after_) return true;
    done_ = true;
    return false;
  }

  const TableDesc& table_;
  Record* record_;
  int only_;
  Value* one_;
  int depth_ = 0;
  std::size_t index_ = 0;  // item being read; 0 is the revision
  std::size_t items_ = 0;
  bool stop_after_ = false;
  bool done_ = false;
  std::string error_;
};

// Runs the reader over all of `bytes`; trailing bytes are corruption too.
Status Read(const TableDesc& table, std::string_view bytes,
            RecordReader* reader) {
  std::size_t off = 0;
  bool ok = false;
  try {
    ok = msgpack::parse(bytes.data(), bytes.size(), off, *reader);
  } catch (const std::exception& e) {
    return Bad(table, e.what());
  }
  if (reader->done() && reader->error().empty()) return Status();
  if (!ok || off != bytes.size() || reader->items() == 0)
    return Bad(table, reader->error().empty() ? "not a msgpack array"
                                               : reader->error());
  return Status();
}

}  // namespace

void EncodeRecord(const TableDesc& table, const Record& record,
                  std::string* out) {
  StringSink sink{out};
  msgpack::packer<StringSink> pk(sink);
  pk.pack_array(static_cast<std::uint32_t>(table.fields.size() + 1));
  pk.pack_uint64(record.revision);
  for (const Value& v : record.fields) {
    switch (TypeOf(v)) {
      case FieldType::STRING: {
        const std::string& s = std::get<std::string>(v);
        pk.pack_str(static_cast<std::uint32_t>(s.size()));
        pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
        break;
      }
      case FieldType::INT64: pk.pack_int64(std::get<std::int64_t>(v)); break;
      case FieldType::DOUBLE: pk.pack_double(std::get<double>(v)); break;
      case FieldType::BOOL:
        if (std::get<bool>(v)) pk.pack_true(); else pk.pack_false();
        break;
      case FieldType::DATE:
        pk.pack_int32(std::get<Date>(v).days_since_epoch);
        break;
      case FieldType::TIMESTAMP:
        pk.pack_int64(std::get<Timestamp>(v).micros_since_epoch);
        break;
      case FieldType::UUID: {
        const Uuid& u = std::get<Uuid>(v);
        pk.pack_bin(16);
        pk.pack_bin_body(reinterpret_cast<const char*>(u.bytes.data()), 16);
        break;
      }
    }
  }
}

Status DecodeRecord(const TableDesc& table, std::string_view bytes,
                    Record* record) {
  record->fields.clear();
  record->fields.reserve(table.fields.size());
  RecordReader reader(table, record, -1, nullptr);
  Status s = Read(table, bytes, &reader);
  if (!s.ok()) return s;
  // Written before the trailing fields were appended to the schema.
  for (std::size_t i = record->fields.size(); i < table.fields.size(); ++i)
    record->fields.push_back(table.fields[i].default_value);
  return Status();
}

Status DecodeField(const TableDesc& table, std::string_view bytes, int field,
                   Value* value) {
  Record scratch;
  RecordReader reader(table, &scratch, field, value);
  reader.StopAfterField();
  Status s = Read(table, bytes, &reader);
  if (s.ok() && reader.done()) return s;
  if (!s.ok()) return s;
  if (static_cast<std::size_t>(field) + 1 >= reader.items())
    *value = table.fields[field].default_value;
  return Status();
}

Status CheckRecordShape(const TableDesc& table, const Record& record) {
  if (record.fields.size() != table.fields.size())
    return Status::InvalidArgument(
        table.name, table.name + " records have " +
                        std::to_string(table.fields.size()) + " fields, got " +
                        std::to_string(record.fields.size()));
  for (std::size_t i = 0; i < table.fields.size(); ++i) {
    const FieldDesc& f = table.fields[i];
    const Value& v = record.fields[i];
    if (TypeOf(v) != f.type)
      return Status::InvalidArgument(
          f.name, f.name + " must be a " + std::string(TypeName(f.type)) +
                      ", got a " + std::string(TypeName(TypeOf(v))));
    if (f.type == FieldType::DOUBLE && !std::isfinite(std::get<double>(v)))
      return Status::InvalidArgument(f.name,
                                     f.name + " must be a finite number");
  }
  return Status();
}

}  // namespace lmdbapi
