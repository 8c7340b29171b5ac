// SPDX-License-Identifier: Apache-2.0
// tests/record_gen.h - random records for any schema.
//
// The suites that must pass on every schema make their data from the
// descriptors. Values come from small domains so that equality filters and
// range bounds find several records; fields keyed by a UNIQUE index take a
// serial number instead, so records stay insertable. Never null: the null
// cases are tests of their own.

#ifndef LMDBAPI_TESTS_RECORD_GEN_H_
#define LMDBAPI_TESTS_RECORD_GEN_H_

#include <cstdint>
#include <random>
#include <set>
#include <string>

#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"

namespace lmdbapi::testutil {

inline Value RandomValue(FieldType type, std::mt19937_64& rng, int domain) {
  auto pick = [&](int n) { return static_cast<std::int64_t>(rng() % n); };
  switch (type) {
    case FieldType::STRING: return "v" + std::to_string(pick(domain));
    case FieldType::INT64: return pick(domain) - domain / 2;
    case FieldType::DOUBLE: return static_cast<double>(pick(domain)) / 4 - 1;
    case FieldType::BOOL: return pick(2) == 1;
    case FieldType::DATE: return Date{static_cast<std::int32_t>(19000 + pick(domain))};
    case FieldType::TIMESTAMP:
      return Timestamp{1'700'000'000'000'000 + pick(domain) * 1'000'000};
    case FieldType::UUID: {
      Uuid u;
      u.bytes[15] = static_cast<std::uint8_t>(pick(domain));
      return u;
    }
  }
  return {};
}

// A value unique to `serial` for a field of `type`.
inline Value SerialValue(FieldType type, std::uint64_t serial) {
  switch (type) {
    case FieldType::STRING: return "s" + std::to_string(serial);
    case FieldType::INT64: return static_cast<std::int64_t>(serial);
    case FieldType::DOUBLE: return static_cast<double>(serial) + 0.5;
    case FieldType::BOOL: return serial % 2 == 1;  // only two exist
    case FieldType::DATE: return Date{static_cast<std::int32_t>(serial)};
    case FieldType::TIMESTAMP: return Timestamp{static_cast<std::int64_t>(serial)};
    case FieldType::UUID: {
      Uuid u;
      for (int i = 0; i < 8; ++i) u.bytes[15 - i] = (serial >> (8 * i)) & 0xff;
      return u;
    }
  }
  return {};
}

inline std::set<int> UniqueFields(const TableDesc& table) {
  std::set<int> out;
  for (const IndexDesc& i : table.indexes)
    if (i.kind == IndexKind::UNIQUE)
      for (int k : i.key_fields) out.insert(k);
  return out;
}

// A record of `table` linked to `parent` (ignored for main tables).
inline Record RandomRecord(const TableDesc& table, std::mt19937_64& rng,
                           std::uint64_t serial, const Uuid& parent = {},
                           int domain = 5) {
  std::set<int> unique = UniqueFields(table);
  Record r;
  r.fields.resize(table.fields.size());
  for (std::size_t i = 0; i < table.fields.size(); ++i) {
    const FieldDesc& f = table.fields[i];
    Value& v = r.fields[i];
    if (f.is_parent_link) {
      v = parent;
    } else if (unique.count(static_cast<int>(i))) {
      v = SerialValue(f.type, serial);
    } else {
      v = RandomValue(f.type, rng, domain);
    }
  }
  return r;
}

}  // namespace lmdbapi::testutil

#endif  // LMDBAPI_TESTS_RECORD_GEN_H_
