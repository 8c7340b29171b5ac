// SPDX-License-Identifier: Apache-2.0
// src/http/router.cc - see router.h.
//
// What each path shape allows, and which route kind each method names, is
// one table (ShapeOf); MatchRoute and RouteTemplates both read it.

#include "http/router.h"

#include <array>

#include "json/utf8.h"

namespace lmdbapi::http {
namespace {

constexpr std::string_view kPrefix = "/api/";

// Methods, as bits, so one shape's allowed set is a mask.
enum Method : unsigned {
  kGetM = 1,
  kPostM = 2,
  kPutM = 4,
  kDeleteM = 8,
  kPatchM = 16,
  kOther = 32,
};

unsigned MethodBit(std::string_view method) {
  if (method == "GET" || method == "HEAD") return kGetM;
  if (method == "POST") return kPostM;
  if (method == "PUT") return kPutM;
  if (method == "DELETE") return kDeleteM;
  if (method == "PATCH") return kPatchM;
  return kOther;
}

std::string_view AllowHeader(unsigned mask) {
  switch (mask) {
    case kGetM | kPostM:            return "GET, HEAD, POST";
    case kGetM | kPutM | kPatchM | kDeleteM:
      return "GET, HEAD, PUT, PATCH, DELETE";
    case kPutM | kPatchM:           return "PUT, PATCH";
    case kGetM:                     return "GET, HEAD";
    case kPostM:                    return "POST";
    case kPutM:                     return "PUT";
    case kDeleteM:                  return "DELETE";
  }
  return "";
}

// What one path shape allows, and the route kind for each method.
struct Shape {
  unsigned allowed;
  RouteKind get = RouteKind::kFind;
  RouteKind post = RouteKind::kInsert;
  RouteKind put = RouteKind::kReplace;
  RouteKind del = RouteKind::kRemove;
  RouteKind patch = RouteKind::kPatch;
};

Shape ShapeOf(PathShape shape) {
  using RK = RouteKind;
  switch (shape) {
    case PathShape::kCollection:   return {.allowed = kGetM | kPostM};
    case PathShape::kInsertRecord: return {.allowed = kPostM};
    case PathShape::kGetRecord:    return {.allowed = kGetM};
    case PathShape::kRange:        return {.allowed = kGetM, .get = RK::kRange};
    case PathShape::kItem:
      return {.allowed = kGetM | kPutM | kPatchM | kDeleteM, .get = RK::kGet};
    case PathShape::kUpdate:       return {.allowed = kPutM | kPatchM};
    case PathShape::kDelete:       return {.allowed = kDeleteM};
    case PathShape::kBulk:         return {.allowed = kPostM, .post = RK::kBulk};
    case PathShape::kChildren:     return {.allowed = kGetM, .get = RK::kChildren};
    case PathShape::kCount:        return {.allowed = kGetM, .get = RK::kCount};
    case PathShape::kHealth:       return {.allowed = kGetM, .get = RK::kHealth};
    case PathShape::kMetrics:      return {.allowed = kGetM, .get = RK::kMetrics};
    case PathShape::kOpenApi:      return {.allowed = kGetM, .get = RK::kOpenApi};
    case PathShape::kBatch:        return {.allowed = kPostM, .post = RK::kBatch};
    case PathShape::kChanges:      return {.allowed = kGetM, .get = RK::kChanges};
    case PathShape::kChangesStream:
      return {.allowed = kGetM, .get = RK::kChangesStream};
  }
  return {.allowed = 0};
}

// The table's shapes before its children, in RouteTemplates order, which
// TemplateIndex takes to be enum order.
static_assert(static_cast<int>(PathShape::kBulk) == 8);
constexpr std::array<PathShape, 9> kTableShapes = {
    PathShape::kCollection, PathShape::kInsertRecord, PathShape::kGetRecord,
    PathShape::kRange,      PathShape::kItem,         PathShape::kUpdate,
    PathShape::kDelete,     PathShape::kCount,        PathShape::kBulk};

struct ServicePath {
  std::string_view segment;
  PathShape shape;
};
constexpr std::array<ServicePath, 6> kServicePaths = {{
    {"health", PathShape::kHealth},
    {"metrics", PathShape::kMetrics},
    {"openapi.json", PathShape::kOpenApi},
    {"batch", PathShape::kBatch},
    {"changes", PathShape::kChanges},
    {"changes/stream", PathShape::kChangesStream},
}};

int TablesTemplateCount(const Schema& schema) {
  int n = 0;
  for (const TableDesc& t : schema.tables)
    n += static_cast<int>(kTableShapes.size() + t.children.size());
  return n;
}

// Position in RouteTemplates(schema) of `shape` on `table` (and the
// child_pos-th child for kChildren).
int TemplateIndex(const Schema& schema, const TableDesc& table,
                  PathShape shape, int child_pos) {
  int base = 0;
  for (int i = 0; i < table.position; ++i)
    base += static_cast<int>(kTableShapes.size() +
                             schema.tables[i].children.size());
  if (shape == PathShape::kChildren)
    return base + static_cast<int>(kTableShapes.size()) + child_pos;
  return base + static_cast<int>(shape);  // kTableShapes is enum order
}

std::string PathOf(const TableDesc& t, PathShape shape,
                   const TableDesc* child) {
  std::string p = std::string(kPrefix) + t.name;
  switch (shape) {
    case PathShape::kCollection:   return p;
    case PathShape::kInsertRecord: return p + "/insert-record";
    case PathShape::kGetRecord:    return p + "/get-record";
    case PathShape::kRange:        return p + "/range";
    case PathShape::kItem:         return p + "/{uuid}";
    case PathShape::kUpdate:       return p + "/update/{uuid}";
    case PathShape::kDelete:       return p + "/delete/{uuid}";
    case PathShape::kCount:        return p + "/count";
    case PathShape::kBulk:         return p + "/bulk";
    case PathShape::kChildren:     return p + "/{uuid}/" + child->name;
    case PathShape::kHealth:
    case PathShape::kMetrics:
    case PathShape::kOpenApi:
    case PathShape::kBatch:
    case PathShape::kChanges:
    case PathShape::kChangesStream:
      break;
  }
  return p;
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

// A range scan needs a RANGE index: without one the range path could only
// refuse, so it is no route at all.
bool HasRangeIndex(const TableDesc& t) {
  for (const IndexDesc& i : t.indexes)
    if (i.kind == IndexKind::RANGE) return true;
  return false;
}

// Paths are quoted longer than query values: a path's end says most.
std::string Quoted(std::string_view s) { return QuoteForMessage(s, 80); }

RouteMatch NoRoute(std::string detail) {
  RouteMatch m;
  m.outcome = RouteMatch::Outcome::kNoRoute;
  m.detail = std::move(detail);
  return m;
}

// The path matched the template at `index`; pick the kind for `method` or
// say what is allowed.
RouteMatch Pick(unsigned method, PathShape path_shape, int index,
                Route route) {
  const Shape shape = ShapeOf(path_shape);
  RouteMatch m;
  m.template_index = index;
  if ((method & shape.allowed) == 0) {
    m.outcome = RouteMatch::Outcome::kMethodNotAllowed;
    m.allow = AllowHeader(shape.allowed);
    return m;
  }
  route.kind = method == kGetM    ? shape.get
               : method == kPostM ? shape.post
               : method == kPutM  ? shape.put
               : method == kPatchM ? shape.patch
                                  : shape.del;
  m.outcome = RouteMatch::Outcome::kMatched;
  m.route = route;
  return m;
}

RouteMatch PickTable(const Schema& schema, unsigned method, PathShape shape,
                     Route route, int child_pos = 0) {
  return Pick(method, shape,
              TemplateIndex(schema, *route.table, shape, child_pos), route);
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
  const unsigned m = MethodBit(method);
  // Schema::Validate reserves these names, so no table shadows them.
  const std::string_view rest = path.substr(kPrefix.size());
  const int services = TablesTemplateCount(schema);
  for (std::size_t i = 0; i < kServicePaths.size(); ++i)
    if (rest == kServicePaths[i].segment)
      return Pick(m, kServicePaths[i].shape, services + static_cast<int>(i),
                  Route());
  std::array<std::string_view, 4> seg;
  int n = 0;
  if (!Split(rest, &seg, &n))
    return NoRoute("no route for " + Quoted(path));

  Route route;
  route.table = schema.FindTable(seg[0]);
  if (route.table == nullptr)
    return NoRoute("no table named " + Quoted(seg[0]));
  using PS = PathShape;

  if (n == 1) return PickTable(schema, m, PS::kCollection, route);

  if (n == 2) {
    std::string_view s = seg[1];
    if (s == "insert-record")
      return PickTable(schema, m, PS::kInsertRecord, route);
    if (s == "get-record") return PickTable(schema, m, PS::kGetRecord, route);
    if (s == "count") return PickTable(schema, m, PS::kCount, route);
    if (s == "bulk") return PickTable(schema, m, PS::kBulk, route);
    if (s == "range") {
      if (HasRangeIndex(*route.table))
        return PickTable(schema, m, PS::kRange, route);
      return NoRoute("no route for " + Quoted(path) + ": " +
                     route.table->name +
                     " has no RANGE index, so no range scan");
    }
    return WithUuid(PickTable(schema, m, PS::kItem, route), s);
  }

  if (n == 3) {
    if (seg[1] == "update" || seg[1] == "delete")
      return WithUuid(
          PickTable(schema, m, seg[1] == "update" ? PS::kUpdate : PS::kDelete,
                    route),
          seg[2]);
    const std::vector<int>& children = route.table->children;
    for (std::size_t c = 0; c < children.size(); ++c) {
      const TableDesc& child = schema.tables[children[c]];
      if (child.name == seg[2]) {
        route.child = &child;
        return WithUuid(PickTable(schema, m, PS::kChildren, route,
                                  static_cast<int>(c)),
                        seg[1]);
      }
    }
    return NoRoute("no route for " + Quoted(path) + ": " + Quoted(seg[2]) +
                   " is not a table linked to " + route.table->name);
  }

  return NoRoute("no route for " + Quoted(path));
}

bool RouteTemplate::Allows(std::string_view method) const {
  return (MethodBit(method) & allowed) != 0;
}

std::vector<RouteTemplate> RouteTemplates(const Schema& schema) {
  std::vector<RouteTemplate> out;
  auto add = [&out](std::string path, PathShape shape, const TableDesc* table,
                    const TableDesc* child) {
    const Shape s = ShapeOf(shape);
    const bool exists = shape != PathShape::kRange || HasRangeIndex(*table);
    out.push_back({std::move(path), shape, table, child,
                   AllowHeader(s.allowed), s.allowed, exists, s.get, s.post,
                   s.put, s.del, s.patch});
  };
  for (const TableDesc& t : schema.tables) {
    for (PathShape shape : kTableShapes)
      add(PathOf(t, shape, nullptr), shape, &t, nullptr);
    for (int c : t.children) {
      const TableDesc* child = &schema.tables[c];
      add(PathOf(t, PathShape::kChildren, child), PathShape::kChildren, &t,
          child);
    }
  }
  for (const ServicePath& s : kServicePaths)
    add(std::string(kPrefix) + std::string(s.segment), s.shape, nullptr,
        nullptr);
  return out;
}

}  // namespace lmdbapi::http
