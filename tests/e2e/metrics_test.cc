// SPDX-License-Identifier: Apache-2.0
// tests/e2e/metrics_test.cc - GET /api/metrics and /api/health of a real
// worker behind nginx.
//
// promtool (Debian's prometheus package, installed by `make deps`) must
// accept the exposition, lint included; counters must move by exactly the
// requests the test made; the LMDB series must agree with what was
// written. One worker process, so every request reaches the one whose
// counts are scraped.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "api.h"
#include "harness.h"

namespace lmdbapi::e2e {
namespace {

// "name{labels}" -> value, every sample of a text exposition.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::strtod(line.c_str() + sp + 1, nullptr);
  }
  return out;
}

std::string Labels(const std::string& route, const std::string& method, int status) {
  return "{route=\"" + route + "\",method=\"" + method + "\",status=\"" +
         std::to_string(status) + "\"}";
}

double At(const std::map<std::string, double>& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? 0 : it->second;
}

std::string Promtool() {
  if (const char* p = std::getenv("PROMTOOL"); p != nullptr && *p != '\0') return p;
  return "/usr/bin/promtool";
}

struct Scraper : StackFixture {
  std::map<std::string, double> Scrape() {
    Response r = http().Get("/api/metrics");
    BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
    last = r.body;
    return Samples(r.body);
  }
  std::string last;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(metrics, Scraper)

BOOST_AUTO_TEST_CASE(promtool_accepts_the_exposition) {
  BOOST_TEST_REQUIRE(access(Promtool().c_str(), X_OK) == 0,
                     Promtool() << " is missing: `make deps` installs Debian's prometheus "
                                   "package (or set PROMTOOL)");
  // A bit of everything first, so every family has series.
  const TableDesc& t = TheSchema().tables.front();
  Rec rec = InsertGenerated(http(), t);
  http().Get(RecordPath(t, rec.uuid));
  http().Get(RecordPath(t, "0190a5c4-7e2b-7c3d-8e4f-0123456789ab"));
  http().Request("PATCH", TablePath(t));
  http().Get("/api/no_such_table");
  http().Get("/api/health");
  Response r = http().Get("/api/metrics");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  BOOST_TEST(r.Header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  const std::string in = stack.dir() + "/metrics.txt", out = stack.dir() + "/promtool.txt";
  std::ofstream(in) << r.body;
  const std::string cmd = Promtool() + " check metrics < " + in + " > " + out + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream said(out);
  std::stringstream ss;
  ss << said.rdbuf();
  BOOST_TEST((WIFEXITED(rc) && WEXITSTATUS(rc) == 0),
             "promtool check metrics: " << ss.str() << "\n" << r.body.substr(0, 2000));
  BOOST_TEST_MESSAGE("promtool check metrics: exit 0 on " << r.body.size() << " bytes");
}

BOOST_AUTO_TEST_CASE(counters_move_by_exactly_the_requests_made) {
  const TableDesc& t = TheSchema().tables.front();
  const std::string item = "/api/" + t.name + "/{uuid}";
  Rec rec = InsertGenerated(http(), t);
  const auto before = Scrape();
  constexpr int kGets = 37, kMissing = 5, kPuts = 3, kHeads = 2;
  for (int i = 0; i < kGets; ++i) http().Get(RecordPath(t, rec.uuid));
  for (int i = 0; i < kMissing; ++i)
    http().Get(RecordPath(t, "0190a5c4-7e2b-7c3d-8e4f-0123456789ab"));
  for (int i = 0; i < kPuts; ++i) http().Put(RecordPath(t, rec.uuid), BodyJson(t, rec));
  for (int i = 0; i < kHeads; ++i) http().Request("HEAD", RecordPath(t, rec.uuid));
  const auto after = Scrape();

  auto moved = [&](const std::string& key) { return At(after, key) - At(before, key); };
  const std::string total = "lmdbapi_http_requests_total";
  const std::string count = "lmdbapi_http_request_duration_seconds_count";
  BOOST_TEST(moved(total + Labels(item, "GET", 200)) == kGets);
  BOOST_TEST(moved(count + Labels(item, "GET", 200)) == kGets);
  BOOST_TEST(moved(total + Labels(item, "GET", 404)) == kMissing);
  BOOST_TEST(moved(total + Labels(item, "PUT", 200)) == kPuts);
  BOOST_TEST(moved(total + Labels(item, "HEAD", 200)) == kHeads);
  // The first scrape is counted by the time the second renders; the second
  // is not yet.
  BOOST_TEST(moved(total + Labels("/api/metrics", "GET", 200)) == 1);
  // Each PUT is one write; group commit may share transactions.
  BOOST_TEST(moved("lmdbapi_lmdb_writes_total") == kPuts);
  BOOST_TEST(moved("lmdbapi_lmdb_write_transactions_total") >= 1);
  BOOST_TEST(moved("lmdbapi_lmdb_write_transactions_total") <= kPuts);
  BOOST_TEST(At(after, "lmdbapi_lmdb_entries{db=\"" + t.name + "\"}") >= 1);
  BOOST_TEST(At(after, "lmdbapi_lmdb_stat_ok") == 1);
}

BOOST_AUTO_TEST_CASE(histograms_are_cumulative_and_end_at_their_count) {
  const TableDesc& t = TheSchema().tables.front();
  for (int i = 0; i < 5; ++i) InsertGenerated(http(), t);
  Scrape();
  std::istringstream in(last);
  std::string line, series;
  double previous = -1;
  int checked = 0;
  while (std::getline(in, line)) {
    const std::string bucket = "lmdbapi_http_request_duration_seconds_bucket{";
    if (line.rfind(bucket, 0) != 0) continue;
    const std::size_t le = line.find(",le=\"");
    const std::string labels = line.substr(bucket.size(), le - bucket.size());
    const double v = std::strtod(line.c_str() + line.rfind(' ') + 1, nullptr);
    if (labels != series) {
      series = labels;
      previous = -1;
    }
    BOOST_TEST(v >= previous, line);
    previous = v;
    if (line.find("le=\"+Inf\"") != std::string::npos) {
      const double n = At(Samples(last),
                          "lmdbapi_http_request_duration_seconds_count{" + labels + "}");
      BOOST_TEST(v == n, line);
      ++checked;
    }
  }
  BOOST_TEST(checked >= 2);
}

BOOST_AUTO_TEST_CASE(health_reports_the_environment) {
  const TableDesc& t = TheSchema().tables.front();
  for (int i = 0; i < 4; ++i) InsertGenerated(http(), t);
  Response r = http().Get("/api/health");
  BOOST_TEST_REQUIRE(r.status == 200, r.Describe());
  rapidjson::Document d = ParseJson(r.body);
  BOOST_TEST_REQUIRE((!d.HasParseError() && d.IsObject()));
  BOOST_TEST(std::string(d["status"].GetString()) == "ok");
  BOOST_TEST(std::string(d["schema_fingerprint"].GetString()) == TheSchema().FingerprintHash());
  const auto& lmdb = d["lmdb"];
  BOOST_TEST(lmdb["entries"][t.name.c_str()].GetUint64() == 4u);
  BOOST_TEST(lmdb["used_bytes"].GetUint64() <= lmdb["map_size"].GetUint64());
  BOOST_TEST(lmdb["readers_in_use"].GetUint() <= lmdb["max_readers"].GetUint());
  const auto s = Scrape();
  BOOST_TEST(At(s, "lmdbapi_lmdb_entries{db=\"" + t.name + "\"}") == 4);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
