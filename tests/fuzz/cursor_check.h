// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/cursor_check.h - the property every decoded page cursor must
// have (src/store/planner.h), shared by cursor_fuzz and planner_fuzz.
//
// DecodeCursor either refuses the bytes as kInvalidArgument naming "after"
// (a 400), or accepts a resume point that is exactly what the bytes encode
// and that the walk could meet: for an index walk, a key LMDB accepts
// (1..kMaxKeyBytes), made of exactly the index's key parts, starting with
// the scope's prefix.

#ifndef LMDBAPI_TESTS_FUZZ_CURSOR_CHECK_H_
#define LMDBAPI_TESTS_FUZZ_CURSOR_CHECK_H_

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "lmdbapi/schema.h"
#include "store/key_codec.h"
#include "store/planner.h"

namespace lmdbapi::fuzz {

inline void CheckCursor(const TableDesc& t, const CursorScope& scope,
                        std::string_view after) {
  Resume resume;
  Status s = DecodeCursor(after, t, scope, &resume);
  if (!s.ok()) {
    FUZZ_CHECK(s.code() == Status::Code::kInvalidArgument && s.subject() == "after",
               s.message());
    return;
  }
  FUZZ_CHECK(EncodeCursor(scope.tag, scope.index, resume.key, resume.uuid) == after,
             t.name + ": accepted cursor does not re-encode");
  if (scope.index < 0) {
    FUZZ_CHECK(resume.key.empty(), t.name + ": key on a keyless walk");
    return;
  }
  FUZZ_CHECK(!resume.key.empty() && resume.key.size() <= kMaxKeyBytes,
             t.name + ": key length LMDB refuses");
  FUZZ_CHECK(std::string_view(resume.key).substr(0, scope.prefix.size()) == scope.prefix,
             t.name + ": key outside the prefix");
  const IndexDesc& index = t.indexes[scope.index];
  FUZZ_CHECK(scope.tag != 'R' || index.kind == IndexKind::RANGE, index.name);
  std::vector<Value> parts;
  Uuid suffix;
  FUZZ_CHECK(ReadIndexKey(t, index, resume.key, &parts, &suffix),
             index.name + ": not a key of the index");
}

}  // namespace lmdbapi::fuzz

#endif  // LMDBAPI_TESTS_FUZZ_CURSOR_CHECK_H_
