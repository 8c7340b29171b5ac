// SPDX-License-Identifier: Apache-2.0
// tests/http/auth_test.cc - src/http/auth.cc: the keys file and Authorize.

#include "http/auth.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
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
using lmdbapi::http::WeakKeyReason;

namespace {

constexpr const char* kReader = "reader-key-0123456789ab";
constexpr const char* kWriter = "writer-key-ABCDEFGHIJkl";

const char* kFile =
    "# lmdb-api keys\n"
    "\n"
    "read        reader-key-0123456789ab   # dashboard\n"
    "read-write  writer-key-ABCDEFGHIJkl\n";

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
      {"admin reader-key-0123456789ab\n", "keys.txt:1: scope \"admin\""},
      {"# c\nread\n", "keys.txt:2: a scope without a key"},
      {"read short\n", "keys.txt:1: the key is 5 characters"},
      {"read " + std::string(300, 'a') + "\n", "keys.txt:1: the key is 300"},
      {"read reader-key-01234567\xc3\xa9\n", "outside A-Z"},
      {"read reader-key-0123456789ab extra\n", "keys.txt:1: more than"},
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

BOOST_AUTO_TEST_CASE(keys_need_128_bits_by_the_alphabet_they_use) {
  // All hex: 4 bits a character, so 32.
  BOOST_TEST(WeakKeyReason("0123456789abcdef0123456789abcdef") == "");
  BOOST_TEST(WeakKeyReason("0123456789abcdef0123456789abcde").find(
                 "31 characters; a hex key needs at least 32") !=
             std::string::npos);
  // Anything wider counts as base64, 6 bits a character, so 22.
  BOOST_TEST(WeakKeyReason("k7Jd9Qm2Zp4x8Rt1Lw6Nc3") == "");
  BOOST_TEST(WeakKeyReason("k7Jd9Qm2Zp4x8Rt1Lw6Nc").find(
                 "21 characters; a non-hex key needs at least 22") !=
             std::string::npos);
  // Long but not random.
  BOOST_TEST(WeakKeyReason(std::string(40, 'a')).find("only 1 different") !=
             std::string::npos);
  BOOST_TEST(WeakKeyReason("ghghghghghghghghghghghghghgh").find(
                 "only 2 different") != std::string::npos);
  BOOST_TEST(WeakKeyReason(std::string(257, 'x')).find("at most 256") !=
             std::string::npos);
  // Through the file: the line is named.
  BOOST_TEST(ParseError("# c\nread 0123456789abcdef\n").find(
                 "keys.txt:2: the key is 16 characters") != std::string::npos);
}

// A keys file written into a fresh directory, mode 0600 unless changed.
struct KeysFile {
  lmdbapi::testutil::TempDir dir;
  std::string path = dir.path() + "/keys";
  KeysFile() {
    std::ofstream(path) << kFile;
    chmod(path.c_str(), 0600);
  }
  // LoadApiKeys' error message, "" if it loads.
  std::string Refusal() const {
    auto k = LoadApiKeys(path);
    if (k.ok()) {
      BOOST_TEST(k->keys.size() == 2u);
      return "";
    }
    BOOST_TEST(k.status().message().find(path) != std::string::npos,
               "names the file: " << k.status().message());
    BOOST_TEST(k.status().message().find('\n') == std::string::npos);
    return k.status().message();
  }
};

BOOST_AUTO_TEST_CASE(load_accepts_a_private_file_or_group_read) {
  KeysFile f;
  BOOST_TEST(f.Refusal() == "");
  chmod(f.path.c_str(), 0400);
  BOOST_TEST(f.Refusal() == "");
  // 0640 with the worker's own group (this process's).
  BOOST_TEST_REQUIRE(chown(f.path.c_str(), -1, getegid()) == 0);
  chmod(f.path.c_str(), 0640);
  BOOST_TEST(f.Refusal() == "");
  // A sticky world-writable directory (/tmp) protects files it holds.
  chmod(f.dir.path().c_str(), 01777);
  BOOST_TEST(f.Refusal() == "");
  chmod(f.dir.path().c_str(), 0700);
}

BOOST_AUTO_TEST_CASE(load_refuses_modes_others_may_read_or_write) {
  KeysFile f;
  for (unsigned mode : {0644u, 0604u, 0660u, 0666u, 0620u, 0602u}) {
    chmod(f.path.c_str(), mode);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    const std::string why = f.Refusal();
    BOOST_TEST(why.find(std::string("mode ") + octal) != std::string::npos,
               octal << ": " << why);
    BOOST_TEST(why.find("chmod 600") != std::string::npos, why);
  }
}

BOOST_AUTO_TEST_CASE(load_refuses_links_fifos_and_missing_files) {
  KeysFile f;
  const std::string link = f.dir.path() + "/link";
  std::filesystem::create_symlink(f.path, link);
  auto linked = LoadApiKeys(link);
  BOOST_TEST_REQUIRE(!linked.ok());
  BOOST_TEST(linked.status().message().find("symbolic link") != std::string::npos);

  const std::string fifo = f.dir.path() + "/fifo";
  BOOST_TEST_REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto piped = LoadApiKeys(fifo);  // must not hang waiting for a writer
  BOOST_TEST_REQUIRE(!piped.ok());
  BOOST_TEST(piped.status().message().find("not a regular file") != std::string::npos);

  auto missing = LoadApiKeys(f.dir.path() + "/nope");
  BOOST_TEST_REQUIRE(!missing.ok());
  BOOST_TEST((missing.status().code() == Status::Code::kIOError));
  BOOST_TEST(missing.status().message().find(f.dir.path() + "/nope") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(load_refuses_a_directory_anyone_may_write) {
  KeysFile f;
  chmod(f.dir.path().c_str(), 0777);
  const std::string why = f.Refusal();
  chmod(f.dir.path().c_str(), 0700);
  BOOST_TEST(why.find("lets anyone replace it") != std::string::npos, why);
  BOOST_TEST(why.find("chmod o-w " + f.dir.path()) != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(load_refuses_another_owner_or_group) {
  if (geteuid() != 0) {
    BOOST_TEST_MESSAGE("not root: cannot give a file away; skipped");
    return;
  }
  KeysFile f;
  const uid_t nobody = 65534;
  BOOST_TEST_REQUIRE(chown(f.path.c_str(), nobody, -1) == 0);
  std::string why = f.Refusal();
  BOOST_TEST(why.find("owned by uid 65534") != std::string::npos, why);

  // Group read is only for the worker's group.
  BOOST_TEST_REQUIRE(chown(f.path.c_str(), 0, nobody) == 0);
  chmod(f.path.c_str(), 0640);
  why = f.Refusal();
  BOOST_TEST(why.find("mode 0640") != std::string::npos, why);
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
