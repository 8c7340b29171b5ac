// SPDX-License-Identifier: Apache-2.0
// tests/http/metrics_test.cc - src/http/metrics.cc: recording and the text
// exposition. (promtool reads a real worker's output in the end-to-end
// suite tests/e2e/metrics_test.cc.)

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "http/handlers.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/router.h"
#include "testutil.h"

using namespace lmdbapi;
using lmdbapi::http::Metrics;

namespace {

int TemplateOf(const std::string& path) {
  const auto templates = http::RouteTemplates(Schema::Compiled());
  for (std::size_t i = 0; i < templates.size(); ++i)
    if (templates[i].path == path) return static_cast<int>(i);
  return -1;
}

// sample name with labels -> value, from the text format.
std::map<std::string, std::string> Samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t sp = line.rfind(' ');
    out[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(records_land_in_their_route_method_and_status) {
  Metrics m(Schema::Compiled(), 2);
  const int health = TemplateOf("/api/health");
  BOOST_TEST_REQUIRE(health >= 0);
  m.Record(0, health, "GET", 200, 10);
  m.Record(1, health, "GET", 200, 10);
  m.Record(1, health, "HEAD", 200, 10);
  m.Record(0, -1, "BREW", 418, 10);
  BOOST_TEST(m.TEST_Count(health, "GET", 200) == 2u);
  BOOST_TEST(m.TEST_Count(health, "HEAD", 200) == 1u);
  BOOST_TEST(m.TEST_Count(health, "GET", 404) == 0u);
  BOOST_TEST(m.TEST_Count(-1, "other", 999) == 1u, "unknown method and status: other");
}

BOOST_AUTO_TEST_CASE(every_answered_status_has_its_own_label) {
  // problems.def's statuses, the auth layer's 401 and 403 among them: none
  // is counted as "other".
  testutil::TempEnv env;
  Metrics m(env.env().schema(), 1);
  const int health = TemplateOf("/api/health");
  for (int status : http::AnsweredStatuses()) m.Record(0, health, "GET", status, 1);
  std::string text;
  m.Render(env.env(), &text);
  const auto s = Samples(text);
  for (int status : http::AnsweredStatuses()) {
    const std::string key = "lmdbapi_http_requests_total{route=\"/api/health\","
                            "method=\"GET\",status=\"" + std::to_string(status) + "\"}";
    BOOST_TEST((s.count(key) == 1u && s.at(key) == "1"), key);
  }
  for (const auto& [key, value] : s)
    BOOST_TEST(key.find("status=\"other\"") == std::string::npos, key);
}

BOOST_AUTO_TEST_CASE(threads_recording_into_their_shards_lose_nothing) {
  constexpr unsigned kThreads = 4;
  constexpr int kEach = 20000;
  Metrics m(Schema::Compiled(), kThreads);
  const int health = TemplateOf("/api/health");
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t)
    threads.emplace_back([&m, t, health] {
      for (int i = 0; i < kEach; ++i) m.Record(t, health, "GET", 200, i % 3000);
    });
  // Scrapes while they record: must not crash or count too much.
  testutil::TempEnv env;
  std::string text;
  for (int i = 0; i < 20; ++i) {
    text.clear();
    m.Render(env.env(), &text);
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(m.TEST_Count(health, "GET", 200) == kThreads * kEach);
}

BOOST_AUTO_TEST_CASE(the_exposition_has_counters_cumulative_buckets_and_lmdb_gauges) {
  testutil::TempEnv env;
  Metrics m(env.env().schema(), 1);
  const std::string item = "/api/" + env.env().schema().tables.front().name + "/{uuid}";
  const int id = TemplateOf(item);
  m.Record(0, id, "GET", 200, 1);        // le 0.000001
  m.Record(0, id, "GET", 200, 3);        // le 0.000005
  m.Record(0, id, "GET", 200, 1500000);  // over 1 s: +Inf only
  std::string text;
  m.Render(env.env(), &text);
  const auto s = Samples(text);
  const std::string labels = "{route=\"" + item + "\",method=\"GET\",status=\"200\"";
  auto at = [&](const std::string& key) {
    auto it = s.find(key);
    return it == s.end() ? std::string("(absent)") : it->second;
  };
  BOOST_TEST(at("lmdbapi_http_requests_total" + labels + "}") == "3");
  const std::string bucket = "lmdbapi_http_request_duration_seconds_bucket" + labels;
  BOOST_TEST(at(bucket + ",le=\"0.000001\"}") == "1");
  BOOST_TEST(at(bucket + ",le=\"0.000002\"}") == "1");
  BOOST_TEST(at(bucket + ",le=\"0.000005\"}") == "2");
  BOOST_TEST(at(bucket + ",le=\"1\"}") == "2");
  BOOST_TEST(at(bucket + ",le=\"+Inf\"}") == "3");
  BOOST_TEST(at("lmdbapi_http_request_duration_seconds_count" + labels + "}") == "3");
  BOOST_TEST(at("lmdbapi_http_request_duration_seconds_sum" + labels + "}") == "1.500004");
  BOOST_TEST(at("lmdbapi_lmdb_stat_ok") == "1");
  BOOST_TEST(at("lmdbapi_lmdb_map_size_bytes") == std::to_string(env.options().map_size_bytes));
  BOOST_TEST(at("lmdbapi_lmdb_map_max_bytes") == std::to_string(env.options().map_size_bytes));
  BOOST_TEST(at("lmdbapi_lmdb_map_growths_total") == "0");
  BOOST_TEST(at("lmdbapi_lmdb_map_adoptions_total") == "0");
  BOOST_TEST(at("lmdbapi_lmdb_writes_total") == "0");
  BOOST_TEST(at("lmdbapi_lmdb_write_transactions_total") == "0");
  for (const TableDesc& t : env.env().schema().tables)
    BOOST_TEST(at("lmdbapi_lmdb_entries{db=\"" + t.name + "\"}") == "0", t.name);
  BOOST_TEST(at("lmdbapi_schema_info{fingerprint=\"" + env.env().schema().FingerprintHash() +
                "\"}") == "1");
  // Every family has HELP and TYPE, and every sample line has the shape
  // name{labels} value.
  const std::regex sample(R"(^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$)");
  std::istringstream in(text);
  std::string line;
  int types = 0, helps = 0;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) ++types;
    else if (line.rfind("# HELP ", 0) == 0) ++helps;
    else BOOST_TEST(std::regex_match(line, sample), line);
  }
  BOOST_TEST(types == helps);
  BOOST_TEST(types >= 10);
}

BOOST_AUTO_TEST_CASE(the_route_answers_text_format_0_0_4) {
  testutil::TempEnv env;
  Metrics m(env.env().schema(), 1);
  http::Request req;
  req.method = "GET";
  req.path = "/api/metrics";
  http::Response resp;
  http::Scratch scratch;
  http::HandleRequest(env.env(), req, &resp, &scratch, {.openapi_json = {}, .metrics = &m});
  BOOST_TEST(resp.status == 200);
  BOOST_TEST(resp.content_type == "text/plain; version=0.0.4; charset=utf-8");
  BOOST_TEST(resp.body.find("# TYPE lmdbapi_http_requests_total counter") != std::string::npos);
  BOOST_TEST(resp.route_template == TemplateOf("/api/metrics"));
  // Without a Metrics, the LMDB series alone.
  http::HandleRequest(env.env(), req, &resp, &scratch);
  BOOST_TEST(resp.status == 200);
  BOOST_TEST(resp.body.find("lmdbapi_http_requests_total") == std::string::npos);
  BOOST_TEST(resp.body.find("lmdbapi_lmdb_used_bytes") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
