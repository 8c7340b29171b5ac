// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/record_json_fuzz.cc - a request body as a record
// (src/json/record_json.h), for every table of the compiled schema.
//
// Any bytes: no crash, no sanitizer report, and a body that parses prints
// (AppendRecordJson) as JSON that parses again to the same text: the
// printer and the parser agree on every value the parser lets in.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/config.h"
#include "json/record_json.h"
#include "lmdbapi/schema.h"

using lmdbapi::Schema;
using lmdbapi::http::AppendRecordJson;
using lmdbapi::http::MetaFields;
using lmdbapi::http::ParseRecordJson;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const lmdbapi::TableDesc& t : Schema::Compiled().tables) {
    for (MetaFields meta : {MetaFields::kReject, MetaFields::kAccept}) {
      auto parsed = ParseRecordJson(body, t, meta,
                                    lmdbapi::http::kDefaultMaxStringBytes);
      if (!parsed.ok()) continue;
      // Written as the store hands records out: revision 1 or more (a
      // revision of 0 in a body is refused).
      if (parsed->record.revision == 0) parsed->record.revision = 1;
      std::string once;
      AppendRecordJson(parsed->record, t, &once);
      auto again = ParseRecordJson(once, t, MetaFields::kAccept,
                                   lmdbapi::http::kDefaultMaxStringBytes);
      FUZZ_CHECK(again.ok(), t.name + ": own output refused: " + again.status().message() +
                                 " in " + once);
      FUZZ_CHECK(again->revision == parsed->record.revision,
                 t.name + ": revision lost in " + once);
      again->record.revision = *again->revision;  // the body's, as PUT reads it
      std::string twice;
      AppendRecordJson(again->record, t, &twice);
      FUZZ_CHECK(once == twice, t.name + ": " + once + " != " + twice);
    }
  }
  return 0;
}
