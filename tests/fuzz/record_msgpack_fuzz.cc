// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/record_msgpack_fuzz.cc - a msgpack request body as a record
// (src/http/record_msgpack.h), for every table of the compiled schema, and
// as a bulk body (ForEachMsgpackRecord).
//
// Any bytes: no crash, no sanitizer report, and a body that parses prints
// (AppendRecordMsgpack) as msgpack that parses again to the same bytes:
// the msgpack printer and reader agree on every value the reader lets in.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/config.h"
#include "http/record_msgpack.h"
#include "lmdbapi/schema.h"

using lmdbapi::Schema;
using lmdbapi::Status;
using lmdbapi::http::AppendRecordMsgpack;
using lmdbapi::http::ForEachMsgpackRecord;
using lmdbapi::http::MetaFields;
using lmdbapi::http::ParseRecordMsgpack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const lmdbapi::TableDesc& t : Schema::Compiled().tables) {
    for (MetaFields meta : {MetaFields::kReject, MetaFields::kAccept}) {
      auto parsed = ParseRecordMsgpack(body, t, meta,
                                       lmdbapi::http::kDefaultMaxStringBytes);
      if (!parsed.ok()) continue;
      if (parsed->record.revision == 0)
        parsed->record.revision = parsed->revision.value_or(1);
      std::string once;
      AppendRecordMsgpack(parsed->record, t, &once);
      auto again = ParseRecordMsgpack(once, t, MetaFields::kAccept,
                                      lmdbapi::http::kDefaultMaxStringBytes);
      FUZZ_CHECK(again.ok(), t.name + ": own output refused: " +
                                 again.status().message());
      again->record.revision = again->revision.value_or(0);
      std::string twice;
      AppendRecordMsgpack(again->record, t, &twice);
      FUZZ_CHECK(once == twice, t.name + ": printed twice differently");
    }
  }
  std::size_t seen = 0;
  Status s = ForEachMsgpackRecord(body, [&](std::string_view, std::size_t index) {
    FUZZ_CHECK(index == seen, "records out of order");
    ++seen;
    return Status();
  });
  (void)s;
  return 0;
}
