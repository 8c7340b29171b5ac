// SPDX-License-Identifier: Apache-2.0
// src/http/metrics.cc - see metrics.h.
//
// A shard is a dense array of cell pointers, one slot per (route, method,
// status); a cell (the histogram of one series) is allocated by the shard's
// own thread the first time it records that series, and published with a
// release store that the scrape's acquire load pairs with. Most slots stay
// null: a shard costs 8 bytes per slot plus the cells in use.

#include "http/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <new>

#include "http/router.h"

namespace lmdbapi::http {
namespace {

constexpr std::array<std::string_view, 7> kMethods = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "other"};
// Every status the worker or the nginx site answers with (problems.def);
// others: "other".
constexpr int kStatusList[] = {
#define HTTP_STATUS(code, reason) code,
#include "http/problems.def"
};
constexpr std::array kStatuses = std::to_array(kStatusList);
constexpr std::size_t kStatusSlots = kStatuses.size() + 1;
// Upper bounds, microseconds: 1-2-5 steps from 1 us to 1 s, then +Inf.
constexpr std::array<std::uint64_t, 19> kBoundsUs = {
    1,     2,     5,      10,     20,     50,     100,
    200,   500,   1000,   2000,   5000,   10000,  20000,
    50000, 100000, 200000, 500000, 1000000};
constexpr std::size_t kBuckets = kBoundsUs.size() + 1;

std::size_t MethodSlot(std::string_view method) {
  for (std::size_t i = 0; i + 1 < kMethods.size(); ++i)
    if (kMethods[i] == method) return i;
  return kMethods.size() - 1;
}

std::size_t StatusSlot(int status) {
  for (std::size_t i = 0; i < kStatuses.size(); ++i)
    if (kStatuses[i] == status) return i;
  return kStatuses.size();
}

std::size_t BucketOf(std::uint64_t micros) {
  for (std::size_t i = 0; i < kBoundsUs.size(); ++i)
    if (micros <= kBoundsUs[i]) return i;
  return kBoundsUs.size();
}

// Only the shard's own thread writes, so an increment needs no locked
// read-modify-write; the atomics make the scrape's concurrent reads
// well-defined.
void Add(std::atomic<std::uint64_t>& a, std::uint64_t d) {
  a.store(a.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
}

// Shortest text that reads back as v, in plain decimals ("0.0001", not
// "1e-04"), which reads better in le labels.
void AppendNumber(double v, std::string* out) {
  char buf[48];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v,
                                 std::chars_format::fixed);
  out->append(buf, ec == std::errc() ? end : buf);
}

void AppendNumber(std::uint64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, ec == std::errc() ? end : buf);
}

// A label value, escaped as the text format requires.
void AppendLabelValue(std::string_view v, std::string* out) {
  out->push_back('"');
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendHeader(std::string_view name, std::string_view type,
                  std::string_view help, std::string* out) {
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void AppendSample(std::string_view name, std::string_view labels,
                  std::uint64_t value, std::string* out) {
  out->append(name).append(labels).append(" ");
  AppendNumber(value, out);
  out->push_back('\n');
}

}  // namespace

// Cache-line aligned: cells of different shards never share a line, so two
// threads recording the same series do not contend.
struct alignas(64) Metrics::Cell {
  std::atomic<std::uint64_t> sum_us{0};
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets{};  // not cumulative
};

struct Metrics::Shard {
  explicit Shard(std::size_t n)
      : cells(new std::atomic<Cell*>[n]()), size(n) {}
  ~Shard() {
    for (std::size_t i = 0; i < size; ++i) delete cells[i].load();
  }
  std::unique_ptr<std::atomic<Cell*>[]> cells;
  std::size_t size;
};

Metrics::Metrics(const Schema& schema, unsigned shards) {
  for (const RouteTemplate& rt : RouteTemplates(schema))
    routes_.push_back(rt.path);
  routes_.push_back("unmatched");
  const std::size_t cells = routes_.size() * kMethods.size() * kStatusSlots;
  for (unsigned i = 0; i < shards; ++i)
    shards_.push_back(std::make_unique<Shard>(cells));
}

Metrics::~Metrics() = default;

std::size_t Metrics::CellIndex(int template_index, std::string_view method,
                               int status) const {
  std::size_t route = template_index >= 0 &&
                              static_cast<std::size_t>(template_index) + 1 <
                                  routes_.size()
                          ? static_cast<std::size_t>(template_index)
                          : routes_.size() - 1;
  return (route * kMethods.size() + MethodSlot(method)) * kStatusSlots +
         StatusSlot(status);
}

void Metrics::Record(unsigned shard, int template_index,
                     std::string_view method, int status,
                     std::uint64_t micros) {
  Shard& s = *shards_[shard];
  std::atomic<Cell*>& slot = s.cells[CellIndex(template_index, method, status)];
  Cell* cell = slot.load(std::memory_order_relaxed);  // our own store
  if (cell == nullptr) {
    cell = new (std::nothrow) Cell();
    if (cell == nullptr) return;  // out of memory: lose the sample, not the request
    slot.store(cell, std::memory_order_release);
  }
  Add(cell->sum_us, micros);
  Add(cell->buckets[BucketOf(micros)], 1);
}

std::uint64_t Metrics::TEST_Count(int template_index, std::string_view method,
                                  int status) const {
  std::uint64_t n = 0;
  const std::size_t i = CellIndex(template_index, method, status);
  for (const auto& s : shards_)
    if (const Cell* c = s->cells[i].load(std::memory_order_acquire))
      for (const auto& b : c->buckets) n += b.load(std::memory_order_relaxed);
  return n;
}

void Metrics::CountDropped(Drop why) {
  (why == Drop::kRead   ? dropped_read_
   : why == Drop::kSend ? dropped_send_
                        : dropped_stream_)
      .fetch_add(1, std::memory_order_relaxed);
}

void Metrics::CountExamined(std::uint64_t n) {
  examined_.fetch_add(n, std::memory_order_relaxed);
}

std::uint64_t Metrics::TEST_Dropped(Drop why) const {
  return (why == Drop::kRead   ? dropped_read_
          : why == Drop::kSend ? dropped_send_
                               : dropped_stream_)
      .load(std::memory_order_relaxed);
}

void Metrics::Render(const Env& env, std::string* out) const {
  // Sum the shards once; both families print from these.
  struct Series {
    std::string labels;  // {route="...",method="...",status="..."}
    std::array<std::uint64_t, kBuckets> buckets{};
    std::uint64_t count = 0, sum_us = 0;
  };
  std::vector<Series> series;
  const std::size_t cells = shards_.empty() ? 0 : shards_.front()->size;
  for (std::size_t i = 0; i < cells; ++i) {
    Series s;
    bool seen = false;
    for (const auto& shard : shards_) {
      const Cell* c = shard->cells[i].load(std::memory_order_acquire);
      if (c == nullptr) continue;
      seen = true;
      s.sum_us += c->sum_us.load(std::memory_order_relaxed);
      for (std::size_t b = 0; b < kBuckets; ++b)
        s.buckets[b] += c->buckets[b].load(std::memory_order_relaxed);
    }
    if (!seen) continue;
    for (std::uint64_t n : s.buckets) s.count += n;
    const std::size_t status = i % kStatusSlots;
    const std::size_t method = (i / kStatusSlots) % kMethods.size();
    const std::size_t route = i / kStatusSlots / kMethods.size();
    s.labels = "{route=";
    AppendLabelValue(routes_[route], &s.labels);
    s.labels += ",method=";
    AppendLabelValue(kMethods[method], &s.labels);
    s.labels += ",status=";
    AppendLabelValue(status < kStatuses.size()
                         ? std::to_string(kStatuses[status])
                         : std::string("other"),
                     &s.labels);
    s.labels += '}';
    series.push_back(std::move(s));
  }

  AppendHeader("lmdbapi_http_requests_total", "counter",
               "Requests answered by this worker process, by route template, "
               "method and status.",
               out);
  for (const Series& s : series)
    AppendSample("lmdbapi_http_requests_total", s.labels, s.count, out);

  constexpr std::string_view kDuration = "lmdbapi_http_request_duration_seconds";
  AppendHeader(kDuration, "histogram",
               "Time from a request's arrival at the worker to its response "
               "being ready, by route template, method and status.",
               out);
  for (const Series& s : series) {
    // {route=...,method=...,status=...,le="..."}
    const std::string_view head(s.labels.data(), s.labels.size() - 1);
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      cumulative += s.buckets[b];
      out->append(kDuration).append("_bucket").append(head).append(",le=\"");
      if (b < kBoundsUs.size())
        AppendNumber(static_cast<double>(kBoundsUs[b]) / 1e6, out);
      else
        out->append("+Inf");
      out->append("\"} ");
      AppendNumber(cumulative, out);
      out->push_back('\n');
    }
    out->append(kDuration).append("_sum").append(s.labels).append(" ");
    AppendNumber(static_cast<double>(s.sum_us) / 1e6, out);
    out->push_back('\n');
    AppendSample(std::string(kDuration) + "_count", s.labels, s.count, out);
  }
  constexpr const char* kDropped = "lmdbapi_http_connections_dropped_total";
  AppendHeader(kDropped, "counter",
               "Connections closed because a request was not whole within "
               "REQUEST_READ_TIMEOUT_MS, a response not taken within "
               "RESPONSE_SEND_TIMEOUT_MS, or a change stream's events not "
               "taken within it (stream_stalled).",
               out);
  AppendSample(kDropped, "{reason=\"read_timeout\"}",
               dropped_read_.load(std::memory_order_relaxed), out);
  AppendSample(kDropped, "{reason=\"send_timeout\"}",
               dropped_send_.load(std::memory_order_relaxed), out);
  AppendSample(kDropped, "{reason=\"stream_stalled\"}",
               dropped_stream_.load(std::memory_order_relaxed), out);
  AppendHeader("lmdbapi_change_streams", "gauge",
               "GET /api/changes/stream clients connected now.", out);
  AppendSample("lmdbapi_change_streams", "",
               static_cast<std::uint64_t>(
                   std::max<std::int64_t>(0, streams_.load())),
               out);
  constexpr const char* kExamined = "lmdbapi_query_records_examined_total";
  AppendHeader(kExamined, "counter",
               "Records queries read and filtered one by one (at most "
               "MAX_EXAMINED per request).",
               out);
  AppendSample(kExamined, "", examined_.load(std::memory_order_relaxed), out);
  AppendLmdbMetrics(env, out);
}

void AppendLmdbMetrics(const Env& env, std::string* out) {
  std::string fingerprint = "{fingerprint=";
  AppendLabelValue(env.schema().FingerprintHash(), &fingerprint);
  fingerprint += '}';
  AppendHeader("lmdbapi_schema_info", "gauge",
               "Always 1; the label is the compiled schema's fingerprint.",
               out);
  AppendSample("lmdbapi_schema_info", fingerprint, 1, out);

  auto stat = env.Stat();
  AppendHeader("lmdbapi_lmdb_stat_ok", "gauge",
               "1 if the LMDB environment answered Env::Stat() for this "
               "scrape; 0 if not, and then no other lmdbapi_lmdb_ series.",
               out);
  AppendSample("lmdbapi_lmdb_stat_ok", "", stat.ok() ? 1 : 0, out);
  if (!stat.ok()) return;
  const EnvStats& s = stat.value();

  struct Gauge {
    std::string_view name, type, help;
    std::uint64_t value;
  };
  for (const Gauge& g : {
           Gauge{"lmdbapi_lmdb_map_size_bytes", "gauge",
                 "Bytes the data file may grow to now: this process's map "
                 "(LMDB_MAP_SIZE_GB to start with; it grows).",
                 s.map_size},
           Gauge{"lmdbapi_lmdb_map_max_bytes", "gauge",
                 "Most bytes the map may grow to (LMDB_MAP_MAX_GB).",
                 s.map_max},
           Gauge{"lmdbapi_lmdb_map_growths_total", "counter",
                 "Times this process grew the map (each logged).",
                 s.map_growths},
           Gauge{"lmdbapi_lmdb_map_adoptions_total", "counter",
                 "Times this process took the larger map another process "
                 "on the environment had grown.",
                 s.map_adoptions},
           Gauge{"lmdbapi_lmdb_used_bytes", "gauge",
                 "Bytes of the map in use (pages in use x page size).",
                 s.used_bytes},
           Gauge{"lmdbapi_lmdb_page_size_bytes", "gauge", "LMDB page size.",
                 s.page_size},
           Gauge{"lmdbapi_lmdb_readers_in_use", "gauge",
                 "Reader slots in use, by every process on the environment.",
                 s.readers_in_use},
           Gauge{"lmdbapi_lmdb_max_readers", "gauge",
                 "Reader slots in all (LMDB_MAX_READERS).", s.max_readers},
           Gauge{"lmdbapi_lmdb_write_transactions_total", "counter",
                 "Write transactions this process committed (or failed to); "
                 "concurrent writes share one (group commit).",
                 s.write_commits},
           Gauge{"lmdbapi_lmdb_writes_total", "counter",
                 "Writes (insert, replace, delete) those transactions "
                 "carried.",
                 s.writes},
       }) {
    AppendHeader(g.name, g.type, g.help, out);
    AppendSample(g.name, "", g.value, out);
  }

  // Records per commit: how much group commit coalesces.
  constexpr const char* kBatch = "lmdbapi_lmdb_writes_per_transaction";
  AppendHeader(kBatch, "histogram",
               "Writes each write transaction carried (group commit).", out);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < s.writes_per_commit.size(); ++i) {
    cumulative += s.writes_per_commit[i];
    std::string le = "{le=\"" + std::to_string(std::uint64_t{1} << i) + "\"}";
    AppendSample(std::string(kBatch) + "_bucket", le, cumulative, out);
  }
  AppendSample(std::string(kBatch) + "_bucket", "{le=\"+Inf\"}", cumulative,
               out);
  AppendSample(std::string(kBatch) + "_sum", "", s.writes, out);
  AppendSample(std::string(kBatch) + "_count", "", s.write_commits, out);

  AppendHeader("lmdbapi_lmdb_entries", "gauge",
               "Entries in each LMDB database: tables (records), indexes "
               "(<table>.<index>), parent links (<parent>><table>), meta and "
               "changes (the change feed).",
               out);
  for (const DbStats& db : s.dbs) {
    std::string labels = "{db=";
    AppendLabelValue(db.name, &labels);
    labels += '}';
    AppendSample("lmdbapi_lmdb_entries", labels, db.entries, out);
  }
}

}  // namespace lmdbapi::http
