// SPDX-License-Identifier: Apache-2.0
// tests/admin/args_test.cc - option parsing (src/admin/args.cc).

#include "admin/args.h"

#include <boost/test/unit_test.hpp>

using namespace lmdbapi;
using namespace lmdbapi::admin;

BOOST_AUTO_TEST_SUITE(args)

BOOST_AUTO_TEST_CASE(options_go_anywhere_in_both_spellings) {
  auto a = ParseArgs({"x", "--batch", "5", "y", "--flag", "--path=/p", "--",
                      "--not-an-option"},
                     {{"batch", true}, {"flag", false}, {"path", true}});
  BOOST_TEST_REQUIRE(a.ok(), a.status().message());
  BOOST_TEST(a->operands == (std::vector<std::string>{"x", "y", "--not-an-option"}));
  BOOST_TEST(a->Get("batch").value() == "5");
  BOOST_TEST(a->Get("path").value() == "/p");
  BOOST_TEST(a->Has("flag"));
  BOOST_TEST(!a->Has("other"));
  BOOST_TEST(a->operands.size() == 3u);
}

BOOST_AUTO_TEST_CASE(mistakes_name_the_option) {
  std::vector<OptionSpec> specs = {{"batch", true}, {"flag", false}};
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{"--bacth", "5"}, "unknown option --bacth"},
           {{"--batch"}, "--batch needs a value"},
           {{"--flag=yes"}, "--flag takes no value"},
       }) {
    auto a = ParseArgs(c.args, specs);
    BOOST_TEST_REQUIRE(!a.ok());
    BOOST_TEST(a.status().message() == c.says);
  }
}

BOOST_AUTO_TEST_CASE(whole_numbers_are_checked_against_their_range) {
  auto a = ParseArgs({"--n", "12"}, {{"n", true}, {"m", true}});
  BOOST_TEST_REQUIRE(a.ok());
  BOOST_TEST(WholeOption(a.value(), "n", 1, 1, 100).value() == 12u);
  BOOST_TEST(WholeOption(a.value(), "m", 7, 1, 100).value() == 7u);  // default
  BOOST_TEST(!WholeOption(a.value(), "n", 1, 20, 100).ok());
  for (const char* bad : {"", "-1", "1x", " 1", "99999999999999999999999"}) {
    auto b = ParseArgs({"--n", bad}, {{"n", true}});
    BOOST_TEST_REQUIRE(b.ok());
    auto v = WholeOption(b.value(), "n", 1, 0, UINT64_MAX);
    BOOST_TEST(!v.ok(), bad);
    BOOST_TEST(v.status().subject() == "n");
  }
}

BOOST_AUTO_TEST_SUITE_END()
