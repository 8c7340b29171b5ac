// SPDX-License-Identifier: Apache-2.0
// tests/http/conditional_test.cc - src/http/conditional.cc: entity-tag
// lists and how they match a record's revision.

#include "http/conditional.h"

#include <boost/test/unit_test.hpp>

using namespace lmdbapi;
using namespace lmdbapi::http;

namespace {

EntityTagList Parse(std::string_view header) {
  EntityTagList list;
  Status s = ParseEntityTags(header, "If-Match", &list);
  BOOST_TEST_REQUIRE(s.ok(), header << ": " << s.message());
  return list;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conditional)

BOOST_AUTO_TEST_CASE(the_etag_is_the_revision_in_quotes) {
  BOOST_TEST(ETagFor(5) == "\"5\"");
  BOOST_TEST(ETagFor(18446744073709551615u) == "\"18446744073709551615\"");
}

BOOST_AUTO_TEST_CASE(a_blank_header_is_absent_and_star_matches_any_revision) {
  BOOST_TEST(!Parse("").present);
  BOOST_TEST(!Parse(" \t").present);
  EntityTagList any = Parse(" * ");
  BOOST_TEST(any.present);
  BOOST_TEST(any.any);
  BOOST_TEST(MatchesStrongly(any, 3));
  BOOST_TEST(MatchesWeakly(any, 3));
}

BOOST_AUTO_TEST_CASE(if_match_compares_strongly_and_if_none_match_weakly) {
  EntityTagList strong = Parse("\"5\"");
  EntityTagList weak = Parse("W/\"5\"");
  BOOST_TEST(MatchesStrongly(strong, 5));
  BOOST_TEST(!MatchesStrongly(strong, 4));
  BOOST_TEST(!MatchesStrongly(weak, 5), "a weak tag never matches If-Match");
  BOOST_TEST(MatchesWeakly(weak, 5));
  BOOST_TEST(MatchesWeakly(strong, 5));
  BOOST_TEST(!MatchesWeakly(weak, 6));
}

BOOST_AUTO_TEST_CASE(lists_match_on_any_member_and_allow_empty_elements) {
  EntityTagList list = Parse(" , \"1\" ,W/\"2\",, \"abc\"  ,\"3\"");
  BOOST_TEST(list.tags.size() == 4u);
  BOOST_TEST(MatchesStrongly(list, 1));
  BOOST_TEST(!MatchesStrongly(list, 2));
  BOOST_TEST(MatchesWeakly(list, 2));
  BOOST_TEST(MatchesStrongly(list, 3));
  BOOST_TEST((StrongRevisions(list) == std::vector<std::uint64_t>{1, 3}));
}

BOOST_AUTO_TEST_CASE(only_this_apis_spelling_names_a_revision) {
  // Well formed, but no ETag this API writes: they match nothing.
  EntityTagList list = Parse("\"05\", \"-1\", \"+2\", \"\", \"x\"");
  BOOST_TEST(StrongRevisions(list).empty());
  BOOST_TEST(!MatchesStrongly(list, 5));
  BOOST_TEST(!MatchesWeakly(list, 1));
  BOOST_TEST(StrongRevisions(Parse("\"0\"")) == std::vector<std::uint64_t>{0});
}

BOOST_AUTO_TEST_CASE(malformed_headers_are_invalid_arguments_naming_the_header) {
  for (std::string_view bad :
       {"5", "\"5", "5\"", "w/\"5\"", "W/5", "\"5\" \"6\"", "\"5\", 6",
        "*, \"5\"", ",", "\"a\"b\"", "\"5\";"}) {
    EntityTagList list;
    Status s = ParseEntityTags(bad, "If-None-Match", &list);
    BOOST_TEST((s.code() == Status::Code::kInvalidArgument), bad);
    BOOST_TEST(s.subject() == "If-None-Match", bad);
    BOOST_TEST(list.tags.empty(), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()
