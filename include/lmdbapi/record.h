// SPDX-License-Identifier: Apache-2.0
// include/lmdbapi/record.h - one row of a table, as the library hands it out.
//
// fields[i] holds the value of TableDesc::fields[i] and always has that
// field's type; optional fields absent from stored bytes read as their
// defaults. revision counts the writes to this record: 1 after insert, +1
// on every replace. It is the basis for ETags and conflict checks.

#ifndef LMDBAPI_RECORD_H_
#define LMDBAPI_RECORD_H_

#include <cstdint>
#include <vector>

#include "lmdbapi/uuid.h"
#include "lmdbapi/value.h"

namespace lmdbapi {

struct Record {
  Uuid uuid;
  std::uint64_t revision = 0;
  std::vector<Value> fields;
};

}  // namespace lmdbapi

#endif  // LMDBAPI_RECORD_H_
