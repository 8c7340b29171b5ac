// SPDX-License-Identifier: Apache-2.0
// tests/http/router_test.cc - src/http/router.cc, over the compiled schema.
//
// Walks Schema::Compiled(), so it holds for every schema under schema/.

#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "http/router.h"
#include "lmdbapi/schema.h"
#include "lmdbapi/uuid.h"

using lmdbapi::Schema;
using lmdbapi::TableDesc;
using lmdbapi::Uuid;
using lmdbapi::http::MatchRoute;
using lmdbapi::http::PathShape;
using lmdbapi::http::RouteTemplate;
using lmdbapi::http::RouteTemplates;
using lmdbapi::http::RouteKind;
using lmdbapi::http::RouteMatch;
using Outcome = lmdbapi::http::RouteMatch::Outcome;

namespace {

const std::string kUuid = "0190a5c4-7e2b-7c3d-8e4f-0123456789ab";

RouteMatch Match(const std::string& method, const std::string& path) {
  return MatchRoute(Schema::Compiled(), method, path);
}

void ExpectKind(const std::string& method, const std::string& path,
                RouteKind kind, const TableDesc& table) {
  RouteMatch m = Match(method, path);
  BOOST_TEST_REQUIRE((m.outcome == Outcome::kMatched),
                     method << " " << path << ": " << m.detail);
  BOOST_TEST((m.route.kind == kind), method << " " << path);
  BOOST_TEST(m.route.table == &table, method << " " << path);
}

void ExpectNotAllowed(const std::string& method, const std::string& path,
                      const std::string& allow) {
  RouteMatch m = Match(method, path);
  BOOST_TEST_REQUIRE((m.outcome == Outcome::kMethodNotAllowed),
                     method << " " << path);
  BOOST_TEST(m.allow == allow, method << " " << path);
}

void ExpectBadUuid(const std::string& method, const std::string& path) {
  RouteMatch m = Match(method, path);
  BOOST_TEST((m.outcome == Outcome::kBadUuid), method << " " << path);
  BOOST_TEST(m.detail.find("is not a uuid") != std::string::npos, m.detail);
}

void ExpectNoRoute(const std::string& method, const std::string& path) {
  RouteMatch m = Match(method, path);
  BOOST_TEST((m.outcome == Outcome::kNoRoute), method << " " << path);
  BOOST_TEST(!m.detail.empty());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(every_table_has_every_route_and_alias) {
  for (const TableDesc& t : Schema::Compiled().tables) {
    const std::string base = "/api/" + t.name;
    ExpectKind("POST", base, RouteKind::kInsert, t);
    ExpectKind("POST", base + "/insert-record", RouteKind::kInsert, t);
    ExpectKind("GET", base, RouteKind::kFind, t);
    ExpectKind("HEAD", base, RouteKind::kFind, t);
    ExpectKind("GET", base + "/get-record", RouteKind::kFind, t);
    bool ranged = false;
    for (const lmdbapi::IndexDesc& i : t.indexes)
      ranged |= i.kind == lmdbapi::IndexKind::RANGE;
    if (ranged) {
      ExpectKind("GET", base + "/range", RouteKind::kRange, t);
    } else {  // could only refuse, so it is no route
      ExpectNoRoute("GET", base + "/range");
      ExpectNoRoute("OPTIONS", base + "/range");
    }
    ExpectKind("GET", base + "/" + kUuid, RouteKind::kGet, t);
    ExpectKind("PUT", base + "/" + kUuid, RouteKind::kReplace, t);
    ExpectKind("PUT", base + "/update/" + kUuid, RouteKind::kReplace, t);
    ExpectKind("PATCH", base + "/" + kUuid, RouteKind::kPatch, t);
    ExpectKind("PATCH", base + "/update/" + kUuid, RouteKind::kPatch, t);
    ExpectKind("DELETE", base + "/" + kUuid, RouteKind::kRemove, t);
    ExpectKind("DELETE", base + "/delete/" + kUuid, RouteKind::kRemove, t);
  }
}

BOOST_AUTO_TEST_CASE(uuid_in_path_is_parsed_in_either_case) {
  const TableDesc& t = Schema::Compiled().tables.front();
  std::string upper = kUuid;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  RouteMatch m = Match("GET", "/api/" + t.name + "/" + upper);
  BOOST_TEST_REQUIRE((m.outcome == Outcome::kMatched));
  BOOST_TEST(m.route.uuid.ToString() == kUuid);
}

BOOST_AUTO_TEST_CASE(children_route_exists_only_for_linked_tables) {
  const Schema& s = Schema::Compiled();
  int linked = 0;
  for (const TableDesc& parent : s.tables) {
    for (const TableDesc& child : s.tables) {
      std::string path =
          "/api/" + parent.name + "/" + kUuid + "/" + child.name;
      if (child.parent == parent.position) {
        ++linked;
        RouteMatch m = Match("GET", path);
        BOOST_TEST_REQUIRE((m.outcome == Outcome::kMatched), path);
        BOOST_TEST((m.route.kind == RouteKind::kChildren));
        BOOST_TEST(m.route.table == &parent);
        BOOST_TEST(m.route.child == &child);
        ExpectNotAllowed("POST", path, "GET, HEAD");
      } else {
        ExpectNoRoute("GET", path);
      }
    }
  }
  BOOST_TEST(linked > 0, "every schema here has a secondary table");
}

BOOST_AUTO_TEST_CASE(wrong_method_lists_the_allowed_ones) {
  const std::string base = "/api/" + Schema::Compiled().tables.front().name;
  ExpectNotAllowed("DELETE", base, "GET, HEAD, POST");
  ExpectNotAllowed("PATCH", base, "GET, HEAD, POST");
  ExpectNotAllowed("GET", base + "/insert-record", "POST");
  ExpectNotAllowed("POST", base + "/get-record", "GET, HEAD");
  for (const TableDesc& t : Schema::Compiled().tables)  // range routes only
    for (const lmdbapi::IndexDesc& i : t.indexes)           // with a RANGE index
      if (i.kind == lmdbapi::IndexKind::RANGE)
        ExpectNotAllowed("PUT", "/api/" + t.name + "/range", "GET, HEAD");
  ExpectNotAllowed("POST", base + "/" + kUuid, "GET, HEAD, PUT, PATCH, DELETE");
  ExpectNotAllowed("GET", base + "/update/" + kUuid, "PUT, PATCH");
  ExpectNotAllowed("PATCH", base + "/delete/" + kUuid, "DELETE");
  ExpectNotAllowed("GET", base + "/delete/" + kUuid, "DELETE");
  ExpectNotAllowed("OPTIONS", base + "/" + kUuid, "GET, HEAD, PUT, PATCH, DELETE");
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_no_route) {
  const std::string base = "/api/" + Schema::Compiled().tables.front().name;
  ExpectNoRoute("GET", "/");
  ExpectNoRoute("GET", "/api");
  ExpectNoRoute("GET", "/api/");
  ExpectNoRoute("GET", "/api/no_such_table");
  ExpectNoRoute("GET", "/apix/" + Schema::Compiled().tables.front().name);
  ExpectNoRoute("GET", base + "/");  // trailing slash
  ExpectNoRoute("GET", base + "//" + kUuid);
  ExpectNoRoute("GET", base + "/" + kUuid + "/no_such_table");
  ExpectNoRoute("GET", base + "/not-a-uuid/no_such_table");
  ExpectNoRoute("GET", base + "/" + kUuid + "/x/y");
  ExpectNoRoute("GET", base + "/range/x");
  ExpectNoRoute("GET", std::string("/api/\xff\xfe"));
}

BOOST_AUTO_TEST_CASE(a_malformed_uuid_where_one_belongs_is_bad_uuid) {
  const Schema& s = Schema::Compiled();
  const std::string base = "/api/" + s.tables.front().name;
  for (const std::string& bad :
       {std::string("not-a-uuid"), kUuid.substr(1), kUuid + "0",
        kUuid.substr(0, 35) + "g", std::string("delete-record")}) {
    ExpectBadUuid("GET", base + "/" + bad);
    ExpectBadUuid("PUT", base + "/" + bad);
    ExpectBadUuid("DELETE", base + "/" + bad);
    ExpectBadUuid("PUT", base + "/update/" + bad);
    ExpectBadUuid("DELETE", base + "/delete/" + bad);
    for (int c : s.tables.front().children)
      ExpectBadUuid("GET", base + "/" + bad + "/" + s.tables[c].name);
  }
  ExpectBadUuid("PUT", base + "/update");  // the uuid was forgotten
  // The method is checked first: the shape allows no POST at all.
  ExpectNotAllowed("POST", base + "/not-a-uuid", "GET, HEAD, PUT, PATCH, DELETE");
}

BOOST_AUTO_TEST_CASE(the_template_list_is_what_the_router_routes) {
  // Every template, with a uuid for {uuid}, under every method: matched
  // with the template's kind and position where allowed, 405 with the
  // template's Allow and position where not.
  const std::vector<RouteTemplate> templates = RouteTemplates(Schema::Compiled());
  for (std::size_t i = 0; i < templates.size(); ++i) {
    const RouteTemplate& rt = templates[i];
    std::string path = rt.path;
    if (std::size_t at = path.find("{uuid}"); at != std::string::npos)
      path.replace(at, 6, kUuid);
    for (const std::string method : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}) {
      RouteMatch m = Match(method, path);
      BOOST_TEST_CONTEXT(method << " " << path) {
        if (!rt.exists) {  // a range path without a RANGE index
          BOOST_TEST((m.outcome == Outcome::kNoRoute));
          BOOST_TEST(m.detail.find("no RANGE index") != std::string::npos, m.detail);
          continue;
        }
        BOOST_TEST(m.template_index == static_cast<int>(i));
        if (!rt.Allows(method)) {
          BOOST_TEST((m.outcome == Outcome::kMethodNotAllowed));
          BOOST_TEST(m.allow == rt.allow);
          continue;
        }
        BOOST_TEST_REQUIRE((m.outcome == Outcome::kMatched));
        const RouteKind want = method == "POST" ? rt.post
                               : method == "PUT" ? rt.put
                               : method == "DELETE" ? rt.del
                               : method == "PATCH" ? rt.patch
                                                    : rt.get;
        BOOST_TEST((m.route.kind == want));
        BOOST_TEST(m.route.table == rt.table);
        BOOST_TEST(m.route.child == rt.child);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_template_list_has_every_table_route_and_the_service_routes) {
  const Schema& s = Schema::Compiled();
  const std::vector<RouteTemplate> templates = RouteTemplates(s);
  std::size_t children = 0;
  for (const TableDesc& t : s.tables) children += t.children.size();
  BOOST_TEST(templates.size() == s.tables.size() * 9 + children + 6);
  std::set<std::string> paths;
  for (const RouteTemplate& rt : templates) paths.insert(rt.path);
  BOOST_TEST(paths.size() == templates.size(), "no template twice");
  for (const char* p : {"/api/health", "/api/metrics", "/api/openapi.json",
                        "/api/batch", "/api/changes", "/api/changes/stream"})
    BOOST_TEST(paths.count(p) == 1u, p);
  const std::string base = "/api/" + s.tables.front().name;
  for (const std::string& p :
       {base, base + "/insert-record", base + "/get-record", base + "/range",
        base + "/{uuid}", base + "/update/{uuid}", base + "/delete/{uuid}",
        base + "/bulk"})
    BOOST_TEST(paths.count(p) == 1u, p);
}

BOOST_AUTO_TEST_CASE(service_routes_take_get_and_head_only) {
  struct Case { std::string path; RouteKind kind; };
  for (const Case& c : {Case{"/api/health", RouteKind::kHealth},
                        Case{"/api/metrics", RouteKind::kMetrics},
                        Case{"/api/openapi.json", RouteKind::kOpenApi},
                        Case{"/api/changes", RouteKind::kChanges},
                        Case{"/api/changes/stream", RouteKind::kChangesStream}}) {
    RouteMatch m = Match("GET", c.path);
    BOOST_TEST_REQUIRE((m.outcome == Outcome::kMatched), c.path);
    BOOST_TEST((m.route.kind == c.kind), c.path);
    BOOST_TEST(m.route.table == nullptr);
    BOOST_TEST((Match("HEAD", c.path).outcome == Outcome::kMatched));
    ExpectNotAllowed("POST", c.path, "GET, HEAD");
    ExpectNotAllowed("DELETE", c.path, "GET, HEAD");
    ExpectNoRoute("GET", c.path + "/x");
  }
}

BOOST_AUTO_TEST_CASE(batch_takes_post_only) {
  RouteMatch m = Match("POST", "/api/batch");
  BOOST_TEST_REQUIRE((m.outcome == Outcome::kMatched));
  BOOST_TEST((m.route.kind == RouteKind::kBatch));
  BOOST_TEST(m.route.table == nullptr);
  ExpectNotAllowed("GET", "/api/batch", "POST");
  ExpectNotAllowed("PUT", "/api/batch", "POST");
  ExpectNoRoute("POST", "/api/batch/x");
}

BOOST_AUTO_TEST_CASE(no_route_has_no_template) {
  BOOST_TEST(Match("GET", "/api/no_such_table").template_index == -1);
  BOOST_TEST(Match("GET", "/").template_index == -1);
}

BOOST_AUTO_TEST_CASE(no_route_detail_names_the_bad_segment) {
  RouteMatch m = Match("GET", "/api/nonesuch");
  BOOST_TEST(m.detail.find("\"nonesuch\"") != std::string::npos, m.detail);
  const std::string base = "/api/" + Schema::Compiled().tables.front().name;
  m = Match("GET", base + "/" + kUuid + "/nonesuch");
  BOOST_TEST(m.detail.find("\"nonesuch\"") != std::string::npos, m.detail);
}

BOOST_AUTO_TEST_SUITE_END()
