// SPDX-License-Identifier: Apache-2.0
// src/http/health.cc - see health.h.

#include "http/health.h"

#include "json/json_output.h"

namespace lmdbapi::http {

Status AppendHealthJson(const Env& env, bool detail, std::string* out) {
  auto stat = env.Stat();
  if (!stat.ok())
    return Status::Unavailable("the LMDB environment cannot serve: " +
                               stat.status().message());
  const EnvStats& s = stat.value();
  const Schema& schema = env.schema();
  JsonWriter w(out);
  w.StartObject();
  w.Key("status");
  w.String("ok");
  if (!detail) {
    w.EndObject();
    return Status();
  }
  w.Key("schema_fingerprint");
  w.String(schema.FingerprintHash());
  w.Key("lmdb");
  w.StartObject();
  w.Key("map_size");
  w.Uint64(s.map_size);
  w.Key("map_max");
  w.Uint64(s.map_max);
  w.Key("used_bytes");
  w.Uint64(s.used_bytes);
  w.Key("page_size");
  w.Uint(s.page_size);
  w.Key("readers_in_use");
  w.Uint(s.readers_in_use);
  w.Key("max_readers");
  w.Uint(s.max_readers);
  w.Key("entries");
  w.StartObject();
  // Stat() names a table's database after the table.
  for (const TableDesc& t : schema.tables) {
    std::uint64_t n = 0;
    for (const DbStats& db : s.dbs)
      if (db.name == t.name) n = db.entries;
    w.Key(t.name);
    w.Uint64(n);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return Status();
}

}  // namespace lmdbapi::http
