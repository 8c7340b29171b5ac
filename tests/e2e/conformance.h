// SPDX-License-Identifier: Apache-2.0
// tests/e2e/conformance.h - every response checked against the OpenAPI
// document.
//
// A Conformance holds a parsed OpenAPI 3.1 document and judges responses:
// the path is matched against the document's path templates (literal
// segments beat {parameters}, as OpenAPI says), then
//   - a documented operation must list the status; the response's headers
//     marked required must be there; its Content-Type must be one the
//     status documents, and the body must validate against that schema (no
//     body where none is documented; HEAD is checked against its own
//     operation, or as GET without a body where it has none; OPTIONS is
//     an operation like any other, and CORS headers are optional ones);
//   - a method the path does not document must be 405, with an Allow
//     header naming exactly the documented methods (HEAD with GET) and the
//     components/responses/Problem405 body;
//   - a path under /api/ that no template matches, or outside /api/, must
//     be a documented problem (components/responses/Problem<status>).
// /api/docs/ (static files nginx serves) is not part of the API: skipped.
//
// The JSON Schema checker knows what openapi_schemas.cc emits and no more:
// $ref (local), type (one or a list), enum, format (uuid, date,
// date-time, int64, double), minimum, maximum, required, properties,
// additionalProperties (boolean or schema), items. Annotations (description,
// default, example, readOnly) are ignored; any other keyword is reported
// as unsupported, so a generator change cannot slip past unchecked.
//
// Every e2e suite is covered without changing it: a global fixture
// (conformance.cc) builds the document the worker serves (OpenApiJson of
// the compiled schema; tests/e2e/openapi_test.cc checks that the served
// bytes are the same) and installs an observer on HttpClient. A
// non-conforming response fails the running test at once when it came to
// the main thread; from other threads it is queued and reported by the
// main thread's next request, or at the end of the run. The run ends with
// a line saying how many responses were checked.

#ifndef LMDBAPI_TESTS_E2E_CONFORMANCE_H_
#define LMDBAPI_TESTS_E2E_CONFORMANCE_H_

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "http_client.h"

namespace lmdbapi::e2e {

class Conformance {
 public:
  // Parses `openapi_json`; error() says what was wrong with it, if anything.
  explicit Conformance(std::string_view openapi_json);

  const std::string& error() const { return error_; }
  const rapidjson::Document& document() const { return doc_; }

  struct Verdict {
    bool skipped = false;   // not an API response (no response, /api/docs/)
    std::string operation;  // "GET /api/permits/{uuid}"; "" if none matched
    std::string error;      // empty: conforms
  };
  // `path` as sent, query string included.
  Verdict Check(std::string_view method, std::string_view path,
                const Response& response) const;

  // Validates `value` against `schema` (a schema object of the document);
  // returns "" or what is wrong, naming the place in `value` (`where`).
  std::string Validate(const rapidjson::Value& schema,
                       const rapidjson::Value& value,
                       const std::string& where) const;

  // Every operation of the document, as "METHOD /path/template".
  std::vector<std::string> Operations() const;

  // The path template a concrete path (no query) matches, or "".
  std::string MatchPath(std::string_view path) const;

 private:
  const rapidjson::Value* Resolve(const rapidjson::Value& maybe_ref) const;
  std::string CheckResponse(const rapidjson::Value& documented, bool head,
                            const Response& r) const;
  std::string CheckProblemOnly(const Response& r) const;

  rapidjson::Document doc_;
  std::string error_;
  std::vector<std::vector<std::string>> templates_;  // split path templates
  std::vector<std::string> template_paths_;
};

// Counts of the run so far (the global checker's): responses checked,
// responses that did not conform, and operations seen at least once.
struct ConformanceCounts {
  long checked = 0;
  long violations = 0;
  std::size_t operations_seen = 0;
  std::size_t operations = 0;
};
ConformanceCounts GlobalConformanceCounts();

}  // namespace lmdbapi::e2e

#endif  // LMDBAPI_TESTS_E2E_CONFORMANCE_H_
