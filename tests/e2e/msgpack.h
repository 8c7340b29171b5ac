// SPDX-License-Identifier: Apache-2.0
// tests/e2e/msgpack.h - msgpack bodies for the e2e suites, made and read
// with msgpack-c on the client's side, independently of the server's code.
//
// PackRecord writes a Rec's fields as a client would (str, int, float 64,
// bool, nil); ToDocument turns any msgpack answer into the JSON document
// of the same shape, so the JSON suites' checks (RecFromJson, Mismatch)
// judge msgpack answers too.

#ifndef LMDBAPI_TESTS_E2E_MSGPACK_H_
#define LMDBAPI_TESTS_E2E_MSGPACK_H_

#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "lmdbapi/schema.h"
#include "record_gen.h"

namespace lmdbapi::e2e {

inline constexpr std::string_view kMsgpack = "application/msgpack";

// The record's fields as one msgpack map (no uuid, no revision).
std::string PackRecord(const TableDesc& t, const Rec& rec);

// The msgpack value in `bytes` as a JSON document; a document with a parse
// error (kParseErrorDocumentEmpty) if the bytes are not one msgpack value.
rapidjson::Document ToDocument(std::string_view bytes);

}  // namespace lmdbapi::e2e

#endif  // LMDBAPI_TESTS_E2E_MSGPACK_H_
