// SPDX-License-Identifier: Apache-2.0
// tests/http/nginx_problems_test.cc - src/http/nginx_problems.cc: nginx's
// error pages are the worker's problem bodies, in nginx's syntax.

#include <map>
#include <regex>
#include <set>
#include <string>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "http/nginx_problems.h"
#include "http/problem.h"

namespace {

using lmdbapi::Result;
using lmdbapi::http::NginxProblemsConf;

std::string Conf() {
  Result<std::string> conf = NginxProblemsConf();
  BOOST_TEST_REQUIRE(conf.ok(), conf.status().message());
  return conf.value();
}

// nginx's single-quoted string back to its text: \\ and \' are escapes.
std::string Unquote(const std::string& quoted) {
  std::string out;
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    if (quoted[i] == '\\' && i + 1 < quoted.size()) ++i;
    out.push_back(quoted[i]);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nginx_problems)

BOOST_AUTO_TEST_CASE(every_error_nginx_makes_for_the_api_has_a_page) {
  const std::string conf = Conf();
  std::map<int, int> pages;  // error -> answer
  const std::regex line("\nerror_page  ([0-9]+)  =([0-9]+) /\\.problem/([0-9]+);");
  for (auto it = std::sregex_iterator(conf.begin(), conf.end(), line);
       it != std::sregex_iterator(); ++it) {
    BOOST_TEST((*it)[1].str() == (*it)[3].str(), "the page is named after the error");
    BOOST_TEST(pages.emplace(std::stoi((*it)[1]), std::stoi((*it)[2])).second,
               "error_page " << (*it)[1] << " twice");
  }
  const std::map<int, int> want = {
      {400, 400}, {494, 400}, {404, 404}, {405, 405}, {408, 408},
      {413, 413}, {414, 414}, {429, 429}, {500, 500}, {501, 501},
      {502, 503}, {503, 503}, {504, 503}, {505, 505}};
  BOOST_TEST((pages == want));
}

BOOST_AUTO_TEST_CASE(each_page_is_the_workers_problem_body) {
  const std::string conf = Conf();
  std::map<std::string, lmdbapi::http::ProblemType> types;
  for (const auto& t : lmdbapi::http::AllProblemTypes())
    types.emplace("urn:lmdb-api:problem:" + std::string(t.slug), t);
  for (const auto& t : lmdbapi::http::NginxOnlyProblemTypes())
    types.emplace("urn:lmdb-api:problem:" + std::string(t.slug), t);

  const std::regex page(
      "location = /\\.problem/([0-9]+) \\{\n"
      "    internal;\n"
      "    types         \\{ \\}\n"
      "    default_type  application/problem\\+json;\n"
      "    return        ([0-9]+) '((?:[^'\\\\]|\\\\.)*)';\n"
      "\\}\n");
  int n = 0;
  for (auto it = std::sregex_iterator(conf.begin(), conf.end(), page);
       it != std::sregex_iterator(); ++it, ++n) {
    const std::string body = Unquote((*it)[3]);
    BOOST_TEST_CONTEXT("page " << (*it)[1] << ": " << body) {
      rapidjson::Document d;
      d.Parse<rapidjson::kParseValidateEncodingFlag>(body.c_str());
      BOOST_TEST_REQUIRE((!d.HasParseError() && d.IsObject()));
      BOOST_TEST_REQUIRE(d["type"].IsString());
      auto t = types.find(d["type"].GetString());
      BOOST_TEST_REQUIRE((t != types.end()), "a type problems.def defines");
      BOOST_TEST(d["title"].GetString() == std::string(t->second.title));
      BOOST_TEST(d["status"].GetInt() == t->second.status);
      BOOST_TEST(d["status"].GetInt() == std::stoi((*it)[2]),
                 "the body's status is the answer's");
      BOOST_TEST(std::string(d["detail"].GetString()).find("nginx") !=
                     std::string::npos,
                 "the detail says nginx answered");
      BOOST_TEST(!d.HasMember("field"));
      BOOST_TEST(body.find('$') == std::string::npos,
                 "nginx would read a variable");
    }
  }
  BOOST_TEST(n == 14, "one page per error_page line");
}

BOOST_AUTO_TEST_CASE(the_conf_says_it_is_generated) {
  BOOST_TEST(Conf().find("src/http/problems.def") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
