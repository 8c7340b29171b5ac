// SPDX-License-Identifier: Apache-2.0
// tests/http/problem_test.cc - src/http/problem.cc: Status -> problem+json.

#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "http/problem.h"

using lmdbapi::Status;
using lmdbapi::http::AppendProblemJson;
using lmdbapi::http::HttpError;
using lmdbapi::http::ProblemFor;

BOOST_AUTO_TEST_SUITE(problem)

BOOST_AUTO_TEST_CASE(each_code_maps_to_its_status) {
  using C = Status::Code;
  BOOST_TEST(ProblemFor(C::kInvalidArgument).status == 400);
  BOOST_TEST(ProblemFor(C::kNotFound).status == 404);
  BOOST_TEST(ProblemFor(C::kUniqueViolation).status == 409);
  BOOST_TEST(ProblemFor(C::kConflict).status == 409);
  BOOST_TEST(ProblemFor(C::kMissingParent).status == 422);
  BOOST_TEST(ProblemFor(C::kStorageFull).status == 507);
  BOOST_TEST(ProblemFor(C::kUnavailable).status == 503);
  BOOST_TEST(ProblemFor(C::kSchemaMismatch).status == 500);
  BOOST_TEST(ProblemFor(C::kCorruption).status == 500);
  BOOST_TEST(ProblemFor(C::kIOError).status == 500);
}

BOOST_AUTO_TEST_CASE(http_errors_map_to_their_status) {
  BOOST_TEST(ProblemFor(HttpError::kNoRoute).status == 404);
  BOOST_TEST(ProblemFor(HttpError::kMethodNotAllowed).status == 405);
  BOOST_TEST(ProblemFor(HttpError::kBodyTooLarge).status == 413);
  BOOST_TEST(ProblemFor(HttpError::kUnsupportedMediaType).status == 415);
  BOOST_TEST(ProblemFor(HttpError::kMissingBody).status == 400);
  BOOST_TEST(ProblemFor(HttpError::kBadRequest).status == 400);
  BOOST_TEST(ProblemFor(HttpError::kInternal).status == 500);
  BOOST_TEST(ProblemFor(HttpError::kUriTooLong).status == 414);
  BOOST_TEST(ProblemFor(HttpError::kPreconditionFailed).status == 412);
}

BOOST_AUTO_TEST_CASE(all_problem_types_lists_each_type_once) {
  std::set<std::string> slugs;
  for (const lmdbapi::http::ProblemType& t : lmdbapi::http::AllProblemTypes())
    slugs.insert(std::string(t.slug));
  // Ten Status codes and sixteen HTTP errors, each its own slug.
  BOOST_TEST(lmdbapi::http::AllProblemTypes().size() == 26u);
  BOOST_TEST(slugs.size() == 26u);
  for (const char* s : {"invalid-argument", "not-found", "no-route",
                        "method-not-allowed", "uri-too-long", "internal"})
    BOOST_TEST(slugs.count(s) == 1u, s);
}

BOOST_AUTO_TEST_CASE(slugs_are_distinct) {
  std::set<std::string_view> seen;
  for (int c = 1; c <= static_cast<int>(Status::Code::kIOError); ++c)
    BOOST_TEST(seen.insert(ProblemFor(Status::Code(c)).slug).second, c);
  // Unique-key and stale-revision conflicts are both 409 but not the same.
  BOOST_TEST(ProblemFor(Status::Code::kConflict).slug !=
             ProblemFor(Status::Code::kUniqueViolation).slug);
  // The route 404 is not the record 404.
  BOOST_TEST(ProblemFor(HttpError::kNoRoute).slug !=
             ProblemFor(Status::Code::kNotFound).slug);
}

BOOST_AUTO_TEST_CASE(every_problem_status_has_a_reason_phrase_and_is_answered) {
  const std::vector<int> answered = lmdbapi::http::AnsweredStatuses();
  const std::set<int> statuses(answered.begin(), answered.end());
  BOOST_TEST(statuses.size() == answered.size(), "a status listed twice");
  std::vector<lmdbapi::http::ProblemType> types =
      lmdbapi::http::AllProblemTypes();
  for (const auto& t : lmdbapi::http::NginxOnlyProblemTypes())
    types.push_back(t);
  for (const auto& t : types) {
    BOOST_TEST(statuses.count(t.status) == 1u, t.slug);
    BOOST_TEST(lmdbapi::http::ReasonPhrase(t.status) != "Unknown", t.slug);
  }
  // The auth layer's statuses are counted too (they had no metrics label).
  for (int s : {200, 201, 204, 401, 403, 414})
    BOOST_TEST(statuses.count(s) == 1u, s);
}

BOOST_AUTO_TEST_CASE(reason_phrases_are_rfc9110s) {
  BOOST_TEST(lmdbapi::http::ReasonPhrase(200) == "OK");
  BOOST_TEST(lmdbapi::http::ReasonPhrase(304) == "Not Modified");
  BOOST_TEST(lmdbapi::http::ReasonPhrase(404) == "Not Found");
  BOOST_TEST(lmdbapi::http::ReasonPhrase(412) == "Precondition Failed");
  BOOST_TEST(lmdbapi::http::ReasonPhrase(413) == "Content Too Large");
  BOOST_TEST(lmdbapi::http::ReasonPhrase(507) == "Insufficient Storage");
  BOOST_TEST(lmdbapi::http::ReasonPhrase(299) == "Unknown");
}

BOOST_AUTO_TEST_CASE(nginx_only_types_are_not_the_workers) {
  std::set<std::string_view> worker;
  for (const auto& t : lmdbapi::http::AllProblemTypes()) worker.insert(t.slug);
  BOOST_TEST(!lmdbapi::http::NginxOnlyProblemTypes().empty());
  for (const auto& t : lmdbapi::http::NginxOnlyProblemTypes())
    BOOST_TEST(worker.count(t.slug) == 0u, t.slug);
}

BOOST_AUTO_TEST_CASE(body_is_rfc9457_json) {
  Status s = Status::InvalidArgument("issued_on", "not a date: \"2024-13-01\"");
  std::string body;
  AppendProblemJson(ProblemFor(s.code()), s.message(), s.subject(), &body);
  rapidjson::Document d;
  d.Parse(body.c_str());
  BOOST_TEST_REQUIRE(!d.HasParseError(), body);
  BOOST_TEST(d["type"].GetString() ==
             std::string("urn:lmdb-api:problem:invalid-argument"));
  BOOST_TEST(d["title"].GetString() == std::string("Invalid request"));
  BOOST_TEST(d["status"].GetInt() == 400);
  BOOST_TEST(d["detail"].GetString() == s.message());
  BOOST_TEST(d["field"].GetString() == std::string("issued_on"));
}

BOOST_AUTO_TEST_CASE(field_is_omitted_when_empty) {
  std::string body;
  AppendProblemJson(ProblemFor(HttpError::kNoRoute), "no table", "", &body);
  rapidjson::Document d;
  d.Parse(body.c_str());
  BOOST_TEST_REQUIRE(!d.HasParseError());
  BOOST_TEST(!d.HasMember("field"));
}

BOOST_AUTO_TEST_CASE(any_bytes_in_detail_still_give_valid_json) {
  std::string body;
  AppendProblemJson(ProblemFor(HttpError::kNoRoute),
                    std::string("bad \xFF\"\\\n\0 path", 13), "f\xC0", &body);
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(body.c_str());
  BOOST_TEST_REQUIRE(!d.HasParseError(), body);
  BOOST_TEST(std::string(d["detail"].GetString(),
                         d["detail"].GetStringLength()) ==
             std::string("bad \xEF\xBF\xBD\"\\\n\0 path", 15));
}

BOOST_AUTO_TEST_SUITE_END()
