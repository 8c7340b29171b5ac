// SPDX-License-Identifier: Apache-2.0
// bench/json_landed_writer.h - the landed version's record JSON writer,
// kept only as json_page_bench's baseline (see the .cc).

#ifndef LMDBAPI_BENCH_JSON_LANDED_WRITER_H_
#define LMDBAPI_BENCH_JSON_LANDED_WRITER_H_

#include <string>

#include "lmdbapi/record_sink.h"

namespace lmdbapi::bench {

// What AppendStoredRecordJson wrote before issue 11: RapidJSON's
// Writer<StringBuffer> with RAPIDJSON_SSE2, strings included. Wrong for
// bytes 0x1A..0x1F in aligned blocks; for timing only.
Status LandedAppendStoredRecordJson(const StoredRecord& record,
                                    std::string* out);

}  // namespace lmdbapi::bench

#endif  // LMDBAPI_BENCH_JSON_LANDED_WRITER_H_
