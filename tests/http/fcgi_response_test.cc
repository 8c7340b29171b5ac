// SPDX-License-Identifier: Apache-2.0
// tests/http/fcgi_response_test.cc - src/http/fcgi_response.cc: the records
// a response is sent as, read back from a socket pair.

#include <fastcgi.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "http/fcgi_response.h"

using lmdbapi::http::WriteFcgiResponse;

namespace {

struct Rec {
  int type = 0, id = 0, padding = 0;
  std::string content;
};

// Reads everything until the writer closes its end.
std::vector<Rec> ReadRecords(int fd) {
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    all.append(buf, static_cast<std::size_t>(n));
  std::vector<Rec> out;
  for (std::size_t at = 0; at + 8 <= all.size();) {
    const auto* h = reinterpret_cast<const unsigned char*>(all.data() + at);
    BOOST_TEST_REQUIRE(h[0] == FCGI_VERSION_1);
    Rec r;
    r.type = h[1];
    r.id = h[2] << 8 | h[3];
    std::size_t len = static_cast<std::size_t>(h[4] << 8 | h[5]);
    r.padding = h[6];
    BOOST_TEST_REQUIRE(at + 8 + len + r.padding <= all.size());
    r.content = all.substr(at + 8, len);
    at += 8 + len + r.padding;
    out.push_back(r);
  }
  return out;
}

// Sends head + body on one end of a socket pair, reads the other.
std::vector<Rec> RoundTrip(int id, const std::string& head,
                           const std::string& body) {
  int sv[2];
  BOOST_TEST_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  // The writer blocks once the pair's buffer is full: read meanwhile.
  auto wrote = std::async(std::launch::async, [&] {
    bool ok = WriteFcgiResponse(sv[0], id, head, body);
    close(sv[0]);
    return ok;
  });
  std::vector<Rec> recs = ReadRecords(sv[1]);
  close(sv[1]);
  BOOST_TEST(wrote.get());
  return recs;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fcgi_response)

BOOST_AUTO_TEST_CASE(head_and_body_arrive_in_order_then_end_request) {
  const std::string head = "Status: 200 OK\r\nContent-Length: 5\r\n\r\n";
  std::vector<Rec> recs = RoundTrip(1, head, "hello");
  BOOST_TEST_REQUIRE(recs.size() == 4u);
  BOOST_TEST(recs[0].type == FCGI_STDOUT);
  BOOST_TEST(recs[0].content == head);
  BOOST_TEST(recs[1].type == FCGI_STDOUT);
  BOOST_TEST(recs[1].content == "hello");
  BOOST_TEST(recs[2].type == FCGI_STDOUT);  // the end of the stream
  BOOST_TEST(recs[2].content.empty());
  BOOST_TEST(recs[3].type == FCGI_END_REQUEST);
  BOOST_TEST_REQUIRE(recs[3].content.size() == sizeof(FCGI_EndRequestBody));
  BOOST_TEST(recs[3].content == std::string(8, '\0'));  // status 0, COMPLETE
}

BOOST_AUTO_TEST_CASE(bodies_past_a_record_are_split_and_every_byte_arrives) {
  // 4 MiB and a bit: past one sendmsg's 64 records too.
  std::string body(std::size_t{4} << 20 | 12345, '\0');
  for (std::size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>('a' + i % 23);
  std::vector<Rec> recs = RoundTrip(0x1234, "H\r\n\r\n", body);
  std::string stdout_bytes;
  for (std::size_t i = 0; i + 1 < recs.size(); ++i) {
    BOOST_TEST(recs[i].type == FCGI_STDOUT);
    BOOST_TEST(recs[i].content.size() <= 65535u);
    stdout_bytes += recs[i].content;
  }
  for (const Rec& r : recs) BOOST_TEST(r.id == 0x1234);
  BOOST_TEST(recs.back().type == FCGI_END_REQUEST);
  BOOST_TEST(recs[recs.size() - 2].content.empty());
  BOOST_TEST((stdout_bytes == "H\r\n\r\n" + body));
}

BOOST_AUTO_TEST_CASE(an_empty_body_sends_only_the_head) {
  std::vector<Rec> recs = RoundTrip(7, "Status: 204 No Content\r\n\r\n", "");
  BOOST_TEST_REQUIRE(recs.size() == 3u);
  BOOST_TEST(recs[1].content.empty());
  BOOST_TEST(recs[2].type == FCGI_END_REQUEST);
}

BOOST_AUTO_TEST_CASE(a_peer_gone_is_false_not_a_signal) {
  int sv[2];
  BOOST_TEST_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  close(sv[1]);
  BOOST_TEST(!WriteFcgiResponse(sv[0], 1, "Status: 200 OK\r\n\r\n", "x"));
  close(sv[0]);
}

BOOST_AUTO_TEST_SUITE_END()
