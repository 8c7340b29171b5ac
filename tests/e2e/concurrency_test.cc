// tests/e2e/concurrency_test.cc - eight client threads write at once; then
// every acknowledged record is there with the acknowledged content, every
// deleted one is gone, and every index, range and link agrees with its
// table (tests/e2e/workload.h does the work).

#include <iostream>

#include <boost/test/unit_test.hpp>

#include "harness.h"
#include "workload.h"

namespace lmdbapi::e2e {
namespace {

void Report(const WorkloadResult& w, const CheckResult& c, const WorkloadOptions& o) {
  std::cout << "concurrency: " << Summary(o, w, c) << std::endl;
  std::string failures;
  for (std::size_t i = 0; i < std::min<std::size_t>(w.failures.size(), 10); ++i)
    failures += "\n  " + w.failures[i];
  BOOST_TEST(w.failures.empty(), w.failures.size()
                                     << " answers broke the contract (seed " << o.seed
                                     << "), first ones:" << failures);
  std::string mismatches;
  for (std::size_t i = 0; i < std::min<std::size_t>(c.mismatches.size(), 20); ++i)
    mismatches += "\n  " + c.mismatches[i];
  BOOST_TEST(c.mismatches.empty(), c.mismatches.size()
                                       << " mismatches between the server and what it "
                                          "acknowledged (seed "
                                       << o.seed << "), first ones:" << mismatches);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(concurrency, StackFixture)

BOOST_AUTO_TEST_CASE(eight_writers_leave_every_table_and_index_consistent) {
  const WorkloadOptions o;  // 8 threads x 300 ops, fixed seed
  const WorkloadResult w = RunWorkload(stack.port(), o);
  BOOST_TEST(w.inserts > 0);
  const CheckResult c = CheckAgainst(http(), w);
  Report(w, c, o);
  BOOST_TEST(stack.WorkerRunning(0), "the worker should survive the load");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace lmdbapi::e2e
