// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/fuzz_check.h - what a fuzz target does when a property fails.
//
// libFuzzer counts a crash as a finding and saves the input; FUZZ_CHECK
// prints what failed and aborts, so a broken round trip is a finding like a
// sanitizer report. (assert() would vanish under -DNDEBUG.)

#ifndef LMDBAPI_TESTS_FUZZ_FUZZ_CHECK_H_
#define LMDBAPI_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                           \
  do {                                                                   \
    if (!(cond)) {                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n",         \
                   __FILE__, __LINE__, #cond, std::string(what).c_str()); \
      std::abort();                                                      \
    }                                                                    \
  } while (0)

#endif  // LMDBAPI_TESTS_FUZZ_FUZZ_CHECK_H_
