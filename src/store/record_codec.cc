// SPDX-License-Identifier: Apache-2.0
// src/store/record_codec.cc - see record_codec.h for the layout.

#include "store/record_codec.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>

#include <msgpack.hpp>

namespace lmdbapi {
namespace {

Status Bad(const TableDesc& table, const std::string& what) {
  return Status::Corruption("stored " + table.name + " record: " + what);
}

// Bytes of the offset-table layout (record_codec.h).
constexpr unsigned char kMarker = 0xc1;
constexpr std::size_t kFixedHeader = 4;  // marker, width, count
// The one NaN a DOUBLE is stored as (record_codec.h).
constexpr std::uint64_t kCanonicalNaN = 0x7ff8000000000000;

// Where a record's array is, and, for the offset-table layout, where each
// stored field's bytes are.
struct Layout {
  std::string_view array;
  bool has_offsets = false;
  std::size_t count = 0;  // fields stored (has_offsets only)
  const unsigned char* offsets = nullptr;
  std::size_t width = 0;

  std::size_t Offset(std::size_t i) const {
    const unsigned char* p = offsets + i * width;
    std::size_t v = p[0] | static_cast<std::size_t>(p[1]) << 8;
    if (width == 4)
      v |= static_cast<std::size_t>(p[2]) << 16 |
           static_cast<std::size_t>(p[3]) << 24;
    return v;
  }
  // The bytes of stored field `field`; false if the offsets put them out
  // of the array. REQUIRES: has_offsets, field < count.
  bool Field(std::size_t field, std::string_view* out) const {
    std::size_t begin = Offset(field);
    std::size_t end = field + 1 < count ? Offset(field + 1) : array.size();
    if (begin < 2 || begin >= end || end > array.size()) return false;
    *out = array.substr(begin, end - begin);
    return true;
  }
};

// Finds the layout and checks its fixed part. Offsets are checked as they
// are used (Layout::Field), and all of them by CheckOffsets.
Status ReadLayout(const TableDesc& table, std::string_view bytes,
                  Layout* layout) {
  if (bytes.empty()) return Bad(table, "empty value");
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  if (b[0] != kMarker) {  // the bare array of the older layout
    layout->array = bytes;
    return Status();
  }
  if (bytes.size() < kFixedHeader) return Bad(table, "truncated header");
  std::size_t width = b[1], count = b[2] | std::size_t{b[3]} << 8;
  if (width != 2 && width != 4) return Bad(table, "bad offset width");
  if (count > table.fields.size())
    return Bad(table, std::to_string(count) + " values for " +
                          std::to_string(table.fields.size()) + " fields");
  std::size_t header = kFixedHeader + width * count;
  if (header >= bytes.size()) return Bad(table, "truncated header");
  layout->array = bytes.substr(header);
  layout->has_offsets = true;
  layout->count = count;
  layout->offsets = b + kFixedHeader;
  layout->width = width;
  return Status();
}

// The offset table's own consistency: bounds and order (not yet that it
// agrees with the array's items).
Status CheckOffsets(const TableDesc& table, const Layout& layout) {
  std::string_view field;
  for (std::size_t i = 0; layout.has_offsets && i < layout.count; ++i)
    if (!layout.Field(i, &field))
      return Bad(table, "field offsets out of order or range");
  return Status();
}

// Reads a stored record's array with msgpack-c's SAX-style parser, straight
// to a FieldVisitor: no object tree and no zone allocation per record,
// which is most of the cost of msgpack::unpack on a read path that decodes
// thousands of records per request. Anything but a flat array whose items
// have their fields' types stops the parse.
class RecordReader : public msgpack::null_visitor {
 public:
  RecordReader(const TableDesc& table, FieldVisitor* out)
      : table_(table), out_(out) {}

  // Reads one field's bytes alone (a slice of the offset-table layout)
  // rather than the whole array.
  void ExpectFieldAlone(int field) {
    depth_ = 1;
    index_ = static_cast<std::size_t>(field) + 1;
    alone_ = true;
  }
  // Stop parsing once this field has been visited (see done()).
  void StopAfter(int field) { stop_after_ = field; }
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

  // Null, where the field is nullable (record_codec.h); anywhere else the
  // bytes are not a record of this schema.
  bool visit_nil() {
    if (!Top()) return Fail("not an array");
    if (index_ == 0) return Fail("revision is not an integer");
    if (!Desc().nullable)
      return Fail("field " + Desc().name + " holds nil but is not nullable");
    out_->Null(Field());
    return Next();
  }
  bool visit_ext(const char*, std::uint32_t) { return Fail("ext"); }
  bool visit_float32(float v) { return visit_float64(v); }
  bool visit_boolean(bool v) {
    if (!Expect(FieldType::BOOL)) return false;
    out_->Bool(Field(), v);
    return Next();
  }
  bool visit_positive_integer(std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      if (Top() && index_ != 0 && Desc().type == FieldType::DOUBLE) {
        out_->Double(Field(), static_cast<double>(v));
        return Next();
      }
      return Fail("integer out of range");
    }
    return Integer(static_cast<std::int64_t>(v));
  }
  bool visit_negative_integer(std::int64_t v) { return Integer(v); }
  bool visit_float64(double v) {
    if (!Expect(FieldType::DOUBLE)) return false;
    out_->Double(Field(), v);
    return Next();
  }
  bool visit_str(const char* p, std::uint32_t n) {
    if (!Expect(FieldType::STRING)) return false;
    out_->String(Field(), std::string_view(p, n));
    return Next();
  }
  bool visit_bin(const char* p, std::uint32_t n) {
    if (!Expect(FieldType::UUID)) return false;
    Uuid u;
    if (!Uuid::FromBytes(std::string_view(p, n), &u)) return Fail("uuid not 16 bytes");
    out_->Uuid(Field(), u);
    return Next();
  }
  void parse_error(std::size_t, std::size_t) { Fail("malformed msgpack"); }
  void insufficient_bytes(std::size_t, std::size_t) { Fail("truncated"); }

 private:
  bool Top() const { return depth_ == 1; }
  int Field() const { return static_cast<int>(index_ - 1); }
  const FieldDesc& Desc() const { return table_.fields[index_ - 1]; }
  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  // Checks a scalar item's place and type; the revision (item 0) is an int.
  bool Expect(FieldType type) {
    if (!Top()) return Fail("not an array");
    if (index_ == 0) return Fail("revision is not an integer");
    if (Desc().type != type)
      return Fail("field " + Desc().name + " is not a stored " +
                  std::string(TypeName(Desc().type)));
    return true;
  }
  bool Integer(std::int64_t v) {
    if (!Top()) return Fail("not an array");
    if (index_ == 0) {
      if (v < 1) return Fail("revision is not a positive integer");
      out_->Revision(static_cast<std::uint64_t>(v));
      return true;
    }
    switch (Desc().type) {
      case FieldType::INT64: out_->Int64(Field(), v); break;
      case FieldType::TIMESTAMP: out_->Timestamp(Field(), Timestamp{v}); break;
      // The landed version stored a whole DOUBLE as an integer (record_codec.h).
      case FieldType::DOUBLE: out_->Double(Field(), static_cast<double>(v)); break;
      case FieldType::DATE:
        if (v < std::numeric_limits<std::int32_t>::min() ||
            v > std::numeric_limits<std::int32_t>::max())
          return Fail("field " + Desc().name + " is not a stored DATE");
        out_->Date(Field(), Date{static_cast<std::int32_t>(v)});
        break;
      default:
        return Fail("field " + Desc().name + " is not a stored " +
                    std::string(TypeName(Desc().type)));
    }
    return Next();
  }
  // After a field: returning false stops msgpack's parser.
  bool Next() {
    if (alone_ || Field() != stop_after_) return true;
    done_ = true;
    return false;
  }

  const TableDesc& table_;
  FieldVisitor* out_;
  int depth_ = 0;
  std::size_t index_ = 0;  // item being read; 0 is the revision
  std::size_t items_ = 0;
  int stop_after_ = -1;
  bool alone_ = false;
  bool done_ = false;
  std::string error_;
};

// Runs the reader over all of `bytes`; trailing bytes are corruption too.
Status Parse(const TableDesc& table, std::string_view bytes,
             RecordReader* reader) {
  std::size_t off = 0;
  bool ok = false;
  try {
    ok = msgpack::parse(bytes.data(), bytes.size(), off, *reader);
  } catch (const std::exception& e) {
    return Bad(table, e.what());
  }
  if (reader->done() && reader->error().empty()) return Status();
  if (!ok || off != bytes.size())
    return Bad(table, reader->error().empty() ? "not a msgpack value"
                                               : reader->error());
  return Status();
}

// The whole record: the array, checked against the offset table's count,
// then defaults for fields the record predates.
Status ReadAll(const TableDesc& table, std::string_view bytes,
               FieldVisitor* visitor) {
  Layout layout;
  Status s = ReadLayout(table, bytes, &layout);
  if (s.ok()) s = CheckOffsets(table, layout);
  if (!s.ok()) return s;
  RecordReader reader(table, visitor);
  s = Parse(table, layout.array, &reader);
  if (!s.ok()) return s;
  if (reader.items() == 0) return Bad(table, "not a msgpack array");
  if (layout.has_offsets && reader.items() != layout.count + 1)
    return Bad(table, "offset table and array disagree on the field count");
  for (std::size_t i = reader.items() - 1; i < table.fields.size(); ++i)
    VisitValue(table.fields[i].default_value, static_cast<int>(i), visitor);
  return Status();
}

// Builds Record::fields.
class ValueCollector : public FieldVisitor {
 public:
  explicit ValueCollector(Record* record) : record_(record) {}
  void Revision(std::uint64_t r) override { record_->revision = r; }
  void String(int, std::string_view v) override { Add(std::string(v)); }
  void Int64(int, std::int64_t v) override { Add(v); }
  void Double(int, double v) override { Add(v); }
  void Bool(int, bool v) override { Add(v); }
  void Date(int, lmdbapi::Date v) override { Add(v); }
  void Timestamp(int, lmdbapi::Timestamp v) override { Add(v); }
  void Uuid(int, const lmdbapi::Uuid& v) override { Add(v); }
  void Null(int) override { Add(lmdbapi::Null{}); }

 private:
  template <typename T>
  void Add(T&& v) { record_->fields.emplace_back(std::forward<T>(v)); }
  Record* record_;
};

// Keeps one field's value; a string reuses the buffer *value already has.
class OneValue : public FieldVisitor {
 public:
  OneValue(int field, Value* value) : field_(field), value_(value) {}
  void Revision(std::uint64_t) override {}
  void String(int f, std::string_view v) override {
    if (f != field_) return;
    if (auto* s = std::get_if<std::string>(value_)) {
      s->assign(v.data(), v.size());
    } else {
      *value_ = std::string(v);
    }
  }
  void Int64(int f, std::int64_t v) override { Set(f, v); }
  void Double(int f, double v) override { Set(f, v); }
  void Bool(int f, bool v) override { Set(f, v); }
  void Date(int f, lmdbapi::Date v) override { Set(f, v); }
  void Timestamp(int f, lmdbapi::Timestamp v) override { Set(f, v); }
  void Uuid(int f, const lmdbapi::Uuid& v) override { Set(f, v); }
  void Null(int f) override { Set(f, lmdbapi::Null{}); }

 private:
  template <typename T>
  void Set(int f, const T& v) {
    if (f == field_) *value_ = v;
  }
  int field_;
  Value* value_;
};

// The stored forms (record_codec.h), byte by byte as the msgpack spec
// lays them out. Written here, not by msgpack-c's packer, because the
// packer chooses forms itself (a double with a whole value became an
// integer) and an upgrade could choose differently; filters compare these
// bytes, so they must be ours.

void PutBigEndian(std::uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i)
    out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutHead(unsigned char type, std::uint64_t v, int bytes,
             std::string* out) {
  out->push_back(static_cast<char>(type));
  PutBigEndian(v, bytes, out);
}

// The smallest form: positive fixint, uint 8/16/32/64.
void PutUint(std::uint64_t v, std::string* out) {
  if (v < 0x80) {
    out->push_back(static_cast<char>(v));
  } else if (v <= 0xff) {
    PutHead(0xcc, v, 1, out);
  } else if (v <= 0xffff) {
    PutHead(0xcd, v, 2, out);
  } else if (v <= 0xffffffff) {
    PutHead(0xce, v, 4, out);
  } else {
    PutHead(0xcf, v, 8, out);
  }
}

// The smallest form: PutUint from 0 up; negative fixint, int 8/16/32/64
// below. (Two's complement: the low bytes of v as unsigned are its bytes.)
void PutInt(std::int64_t v, std::string* out) {
  if (v >= 0) return PutUint(static_cast<std::uint64_t>(v), out);
  const auto bits = static_cast<std::uint64_t>(v);
  if (v >= -32) {
    out->push_back(static_cast<char>(bits));
  } else if (v >= std::numeric_limits<std::int8_t>::min()) {
    PutHead(0xd0, bits, 1, out);
  } else if (v >= std::numeric_limits<std::int16_t>::min()) {
    PutHead(0xd1, bits, 2, out);
  } else if (v >= std::numeric_limits<std::int32_t>::min()) {
    PutHead(0xd2, bits, 4, out);
  } else {
    PutHead(0xd3, bits, 8, out);
  }
}

void PutDouble(double d, std::string* out) {
  PutHead(0xcb, std::isnan(d) ? kCanonicalNaN : std::bit_cast<std::uint64_t>(d),
          8, out);
}

void PutString(std::string_view s, std::string* out) {
  const std::uint64_t n = s.size();
  if (n < 32) {
    out->push_back(static_cast<char>(0xa0 | n));
  } else if (n <= 0xff) {
    PutHead(0xd9, n, 1, out);
  } else if (n <= 0xffff) {
    PutHead(0xda, n, 2, out);
  } else {
    PutHead(0xdb, n, 4, out);
  }
  out->append(s);
}

void PutArrayHeader(std::uint64_t n, std::string* out) {
  if (n < 16) {
    out->push_back(static_cast<char>(0x90 | n));
  } else if (n <= 0xffff) {
    PutHead(0xdc, n, 2, out);
  } else {
    PutHead(0xdd, n, 4, out);
  }
}

// What the landed version (msgpack-c 4.1's pack_double) stored for a
// double with a whole value in integer range: that integer, in its
// smallest form, -0.0 as 0. False for any other double (it stored those
// as float64, the form EncodeValue writes).
bool LegacyDouble(double d, std::string* out) {
  if (!std::isfinite(d) || d != std::trunc(d)) return false;
  if (d >= 0 && d < 0x1p64) {
    PutUint(static_cast<std::uint64_t>(d), out);
    return true;
  }
  if (d < 0 && d >= -0x1p63) {
    PutInt(static_cast<std::int64_t>(d), out);
    return true;
  }
  return false;
}

// Every form a stored field holding exactly v may have (record_codec.h):
// the one EncodeValue writes, and for a DOUBLE the landed version's.
std::vector<std::string> StoredForms(const Value& v) {
  std::vector<std::string> forms(1);
  EncodeValue(v, &forms[0]);
  if (const double* d = std::get_if<double>(&v)) {
    std::string legacy;
    if (LegacyDouble(*d, &legacy)) forms.push_back(std::move(legacy));
  }
  return forms;
}

void PutLittleEndian(std::size_t v, std::size_t width, char* p) {
  for (std::size_t i = 0; i < width; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

}  // namespace

void VisitValue(const Value& v, int field, FieldVisitor* visitor) {
  if (IsNull(v)) return visitor->Null(field);
  switch (TypeOf(v)) {
    case FieldType::STRING: visitor->String(field, std::get<std::string>(v)); return;
    case FieldType::INT64: visitor->Int64(field, std::get<std::int64_t>(v)); return;
    case FieldType::DOUBLE: visitor->Double(field, std::get<double>(v)); return;
    case FieldType::BOOL: visitor->Bool(field, std::get<bool>(v)); return;
    case FieldType::DATE: visitor->Date(field, std::get<Date>(v)); return;
    case FieldType::TIMESTAMP: visitor->Timestamp(field, std::get<Timestamp>(v)); return;
    case FieldType::UUID: visitor->Uuid(field, std::get<Uuid>(v)); return;
  }
}

void EncodeValue(const Value& v, std::string* out) {
  if (IsNull(v)) {
    out->push_back('\xc0');  // nil
    return;
  }
  switch (TypeOf(v)) {
    case FieldType::STRING: PutString(std::get<std::string>(v), out); return;
    case FieldType::INT64: PutInt(std::get<std::int64_t>(v), out); return;
    case FieldType::DOUBLE: PutDouble(std::get<double>(v), out); return;
    case FieldType::BOOL:
      out->push_back(std::get<bool>(v) ? '\xc3' : '\xc2');
      return;
    case FieldType::DATE: PutInt(std::get<Date>(v).days_since_epoch, out); return;
    case FieldType::TIMESTAMP:
      PutInt(std::get<Timestamp>(v).micros_since_epoch, out);
      return;
    case FieldType::UUID: {
      const Uuid& u = std::get<Uuid>(v);
      PutHead(0xc4, u.bytes.size(), 1, out);  // bin 8
      out->append(reinterpret_cast<const char*>(u.bytes.data()), u.bytes.size());
      return;
    }
  }
}

void EncodeRecord(const TableDesc& table, const Record& record,
                  std::string* out) {
  const std::size_t n = record.fields.size();
  const std::size_t start = out->size();
  // Offsets are written once the array's size, and so their width, is
  // known; 2 bytes each is the common case.
  std::size_t width = 2;
  out->append(kFixedHeader + width * n, '\0');
  const std::size_t array_start = out->size();
  std::vector<std::size_t> offsets(n);
  PutArrayHeader(table.fields.size() + 1, out);
  PutUint(record.revision, out);
  for (std::size_t i = 0; i < n; ++i) {
    offsets[i] = out->size() - array_start;
    EncodeValue(record.fields[i], out);
  }
  if (out->size() - array_start > 0xffff) {
    out->insert(array_start, 2 * n, '\0');
    width = 4;
  }
  char* h = out->data() + start;
  h[0] = static_cast<char>(kMarker);
  h[1] = static_cast<char>(width);
  PutLittleEndian(n, 2, h + 2);
  for (std::size_t i = 0; i < n; ++i)
    PutLittleEndian(offsets[i], width, h + kFixedHeader + i * width);
}

Status DecodeRecord(const TableDesc& table, std::string_view bytes,
                    Record* record) {
  record->fields.clear();
  record->fields.reserve(table.fields.size());
  ValueCollector collect(record);
  return ReadAll(table, bytes, &collect);
}

Status VisitRecord(const TableDesc& table, std::string_view bytes,
                   FieldVisitor* visitor) {
  return ReadAll(table, bytes, visitor);
}

Status StoredRecord::Visit(FieldVisitor& visitor) const {
  return VisitRecord(*table_, bytes_, &visitor);
}

Status DecodeField(const TableDesc& table, std::string_view bytes, int field,
                   Value* value) {
  Layout layout;
  Status s = ReadLayout(table, bytes, &layout);
  if (!s.ok()) return s;
  OneValue one(field, value);
  RecordReader reader(table, &one);
  if (layout.has_offsets) {
    if (static_cast<std::size_t>(field) >= layout.count) {
      *value = table.fields[field].default_value;
      return Status();
    }
    std::string_view stored;
    if (!layout.Field(field, &stored))
      return Bad(table, "field offsets out of order or range");
    reader.ExpectFieldAlone(field);
    return Parse(table, stored, &reader);
  }
  reader.StopAfter(field);
  s = Parse(table, layout.array, &reader);
  if (!s.ok()) return s;
  if (reader.done()) return Status();
  if (reader.items() == 0) return Bad(table, "not a msgpack array");
  *value = table.fields[field].default_value;  // the record predates it
  return Status();
}

Status CheckFieldOffsets(const TableDesc& table, std::string_view bytes,
                         const Record& record) {
  Layout layout;
  Status s = ReadLayout(table, bytes, &layout);
  if (!s.ok()) return s;
  std::string_view stored;
  for (std::size_t f = 0; layout.has_offsets && f < layout.count; ++f) {
    bool known = layout.Field(f, &stored);
    if (known) {
      std::vector<std::string> forms = StoredForms(record.fields[f]);
      known = std::find(forms.begin(), forms.end(), stored) != forms.end();
    }
    if (!known)
      return Bad(table, "the bytes the offset table gives field " +
                            table.fields[f].name +
                            " are not a stored form of its value (the "
                            "canonical encoding, or the landed version's "
                            "integer form of a whole DOUBLE)");
  }
  return Status();
}

StoredFilter::StoredFilter(const TableDesc& table,
                           const std::vector<Filter>& filters,
                           const std::vector<int>& which)
    : table_(table) {
  for (int i : which) {
    const Filter& f = filters[i];
    Check c{f.field, &f.value, StoredForms(f.value)};
    // +0.0 and -0.0 compare equal, so each matches the other's forms too.
    if (const double* d = std::get_if<double>(&f.value); d && *d == 0) {
      for (std::string& form : StoredForms(Value(-*d)))
        if (std::find(c.forms.begin(), c.forms.end(), form) == c.forms.end())
          c.forms.push_back(std::move(form));
    }
    checks_.push_back(std::move(c));
  }
}

Status StoredFilter::Matches(std::string_view bytes, bool* match) {
  *match = true;
  if (checks_.empty()) return Status();
  Layout layout;
  Status s = ReadLayout(table_, bytes, &layout);
  if (!s.ok()) return s;
  for (const Check& c : checks_) {
    if (!layout.has_offsets) {  // the older layout: decode the field
      s = DecodeField(table_, bytes, c.field, &scratch_);
      if (!s.ok()) return s;
      *match = scratch_ == *c.value;
    } else if (static_cast<std::size_t>(c.field) >= layout.count) {
      *match = table_.fields[c.field].default_value == *c.value;
    } else {
      std::string_view stored;
      if (!layout.Field(c.field, &stored))
        return Bad(table_, "field offsets out of order or range");
      *match = std::find(c.forms.begin(), c.forms.end(), stored) !=
               c.forms.end();
    }
    if (!*match) return Status();
  }
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
    if (IsNull(v)) {
      if (f.nullable) continue;
      return Status::InvalidArgument(
          f.name, f.name + ": is " +
                      (f.required ? "required" : "not nullable (it has a default)") +
                      " and cannot be null");
    }
    if (TypeOf(v) != f.type)
      return Status::InvalidArgument(
          f.name, f.name + " must be a " + std::string(TypeName(f.type)) +
                      ", got a " + std::string(TypeName(TypeOf(v))));
    if (f.type == FieldType::DOUBLE && !std::isfinite(std::get<double>(v)))
      return Status::InvalidArgument(f.name,
                                     f.name + " must be a finite number");
    // The schema's own MAX_BYTES limits belong here, with the types: they
    // are facts of the schema, so every writer (Table::Insert and Replace,
    // ImportBatch, and through them the HTTP API and the import tool)
    // keeps them. The MAX_STRING_BYTES default is a setting of the worker
    // and the import tool, not of the library: they check it where they
    // decode values (ParseRecordJson), and a library caller stays free to
    // store longer strings in fields without a MAX_BYTES row.
    if (f.type == FieldType::STRING) {
      Status s = CheckStringBytes(f, std::get<std::string>(v), 0);
      if (!s.ok()) return s;
    }
  }
  return Status();
}

}  // namespace lmdbapi
