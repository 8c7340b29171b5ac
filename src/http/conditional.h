// SPDX-License-Identifier: Apache-2.0
// src/http/conditional.h - If-Match and If-None-Match over revision ETags.
//
// A record's ETag is its revision in quotes, "5": a strong validator
// (RFC 9110 8.8.1), because the revision changes with every write and
// nothing else decides the record's JSON. The conditional headers carry a
// list of entity tags or "*" (RFC 9110 13.1.1, 13.1.2):
//
//   If-Match: "5"            If-None-Match: "5", W/"6"
//   If-Match: *              If-None-Match: *
//
// If-Match compares strongly (8.8.3.2): a weak tag W/"5" never matches,
// so a write sent with one fails its precondition (412), as RFC 9110
// requires. If-None-Match compares weakly: W/"5" matches "5". A tag that
// is well formed but not of this API's form ("abc") simply matches
// nothing. Only a header that is not an entity-tag list at all is an
// error (400), naming the header.

#ifndef LMDBAPI_HTTP_CONDITIONAL_H_
#define LMDBAPI_HTTP_CONDITIONAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lmdbapi/status.h"

namespace lmdbapi::http {

// The ETag header of a record at `revision`: "\"5\"".
std::string ETagFor(std::uint64_t revision);

struct EntityTag {
  bool weak = false;
  std::string_view opaque;  // with its quotes, as it appears in ETag
};

// One If-Match or If-None-Match header, parsed. Views into the header.
struct EntityTagList {
  bool present = false;  // the header was sent (and not blank)
  bool any = false;      // "*"
  std::vector<EntityTag> tags;
};

// Parses `header` (the value of the header `name`, for the message): a
// blank value is absent; else "*" or a comma-separated list of entity
// tags, empty elements allowed (RFC 9110 5.6.1).
//   kInvalidArgument  anything else, with subject `name`
Status ParseEntityTags(std::string_view header, std::string_view name,
                       EntityTagList* out);

// Whether the list names the record at `revision` (which exists): "*", or
// a tag equal to ETagFor(revision), compared strongly (If-Match) or weakly
// (If-None-Match).
bool MatchesStrongly(const EntityTagList& list, std::uint64_t revision);
bool MatchesWeakly(const EntityTagList& list, std::uint64_t revision);

// The revisions named by the list's strong tags of this API's form, in
// ascending order, each once.
std::vector<std::uint64_t> StrongRevisions(const EntityTagList& list);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_CONDITIONAL_H_
