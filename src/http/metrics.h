// SPDX-License-Identifier: Apache-2.0
// src/http/metrics.h - request counts and latencies, and GET /api/metrics.
//
// Every answered request is recorded under its route template (the
// router's, e.g. "/api/permits/{uuid}", or "unmatched"), its method (GET,
// HEAD, POST, PUT, PATCH, DELETE or "other") and its status (one the API answers
// with, or "other"), so the label sets are bounded whatever clients send.
// Rendered in the Prometheus text format, version 0.0.4:
//
//   lmdbapi_http_requests_total{route,method,status}           counter
//   lmdbapi_http_request_duration_seconds{route,method,status}  histogram
//       from the request's arrival at the worker to its response being
//       ready (reading the body included, sending not), measured in
//       microseconds; buckets 1-2-5 from 1 us to 1 s, le in seconds, the
//       base unit Prometheus asks for (promtool flags "microseconds")
//   lmdbapi_lmdb_*                                             from Env::Stat()
//       map size, bytes in use, page size, readers, entries per table,
//       index and link database, and the write transactions and writes
//       this process committed (writes / transactions is the group-commit
//       batch size)
//   lmdbapi_http_connections_dropped_total{reason}             counter
//       connections the worker closed because a request did not arrive
//       whole within REQUEST_READ_TIMEOUT_MS (reason="read_timeout") or a
//       response was not taken within RESPONSE_SEND_TIMEOUT_MS
//       (reason="send_timeout"); always present
//   lmdbapi_query_records_examined_total                       counter
//       records the queries read and filtered one by one (X-Examined; see
//       MAX_EXAMINED); always present
//   lmdbapi_schema_info{fingerprint}                           always 1
//
// Recording does not serialise the request threads: each server thread
// owns one Shard and is the only thread that writes to it, so a record is
// plain relaxed loads and stores to memory no other thread writes (no lock,
// no locked read-modify-write). A scrape reads every shard with relaxed
// loads and sums; it may miss a request recorded at that very moment, never
// count one twice. Series appear once first recorded.
//
// Counts belong to one worker process, since it started. With several
// worker processes behind nginx each scrape reaches one of them: scrape
// each worker's socket, or run one process with more threads.

#ifndef LMDBAPI_HTTP_METRICS_H_
#define LMDBAPI_HTTP_METRICS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/env.h"
#include "lmdbapi/schema.h"

namespace lmdbapi::http {

inline constexpr std::string_view kMetricsContentType =
    "text/plain; version=0.0.4; charset=utf-8";

class Metrics {
 public:
  // Route labels are RouteTemplates(schema)'s paths. `shards`: one per
  // recording thread.
  Metrics(const Schema& schema, unsigned shards);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  unsigned shards() const { return static_cast<unsigned>(shards_.size()); }

  // Records one answered request. template_index is RouteMatch's (-1:
  // unmatched). REQUIRES: shard < shards(), and only one thread at a time
  // records into a given shard.
  void Record(unsigned shard, int template_index, std::string_view method,
              int status, std::uint64_t micros);

  // Counts a connection dropped at a deadline (fcgi_server.h); any thread.
  // kStream: a change stream client that stopped reading (change_stream.h).
  enum class Drop { kRead, kSend, kStream };
  void CountDropped(Drop why);
  std::uint64_t TEST_Dropped(Drop why) const;

  // Change streams open now (lmdbapi_change_streams); any thread.
  void CountStreams(int delta) { streams_.fetch_add(delta); }
  // Adds a query's examined records (Response::examined); any thread.
  void CountExamined(std::uint64_t n);

  // Appends the whole exposition: the HTTP series, then AppendLmdbMetrics.
  void Render(const Env& env, std::string* out) const;

  // A request's series, summed over the shards; for tests. Zero if never
  // recorded.
  std::uint64_t TEST_Count(int template_index, std::string_view method,
                           int status) const;

  struct Cell;
  struct Shard;

 private:
  std::size_t CellIndex(int template_index, std::string_view method,
                        int status) const;

  std::vector<std::string> routes_;  // label per route index; last: unmatched
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> dropped_read_{0}, dropped_send_{0},
      dropped_stream_{0};
  std::atomic<std::int64_t> streams_{0};
  std::atomic<std::uint64_t> examined_{0};
};

// The LMDB series alone (the /api/metrics answer when no Metrics is kept,
// as in unit tests). If Stat() fails, only lmdbapi_lmdb_stat_ok 0.
void AppendLmdbMetrics(const Env& env, std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_METRICS_H_
