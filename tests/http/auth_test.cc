// tests/http/auth_test.cc - src/http/auth.cc: the keys file and Authorize.

#include "http/auth.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "testutil.h"

using lmdbapi::Status;
using lmdbapi::http::ApiKeys;
using lmdbapi::http::AuthExempt;
using lmdbapi::http::Authorize;
using lmdbapi::http::ConstantTimeEqual;
using lmdbapi::http::IsWriteMethod;
using lmdbapi::http::LoadApiKeys;
using lmdbapi::http::ParseApiKeys;
using lmdbapi::http::Scope;

namespace {

constexpr const char* kReader = "reader-key-0123456789";
constexpr const char* kWriter = "writer-key-ABCDEFGHIJ";

const char* kFile =
    "# lmdb-api keys\n"
    "\n"
    "read        reader-key-0123456789   # dashboard\n"
    "read-write  writer-key-ABCDEFGHIJ\n";

ApiKeys Keys() {
  auto k = ParseApiKeys(kFile, "keys.txt");
  BOOST_TEST_REQUIRE(k.ok(), k.status().message());
  return k.value();
}

// The error message ParseApiKeys gives for `text`, "" if it parses.
std::string ParseError(const std::string& text) {
  auto k = ParseApiKeys(text, "keys.txt");
  if (k.ok()) return "";
  BOOST_TEST(k.status().subject() == "API_KEYS_FILE");
  return k.status().message();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth)

BOOST_AUTO_TEST_CASE(file_format_scopes_comments_and_labels) {
  ApiKeys k = Keys();
  BOOST_TEST_REQUIRE(k.keys.size() == 2u);
  BOOST_TEST((k.keys[0].scope == Scope::kRead));
  BOOST_TEST(k.keys[0].key == kReader);
  BOOST_TEST(k.keys[0].label == "dashboard");
  BOOST_TEST((k.keys[1].scope == Scope::kReadWrite));
  BOOST_TEST(k.keys[1].label == "keys.txt:4");  // no comment: file and line
  // CRLF line ends and tabs are fine.
  BOOST_TEST(ParseError("read\t" + std::string(kReader) + "\r\n") == "");
}

BOOST_AUTO_TEST_CASE(bad_files_are_refused_naming_file_and_line) {
  struct Case {
    std::string text;
    std::string says;
  };
  const Case cases[] = {
      {"admin reader-key-0123456789\n", "keys.txt:1: scope \"admin\""},
      {"# c\nread\n", "keys.txt:2: a scope without a key"},
      {"read short\n", "keys.txt:1: the key is 5 characters"},
      {"read " + std::string(300, 'a') + "\n", "keys.txt:1: the key is 300"},
      {"read reader-key-01234567\xc3\xa9\n", "outside A-Z"},
      {"read reader-key-0123456789 extra\n", "keys.txt:1: more than"},
      {std::string("read ") + kReader + "\nread-write " + kReader + "\n",
       "keys.txt:2: this key is already listed"},
      {"", "keys.txt: no keys"},
      {"# only comments\n\n", "keys.txt: no keys"},
  };
  for (const Case& c : cases) {
    const std::string got = ParseError(c.text);
    BOOST_TEST(got.find(c.says) != std::string::npos,
               "file \"" << c.text.substr(0, 60) << "\": got \"" << got
                         << "\", want it to say \"" << c.says << "\"");
    BOOST_TEST(got.find(kReader) == std::string::npos, "never echo a key");
  }
}

BOOST_AUTO_TEST_CASE(load_reads_the_file_and_refuses_world_writable) {
  lmdbapi::testutil::TempDir dir;
  const std::string path = dir.path() + "/keys";
  std::ofstream(path) << kFile;
  chmod(path.c_str(), 0600);
  auto k = LoadApiKeys(path);
  BOOST_TEST_REQUIRE(k.ok(), k.status().message());
  BOOST_TEST(k->keys.size() == 2u);

  chmod(path.c_str(), 0666);
  auto open = LoadApiKeys(path);
  BOOST_TEST_REQUIRE(!open.ok());
  BOOST_TEST(open.status().message().find("anyone may write") != std::string::npos);

  auto missing = LoadApiKeys(dir.path() + "/nope");
  BOOST_TEST_REQUIRE(!missing.ok());
  BOOST_TEST((missing.status().code() == Status::Code::kIOError));
  BOOST_TEST(missing.status().message().find(dir.path() + "/nope") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(read_key_reads_write_key_writes) {
  ApiKeys k = Keys();
  const std::string bearer_reader = std::string("Bearer ") + kReader;
  const std::string bearer_writer = std::string("Bearer ") + kWriter;

  auto d = Authorize(k, bearer_reader, "", false);
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.who == "dashboard");
  BOOST_TEST(Authorize(k, "", kReader, false).allowed);
  BOOST_TEST(Authorize(k, bearer_writer, "", true).allowed);
  BOOST_TEST(Authorize(k, "", kWriter, false).allowed);
  // Scheme case-insensitive, extra blanks tolerated, both headers if equal.
  BOOST_TEST(Authorize(k, std::string("bearer   ") + kWriter + " ", "", true).allowed);
  BOOST_TEST(Authorize(k, bearer_writer, kWriter, true).allowed);

  auto forbidden = Authorize(k, bearer_reader, "", true);
  BOOST_TEST(!forbidden.allowed);
  BOOST_TEST(forbidden.problem.status == 403);
  BOOST_TEST(forbidden.www_authenticate.empty());
  BOOST_TEST(forbidden.detail.find("may only read") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_unknown_or_malformed_keys_get_401) {
  ApiKeys k = Keys();
  struct Case {
    std::string authorization, x_api_key;
    std::string says;
  };
  const Case cases[] = {
      {"", "", "no API key"},
      {"Bearer nobody-knows-this-key", "", "not valid"},
      {"", "nobody-knows-this-key", "not valid"},
      {"", std::string(kReader) + "x", "not valid"},         // a longer key
      {"", std::string(kReader).substr(0, 20), "not valid"},  // a prefix
      {"Basic dXNlcjpwYXNz", "", "scheme other than Bearer"},
      {"Bearer", "", "not \"Bearer <key>\""},
      {std::string("Bearer ") + kReader + " junk", "", "not \"Bearer <key>\""},
      {std::string("Bearer ") + kReader, kWriter, "different keys"},
      {"", std::string(100000, 'k'), "not valid"},
  };
  for (const Case& c : cases) {
    for (bool write : {false, true}) {
      auto d = Authorize(k, c.authorization, c.x_api_key, write);
      BOOST_TEST(!d.allowed, c.authorization << " / " << c.x_api_key.substr(0, 40));
      BOOST_TEST(d.problem.status == 401);
      BOOST_TEST(d.www_authenticate == "Bearer realm=\"lmdb-api\"");
      BOOST_TEST(d.detail.find(c.says) != std::string::npos,
                 "detail \"" << d.detail << "\" should say \"" << c.says << "\"");
      BOOST_TEST(d.detail.find(kReader) == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(problem_types_make_valid_problem_json) {
  ApiKeys k = Keys();
  for (const auto& d : {Authorize(k, "", "", false), Authorize(k, "", kReader, true)}) {
    std::string body;
    lmdbapi::http::AppendProblemJson(d.problem, d.detail, "", &body);
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    BOOST_TEST_REQUIRE(!doc.HasParseError(), body);
    BOOST_TEST(doc["status"].GetInt() == d.problem.status);
    BOOST_TEST(std::string(doc["type"].GetString()).find("urn:lmdb-api:problem:") == 0u);
  }
}

BOOST_AUTO_TEST_CASE(methods_and_exempt_paths) {
  BOOST_TEST(!IsWriteMethod("GET"));
  BOOST_TEST(!IsWriteMethod("HEAD"));
  BOOST_TEST(!IsWriteMethod("OPTIONS"));
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH", "BREW"})
    BOOST_TEST(IsWriteMethod(m), m);
  BOOST_TEST(AuthExempt("/api/health"));
  BOOST_TEST(!AuthExempt("/api/health/x"));
  BOOST_TEST(!AuthExempt("/api/permits"));
}

BOOST_AUTO_TEST_CASE(constant_time_equal_is_equality) {
  BOOST_TEST(ConstantTimeEqual("", ""));
  BOOST_TEST(ConstantTimeEqual("abc", "abc"));
  BOOST_TEST(!ConstantTimeEqual("abc", "abd"));
  BOOST_TEST(!ConstantTimeEqual("abc", "ab"));
  BOOST_TEST(!ConstantTimeEqual("ab", "abc"));
  BOOST_TEST(!ConstantTimeEqual(std::string("a\0", 2), "a"));  // 0 padding
  BOOST_TEST(!ConstantTimeEqual("", "x"));
}

BOOST_AUTO_TEST_SUITE_END()
