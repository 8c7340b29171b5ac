// src/http/router.cc - see router.h.

#include "http/router.h"

#include <array>

#include "http/utf8.h"

namespace lmdbapi::http {
namespace {

constexpr std::string_view kPrefix = "/api/";

// Methods, as bits, so one shape's allowed set is a mask.
enum Method : unsigned {
  kGetM = 1,
  kPostM = 2,
  kPutM = 4,
  kDeleteM = 8,
  kOther = 16,
};

unsigned MethodBit(std::string_view method) {
  if (method == "GET" || method == "HEAD") return kGetM;
  if (method == "POST") return kPostM;
  if (method == "PUT") return kPutM;
  if (method == "DELETE") return kDeleteM;
  return kOther;
}

std::string_view AllowHeader(unsigned mask) {
  switch (mask) {
    case kGetM | kPostM:            return "GET, HEAD, POST";
    case kGetM | kPutM | kDeleteM:  return "GET, HEAD, PUT, DELETE";
    case kGetM:                     return "GET, HEAD";
    case kPostM:                    return "POST";
    case kPutM:                     return "PUT";
    case kDeleteM:                  return "DELETE";
  }
  return "";
}

// Up to four '/'-separated segments after /api/; false if there are more or
// any is empty (a doubled or trailing slash).
bool Split(std::string_view rest, std::array<std::string_view, 4>* seg,
           int* count) {
  *count = 0;
  while (true) {
    if (*count == 4) return false;
    std::size_t slash = rest.find('/');
    std::string_view s = rest.substr(0, slash);
    if (s.empty()) return false;
    (*seg)[(*count)++] = s;
    if (slash == std::string_view::npos) return true;
    rest = rest.substr(slash + 1);
  }
}

std::string Quoted(std::string_view s) {
  std::string q = "\"";
  AppendRepairedUtf8(s.substr(0, 80), &q);
  if (s.size() > 80) q += "...";
  q += '"';
  return q;
}

RouteMatch NoRoute(std::string detail) {
  RouteMatch m;
  m.outcome = RouteMatch::Outcome::kNoRoute;
  m.detail = std::move(detail);
  return m;
}

// What one path shape allows, and the route kind for each method.
struct Shape {
  unsigned allowed;
  RouteKind get = RouteKind::kFind;
  RouteKind post = RouteKind::kInsert;
  RouteKind put = RouteKind::kReplace;
  RouteKind del = RouteKind::kRemove;
};

// The path matched `shape`; pick the kind for `method` or say what is
// allowed.
RouteMatch Pick(unsigned method, const Shape& shape, Route route) {
  RouteMatch m;
  if ((method & shape.allowed) == 0) {
    m.outcome = RouteMatch::Outcome::kMethodNotAllowed;
    m.allow = AllowHeader(shape.allowed);
    return m;
  }
  route.kind = method == kGetM    ? shape.get
               : method == kPostM ? shape.post
               : method == kPutM  ? shape.put
                                  : shape.del;
  m.outcome = RouteMatch::Outcome::kMatched;
  m.route = route;
  return m;
}

// The shape matched with `method`; now the {uuid} segment must parse.
RouteMatch WithUuid(RouteMatch m, std::string_view text) {
  if (m.outcome != RouteMatch::Outcome::kMatched) return m;
  auto u = Uuid::Parse(text);
  if (u.ok()) {
    m.route.uuid = u.value();
    return m;
  }
  m.outcome = RouteMatch::Outcome::kBadUuid;
  m.detail = "uuid: " + Quoted(text) +
             " is not a uuid (expected 8-4-4-4-12 hex digits, e.g. "
             "0190a5c4-7e2b-7c3d-8e4f-0123456789ab)";
  return m;
}

}  // namespace

RouteMatch MatchRoute(const Schema& schema, std::string_view method,
                      std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix)
    return NoRoute("no route for " + Quoted(path) +
                   ": every route starts with /api/<table>");
  std::array<std::string_view, 4> seg;
  int n = 0;
  if (!Split(path.substr(kPrefix.size()), &seg, &n))
    return NoRoute("no route for " + Quoted(path));

  Route route;
  route.table = schema.FindTable(seg[0]);
  if (route.table == nullptr)
    return NoRoute("no table named " + Quoted(seg[0]));
  const unsigned m = MethodBit(method);
  using RK = RouteKind;

  if (n == 1)  // /api/T
    return Pick(m, {.allowed = kGetM | kPostM}, route);

  if (n == 2) {
    std::string_view s = seg[1];
    if (s == "insert-record") return Pick(m, {.allowed = kPostM}, route);
    if (s == "get-record") return Pick(m, {.allowed = kGetM}, route);
    if (s == "range")
      return Pick(m, {.allowed = kGetM, .get = RK::kRange}, route);
    return WithUuid(
        Pick(m, {.allowed = kGetM | kPutM | kDeleteM, .get = RK::kGet}, route),
        s);
  }

  if (n == 3) {
    if (seg[1] == "update" || seg[1] == "delete")
      return WithUuid(
          Pick(m, {.allowed = seg[1] == "update" ? kPutM : kDeleteM}, route),
          seg[2]);
    for (int c : route.table->children) {
      const TableDesc& child = schema.tables[c];
      if (child.name == seg[2]) {
        route.child = &child;
        return WithUuid(
            Pick(m, {.allowed = kGetM, .get = RK::kChildren}, route), seg[1]);
      }
    }
    return NoRoute("no route for " + Quoted(path) + ": " + Quoted(seg[2]) +
                   " is not a table linked to " + route.table->name);
  }

  return NoRoute("no route for " + Quoted(path));
}

}  // namespace lmdbapi::http
