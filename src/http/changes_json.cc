// SPDX-License-Identifier: Apache-2.0
// src/http/changes_json.cc - see changes_json.h.

#include "http/changes_json.h"

#include "json/json_output.h"
#include "json/record_json.h"
#include "lmdbapi/record_sink.h"
#include "lmdbapi/value.h"

namespace lmdbapi::http {

Status AppendChangeJson(const Change& c, std::string* out) {
  *out += "{\"seq\":";
  *out += std::to_string(c.seq);
  *out += ",\"txn\":";
  *out += std::to_string(c.txn);
  *out += c.txn_end ? ",\"txn_end\":true" : ",\"txn_end\":false";
  *out += ",\"table\":";
  AppendJsonString(c.table_name, out);
  *out += ",\"uuid\":\"";
  *out += c.uuid.ToString();
  *out += "\",\"op\":\"";
  *out += ChangeOpName(c.op);
  *out += "\",\"revision\":";
  *out += std::to_string(c.revision);
  *out += ",\"time\":\"";
  *out += FormatValue(Value(Timestamp{c.time_ms * 1000}));
  *out += "\",\"record\":";
  if (c.op == ChangeOp::kDelete || c.table == nullptr) {
    *out += "null";
  } else {
    Status s = AppendStoredRecordJson(StoredRecord(*c.table, c.uuid, c.record),
                                      out);
    if (!s.ok()) return s;
  }
  *out += '}';
  return Status();
}

Status AppendChangeEvent(const Change& c, std::string* out) {
  // JSON holds no raw newline, so the object is one data line.
  *out += "id: ";
  *out += std::to_string(c.seq);
  *out += "\ndata: ";
  Status s = AppendChangeJson(c, out);
  *out += "\n\n";
  return s;
}

void AddOldestMember(std::uint64_t oldest, std::string* problem) {
  if (problem->empty() || problem->back() != '}') return;
  problem->pop_back();
  *problem += ",\"oldest\":";
  *problem += std::to_string(oldest);
  *problem += '}';
}

}  // namespace lmdbapi::http
