// SPDX-License-Identifier: Apache-2.0
// bench/json_page_bench.cc - a 100-record page of JSON written the landed
// way (RapidJSON's Writer with its SSE2 string scan, json_landed_writer.h)
// and ours (AppendStoredRecordJson: json_output.h's own escaping), in
// turns, in one run.
//
//   json-page-bench
//
// Prints FIGURE lines (bench_stats.h), pages per second:
//   json.page100_landed / json.page100_ours          permits as store-bench
//                                                    loads them (140-byte notes)
//   json.page100_long_landed / json.page100_long_ours  2 KiB notes
// and a RATIO line per pair (ours / landed, pages per second); then the
// same 100-record page in msgpack next to JSON, in turns:
//   msgpack.page100_json / msgpack.page100_msgpack
// Uses the permits schema's names.

#include <cstdio>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "json/record_json.h"
#include "http/record_msgpack.h"
#include "json_landed_writer.h"
#include "lmdbapi/records.h"
#include "lmdbapi/schema.h"
#include "permit_gen.h"
#include "store/record_codec.h"

namespace lmdbapi::bench {
namespace {

constexpr std::size_t kPage = 100;
constexpr int kRounds = 6;          // turns each, alternating
constexpr std::size_t kPagesPerTurn = 400;

struct Stored {
  Uuid uuid;
  std::string bytes;
};

std::vector<Stored> Page(const TableDesc& t, std::size_t notes_bytes) {
  std::vector<Stored> page;
  for (std::size_t i = 0; i < kPage; ++i) {
    Permit p = MakePermit(i);
    if (notes_bytes > p.notes.size()) p.notes.resize(notes_bytes, 'n');
    permits_record r;
    r.permit_number = p.permit_number;
    r.client = p.client;
    r.county = p.county;
    r.county_status = p.county_status;
    r.issued_on = Date{p.issued_on};
    r.fee_cents = p.fee_cents;
    r.notes = p.notes;
    Record rec = ToRecord(r);
    rec.revision = 1;
    Stored s{Uuid::New(), {}};
    EncodeRecord(t, rec, &s.bytes);
    page.push_back(std::move(s));
  }
  return page;
}

template <typename Append>
bool WritePage(const TableDesc& t, const std::vector<Stored>& page,
               std::string* out, Append&& append) {
  out->clear();
  out->append("{\"items\":[");
  for (std::size_t i = 0; i < page.size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!append(StoredRecord(t, page[i].uuid, page[i].bytes), out).ok())
      return false;
  }
  out->append("],\"next\":null}");
  return true;
}

void Compare(const std::string& key, const TableDesc& t,
             const std::vector<Stored>& page) {
  std::string landed_body, ours_body;
  auto landed = [&](std::size_t) {
    return WritePage(t, page, &landed_body, [](const StoredRecord& r, std::string* o) {
      return LandedAppendStoredRecordJson(r, o);
    });
  };
  auto ours = [&](std::size_t) {
    return WritePage(t, page, &ours_body, [](const StoredRecord& r, std::string* o) {
      return http::AppendStoredRecordJson(r, o);
    });
  };
  Samples a, b;
  for (int r = 0; r < kRounds; ++r) {
    Samples x = TimeLoop(kPagesPerTurn, 2.0, landed);
    a.Merge(x);
    a.wall_us += x.wall_us;
    Samples y = TimeLoop(kPagesPerTurn, 2.0, ours);
    b.Merge(y);
    b.wall_us += y.wall_us;
  }
  if (landed_body != ours_body) {
    std::fprintf(stderr, "json-page-bench: %s: the two pages differ\n", key.c_str());
    std::exit(1);
  }
  PrintFigure(key + "_landed", a);
  PrintFigure(key + "_ours", b);
  std::printf("RATIO %s ours/landed %.2f (pages/s; %zu-byte page)\n", key.c_str(),
              b.OpsPerSec() / a.OpsPerSec(), ours_body.size());
}

// The page as the worker answers it in each format (handlers.cc's
// SetPage): JSON records straight into the body; msgpack records into a
// buffer, then the page's header and the records.
void MsgpackVsJson(const std::string& key, const TableDesc& t,
                   const std::vector<Stored>& page) {
  std::string json_body, msgpack_body, records;
  auto json = [&](std::size_t) {
    return WritePage(t, page, &json_body, [](const StoredRecord& r, std::string* o) {
      return http::AppendStoredRecordJson(r, o);
    });
  };
  auto msgpack = [&](std::size_t) {
    records.clear();
    for (const Stored& s : page)
      if (!http::AppendStoredRecordMsgpack(StoredRecord(t, s.uuid, s.bytes),
                                           &records)
               .ok())
        return false;
    msgpack_body.clear();
    http::AppendPageMsgpack(records, page.size(), std::nullopt, &msgpack_body);
    return true;
  };
  Samples a, b;
  for (int r = 0; r < kRounds; ++r) {
    Samples x = TimeLoop(kPagesPerTurn, 2.0, json);
    a.Merge(x);
    a.wall_us += x.wall_us;
    Samples y = TimeLoop(kPagesPerTurn, 2.0, msgpack);
    b.Merge(y);
    b.wall_us += y.wall_us;
  }
  PrintFigure(key + "_json", a);
  PrintFigure(key + "_msgpack", b);
  std::printf("RATIO %s msgpack/json %.2f (pages/s; %zu bytes vs %zu)\n",
              key.c_str(), b.OpsPerSec() / a.OpsPerSec(), msgpack_body.size(),
              json_body.size());
}

}  // namespace

int Main() {
  const TableDesc* t = Schema::Compiled().FindTable("permits");
  if (t == nullptr) {
    std::fprintf(stderr, "json-page-bench: needs the permits schema\n");
    return 2;
  }
  Compare("json.page100", *t, Page(*t, 0));
  Compare("json.page100_long", *t, Page(*t, 2048));
  MsgpackVsJson("msgpack.page100", *t, Page(*t, 0));
  return 0;
}

}  // namespace lmdbapi::bench

int main() { return lmdbapi::bench::Main(); }
