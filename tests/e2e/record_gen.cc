// SPDX-License-Identifier: Apache-2.0
// tests/e2e/record_gen.cc - see record_gen.h.

#include "record_gen.h"

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "http_client.h"

namespace lmdbapi::e2e {
namespace {

constexpr std::int64_t kMicrosPerDay = std::int64_t{86400} * 1000000;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Pool index for field `field` of record n: fields step through their pools
// at different rates, so two pooled fields are not the same partition.
std::uint64_t PoolIndex(int field, std::uint64_t n, std::uint64_t size) {
  return (n / (static_cast<std::uint64_t>(field) % 3 + 1)) % size;
}

const char* TypeText(FieldType type) {
  static const char* const kNames[] = {"STRING", "INT64",     "DOUBLE", "BOOL",
                                       "DATE",   "TIMESTAMP", "UUID"};
  return kNames[static_cast<int>(type)];
}

std::string Hex12(std::uint64_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%012" PRIx64,
                static_cast<std::uint64_t>(n & 0xffffffffffffULL));
  return buf;
}

}  // namespace

bool IsIndexKey(const TableDesc& t, int field) {
  for (const IndexDesc& index : t.indexes)
    for (int k : index.key_fields)
      if (k == field) return true;
  return false;
}

bool IsUniqueKey(const TableDesc& t, int field) {
  for (const IndexDesc& index : t.indexes) {
    if (index.kind != IndexKind::UNIQUE) continue;
    for (int k : index.key_fields)
      if (k == field) return true;
  }
  return false;
}

std::set<int> UniqueKeyFields(const TableDesc& t) {
  std::set<int> out;
  for (int f = 0; f < static_cast<int>(t.fields.size()); ++f)
    if (IsUniqueKey(t, f)) out.insert(f);
  return out;
}

std::int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

std::string FormatDays(std::int64_t days_since_epoch) {
  using namespace std::chrono;
  year_month_day ymd{sys_days{days{days_since_epoch}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()));
  return buf;
}

std::string FormatMicros(std::int64_t micros) {
  std::int64_t days = FloorDiv(micros, kMicrosPerDay);
  std::int64_t rest = micros - days * kMicrosPerDay;
  std::int64_t secs = rest / 1000000, frac = rest % 1000000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", int(secs / 3600),
                int(secs / 60 % 60), int(secs % 60));
  std::string out = FormatDays(days) + buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06d", int(frac));
    out += buf;
  }
  return out + "Z";
}

std::uint64_t NextN() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1);
}

Val GenValue(const TableDesc& t, int field, std::uint64_t n) {
  const FieldDesc& f = t.fields[field];
  const bool unique = IsUniqueKey(t, field);
  const auto sn = static_cast<std::int64_t>(n);
  switch (f.type) {
    case FieldType::STRING: {
      if (unique) return f.name + "-" + std::to_string(n) + " \xc3\xa9";
      // Characters a query string must percent-encode, and non-ASCII.
      static const char* const kPool[] = {" alpha", " \xce\xb2 & co",
                                          "=x/y?z+1%"};
      return f.name + kPool[PoolIndex(field, n, 3)];
    }
    case FieldType::INT64:
      if (unique) return sn * 7 - 1000;
      return static_cast<std::int64_t>(PoolIndex(field, n, 7)) * 13 - 20;
    case FieldType::DOUBLE: {
      if (unique) return static_cast<double>(sn) + 0.25;
      static const double kPool[] = {-2.5, 0.1, 30000000000.5, 1234.5678};
      return kPool[PoolIndex(field, n, 4)];
    }
    case FieldType::BOOL:
      return PoolIndex(field, n, 2) == 1;
    case FieldType::DATE:
      if (unique) return FormatDays(DaysFromCivil(2000, 1, 1) + sn % 2000000);
      return FormatDays(DaysFromCivil(2024, 1, 1) +
                        static_cast<std::int64_t>(PoolIndex(field, n, 6)) * 37);
    case FieldType::TIMESTAMP: {
      const std::int64_t base = DaysFromCivil(2024, 5, 1) * kMicrosPerDay +
                                std::int64_t{12} * 3600 * 1000000;
      if (unique) return FormatMicros(base + sn * 1000000);
      std::uint64_t k = PoolIndex(field, n, 10);
      return FormatMicros(base + static_cast<std::int64_t>(k % 5) * 3600000000 +
                          (k >= 5 ? 123456 : 0));
    }
    case FieldType::UUID:
      if (f.is_parent_link) return std::string();
      return "0190a0b0-0000-7000-8000-" +
             Hex12(unique ? n : PoolIndex(field, n, 3));
  }
  return std::string();
}

Rec GenRecord(const TableDesc& t, std::uint64_t n,
              const std::string& parent_uuid) {
  Rec rec;
  for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
    if (f == t.link_field)
      rec.fields.push_back(parent_uuid);
    else
      rec.fields.push_back(GenValue(t, f, n));
  }
  return rec;
}

Val DefaultOf(const FieldDesc& f) {
  struct Visitor {
    Val operator()(const std::string& s) const { return s; }
    Val operator()(std::int64_t i) const { return i; }
    Val operator()(double d) const { return d; }
    Val operator()(bool b) const { return b; }
    Val operator()(Date d) const { return FormatDays(d.days_since_epoch); }
    Val operator()(Timestamp t) const {
      return FormatMicros(t.micros_since_epoch);
    }
    Val operator()(Null) const { return std::monostate{}; }
    Val operator()(const Uuid& u) const {
      static const char kHex[] = "0123456789abcdef";
      std::string s;
      for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        s += kHex[u.bytes[i] >> 4];
        s += kHex[u.bytes[i] & 15];
      }
      return s;
    }
  };
  return std::visit(Visitor{}, f.default_value);
}

std::string QueryText(FieldType type, const Val& v) {
  switch (type) {
    case FieldType::INT64:
      return std::to_string(std::get<std::int64_t>(v));
    case FieldType::DOUBLE: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(v));
      return buf;
    }
    case FieldType::BOOL:
      return std::get<bool>(v) ? "true" : "false";
    case FieldType::STRING:
    case FieldType::DATE:
    case FieldType::TIMESTAMP:
    case FieldType::UUID:
      return std::get<std::string>(v);
  }
  return std::string();
}

std::string Show(const Val& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::string out = "\"";
    for (unsigned char c : *s) {
      if (c < 0x20 || c == '"' || c == '\\') {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out + "\"";
  }
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (IsNullVal(v)) return "null";
  return std::get<bool>(v) ? "true" : "false";
}

std::set<int> OptionalFields(const TableDesc& t) {
  std::set<int> out;
  for (int f = 0; f < static_cast<int>(t.fields.size()); ++f)
    if (!t.fields[f].required) out.insert(f);
  return out;
}

std::string BodyJson(const TableDesc& t, const Rec& rec,
                     const std::set<int>& omit,
                     const std::map<int, std::string>& raw) {
  // Raw texts go in after writing, in place of a placeholder string: the
  // Writer's own RawValue refuses the NUL bytes hostile bodies carry.
  auto placeholder = [](int f) { return "@@raw" + std::to_string(f) + "@@"; };
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (int f = 0; f < static_cast<int>(t.fields.size()); ++f) {
    if (omit.count(f) && !t.fields[f].required) continue;
    const std::string& name = t.fields[f].name;
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    const Val& v = rec.fields[f];
    if (raw.count(f)) {
      const std::string p = placeholder(f);
      w.String(p.data(), static_cast<rapidjson::SizeType>(p.size()));
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      w.String(s->data(), static_cast<rapidjson::SizeType>(s->size()));
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
      w.Int64(*i);
    } else if (const auto* d = std::get_if<double>(&v)) {
      w.Double(*d);
    } else if (IsNullVal(v)) {
      w.Null();
    } else {
      w.Bool(std::get<bool>(v));
    }
  }
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  for (const auto& [f, text] : raw) {
    const std::string quoted = "\"" + placeholder(f) + "\"";
    const std::size_t at = out.find(quoted);
    if (at != std::string::npos) out.replace(at, quoted.size(), text);
  }
  return out;
}

std::optional<Val> ValFromJson(FieldType type, const rapidjson::Value& v) {
  switch (type) {
    case FieldType::STRING:
    case FieldType::DATE:
    case FieldType::TIMESTAMP:
    case FieldType::UUID:
      if (!v.IsString()) return std::nullopt;
      return Val(std::string(v.GetString(), v.GetStringLength()));
    case FieldType::INT64:
      if (!v.IsInt64()) return std::nullopt;
      return Val(v.GetInt64());
    case FieldType::DOUBLE:
      if (!v.IsNumber()) return std::nullopt;
      return Val(v.GetDouble());
    case FieldType::BOOL:
      if (!v.IsBool()) return std::nullopt;
      return Val(v.GetBool());
  }
  return std::nullopt;
}

std::optional<Rec> RecFromJson(const TableDesc& t, const rapidjson::Value& v,
                               std::string* error) {
  if (!v.IsObject()) {
    *error = "record is not a JSON object";
    return std::nullopt;
  }
  Rec rec;
  const rapidjson::Value* uuid = JsonMember(v, "uuid");
  if (uuid == nullptr || !uuid->IsString()) {
    *error = "record has no string \"uuid\"";
    return std::nullopt;
  }
  rec.uuid = uuid->GetString();
  const rapidjson::Value* revision = JsonMember(v, "revision");
  if (revision == nullptr || !revision->IsInt64()) {
    *error = "record " + rec.uuid + " has no integer \"revision\"";
    return std::nullopt;
  }
  rec.revision = revision->GetInt64();
  for (const FieldDesc& f : t.fields) {
    const rapidjson::Value* m = JsonMember(v, f.name);
    if (m == nullptr) {
      *error = "record " + rec.uuid + " lacks field \"" + f.name + "\"";
      return std::nullopt;
    }
    std::optional<Val> val = f.nullable && m->IsNull()
                                  ? std::optional<Val>(std::monostate{})
                                  : ValFromJson(f.type, *m);
    if (!val) {
      *error = "record " + rec.uuid + " field \"" + f.name +
               "\" is not JSON for a " + TypeText(f.type);
      return std::nullopt;
    }
    rec.fields.push_back(*val);
  }
  return rec;
}

bool ValEqual(const Val& a, const Val& b) { return a == b; }

std::int64_t CanonicalMicros(std::string_view s) {
  auto num = [&](std::size_t at, std::size_t len) {
    std::int64_t v = 0;
    for (std::size_t i = at; i < at + len && i < s.size(); ++i)
      v = v * 10 + (s[i] - '0');
    return v;
  };
  std::int64_t days = DaysFromCivil(static_cast<int>(num(0, 4)),
                                    static_cast<unsigned>(num(5, 2)),
                                    static_cast<unsigned>(num(8, 2)));
  std::int64_t secs = num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2);
  std::int64_t frac = s.size() > 20 && s[19] == '.' ? num(20, 6) : 0;
  return days * kMicrosPerDay + secs * 1000000 + frac;
}

bool ValLess(FieldType type, const Val& a, const Val& b) {
  if (type == FieldType::TIMESTAMP)
    return CanonicalMicros(std::get<std::string>(a)) <
           CanonicalMicros(std::get<std::string>(b));
  return a < b;  // same alternative: its own order (DATE text sorts by day)
}

std::string Mismatch(const TableDesc& t, const Rec& want, const Rec& got) {
  std::string out;
  if (!want.uuid.empty() && want.uuid != got.uuid)
    out += "uuid: want " + want.uuid + ", got " + got.uuid + "; ";
  if (want.revision > 0 && want.revision != got.revision)
    out += "revision: want " + std::to_string(want.revision) + ", got " +
           std::to_string(got.revision) + "; ";
  for (std::size_t f = 0; f < t.fields.size(); ++f) {
    if (f >= got.fields.size() || f >= want.fields.size()) {
      out += "field count differs; ";
      break;
    }
    if (!ValEqual(want.fields[f], got.fields[f]))
      out += t.fields[f].name + ": want " + Show(want.fields[f]) + ", got " +
             Show(got.fields[f]) + "; ";
  }
  return out;
}

std::string Mismatch(const TableDesc& t, const Rec& want,
                     const rapidjson::Value& got) {
  std::string error;
  std::optional<Rec> rec = RecFromJson(t, got, &error);
  if (!rec) return error;
  return Mismatch(t, want, *rec);
}

bool IsUuidV7(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return s[14] == '7' &&
         (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

}  // namespace lmdbapi::e2e
