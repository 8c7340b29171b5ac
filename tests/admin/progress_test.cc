// SPDX-License-Identifier: Apache-2.0
// tests/admin/progress_test.cc - the progress line (src/admin/progress.cc):
// drawn in place when enabled, absent otherwise, and throttled.

#include "admin/progress.h"

#include <sstream>

#include <boost/test/unit_test.hpp>

#include "admin_util.h"

using namespace lmdbapi;
using namespace lmdbapi::admin;
using lmdbapi::testutil::Contains;

BOOST_AUTO_TEST_SUITE(progress)

BOOST_AUTO_TEST_CASE(an_enabled_line_redraws_in_place_and_ends_with_a_newline) {
  std::ostringstream out;
  {
    ProgressLine p(&out, true, "export permits", ProgressLine::Unit::kCount,
                   "records");
    for (std::uint64_t i = 1; i <= 100000; ++i) p.Update(i, 100000);
  }
  std::string s = out.str();
  BOOST_TEST(s.front() == '\r');
  BOOST_TEST(s.back() == '\n');
  BOOST_TEST(Contains(s, "export permits: 100,000 of 100,000 records (100%)"), s);
  // Throttled: a handful of draws, not one per update.
  std::size_t draws = 0;
  for (char c : s) draws += c == '\r';
  BOOST_TEST(draws < 50u);
}

BOOST_AUTO_TEST_CASE(a_disabled_line_writes_nothing) {
  std::ostringstream out;
  ProgressLine p(&out, false, "x", ProgressLine::Unit::kBytes);
  p.Update(1, 2);
  p.Finish();
  BOOST_TEST(out.str().empty());
}

BOOST_AUTO_TEST_CASE(numbers_are_readable) {
  BOOST_TEST(ProgressLine::Count(0) == "0");
  BOOST_TEST(ProgressLine::Count(999) == "999");
  BOOST_TEST(ProgressLine::Count(1234567) == "1,234,567");
  BOOST_TEST(ProgressLine::Bytes(512) == "512 bytes");
  BOOST_TEST(ProgressLine::Bytes(1536) == "1.5 KiB");
  BOOST_TEST(ProgressLine::Bytes(std::uint64_t{3} << 30) == "3.0 GiB");
}

BOOST_AUTO_TEST_CASE(commands_draw_progress_only_when_asked) {
  testutil::TempEnv env;
  testutil::FillAll(env.env(), 20, 71);
  env.Close();
  auto quiet = testutil::RunAdmin({"--path", env.path(), "export", "all"});
  BOOST_TEST(quiet.err.empty(), quiet.err);
  auto shown = testutil::RunAdmin({"--path", env.path(), "export", "all"}, {},
                                  {}, true);
  BOOST_TEST(quiet.out == shown.out);  // never mixed into the data
  BOOST_TEST(Contains(shown.err, "\rexport all: "), shown.err);
}

BOOST_AUTO_TEST_SUITE_END()
