// SPDX-License-Identifier: Apache-2.0
// tests/http/request_bodies.h - request bodies for any schema's records.

#ifndef LMDBAPI_TESTS_HTTP_REQUEST_BODIES_H_
#define LMDBAPI_TESTS_HTTP_REQUEST_BODIES_H_

#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "json/record_json.h"
#include "lmdbapi/record.h"
#include "lmdbapi/schema.h"

namespace lmdbapi::testutil {

inline std::string SerializeJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// What a client POSTs for `r`: its JSON without uuid and revision.
inline std::string BodyFor(const Record& r, const TableDesc& t) {
  std::string json;
  http::AppendRecordJson(r, t, &json);
  rapidjson::Document d;
  d.Parse(json.c_str());
  d.RemoveMember("uuid");
  d.RemoveMember("revision");
  return SerializeJson(d);
}

}  // namespace lmdbapi::testutil

#endif  // LMDBAPI_TESTS_HTTP_REQUEST_BODIES_H_
