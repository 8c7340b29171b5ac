// SPDX-License-Identifier: Apache-2.0
// src/http/params.cc - see params.h.

#include "http/params.h"

#include <charconv>

#include "http/base64url.h"
#include "json/utf8.h"

namespace lmdbapi::http {
namespace {

constexpr std::string_view kIsSuffix = ".is";
constexpr std::string_view kPrefixSuffix = ".prefix";

Status Twice(std::string_view name) {
  return Status::InvalidArgument(
      name, "query parameter " + QuoteForMessage(name) + " is given twice");
}

// Parses limit and after into *page; false if `p` is neither.
// Sets *s on a bad value or a repeat.
bool TakePageParam(const QueryParam& p, bool* seen_limit, bool* seen_after,
                   PageRequest* page, Status* s) {
  if (p.name == "limit") {
    if (*seen_limit) {
      *s = Twice("limit");
      return true;
    }
    *seen_limit = true;
    std::size_t v = 0;
    const char* b = p.value.data();
    const char* e = b + p.value.size();
    auto [end, ec] = std::from_chars(b, e, v);
    if (p.value.empty() || ec != std::errc() || end != e || v < 1 ||
        v > kMaxLimit) {
      *s = Status::InvalidArgument(
          "limit", "limit: " + QuoteForMessage(p.value) +
                       " is not a page size (expected 1.." +
                       std::to_string(kMaxLimit) + ")");
      return true;
    }
    page->limit = v;
    return true;
  }
  if (p.name == "after") {
    if (*seen_after) {
      *s = Twice("after");
      return true;
    }
    *seen_after = true;
    if (p.value.empty() || !DecodeBase64Url(p.value, &page->after)) {
      *s = Status::InvalidArgument(
          "after", "after: " + QuoteForMessage(p.value) +
                       " is not a cursor (pass the \"next\" of the "
                       "previous page unchanged)");
      page->after.clear();
    }
    return true;
  }
  return false;
}

// ParseValue, forgiving one form-encoding slip: a '+' in a timestamp's
// offset ("+02:00") written unescaped in a URL arrives as a space. No
// timestamp contains a space, so the reading is unambiguous.
Result<Value> ParseParamValue(FieldType type, const std::string& text,
                              std::string_view subject) {
  auto v = ParseValue(type, text, subject);
  if (v.ok() || type != FieldType::TIMESTAMP ||
      text.find(' ') == std::string::npos)
    return v;
  std::string plus = text;
  for (char& c : plus)
    if (c == ' ') c = '+';
  auto retry = ParseValue(type, plus, subject);
  return retry.ok() ? retry : v;
}

std::string FieldList(const TableDesc& table) {
  std::string list;
  for (std::size_t i = 0; i < table.fields.size(); ++i) {
    if (i > 0) list += ", ";
    list += table.fields[i].name;
  }
  return list;
}

}  // namespace

Status ParseQueryParams(const std::vector<QueryParam>& params,
                        const TableDesc& table, std::size_t max_string_bytes,
                        QueryRoute route, Query* query, PageRequest* page) {
  *query = Query();
  *page = PageRequest();
  page->limit = kDefaultLimit;
  bool ranged = route == QueryRoute::kRange;
  if (route == QueryRoute::kCount)
    for (const QueryParam& p : params) ranged = ranged || p.name == "field";
  bool seen_limit = false, seen_after = false, seen_order = false;
  const QueryParam* field = nullptr;
  const QueryParam* from = nullptr;
  const QueryParam* to = nullptr;
  std::vector<bool> seen(table.fields.size(), false);
  for (const QueryParam& p : params) {
    Status s;
    if (route == QueryRoute::kCount && p.name == "limit")
      return Status::InvalidArgument(
          "limit", "limit: a count has no pages; leave limit out");
    if (TakePageParam(p, &seen_limit, &seen_after, page, &s)) {
      if (!s.ok()) return s;
      continue;
    }
    if (p.name == "order") {
      if (route == QueryRoute::kCount)
        return Status::InvalidArgument(
            "order", "order: a count has no order; leave order out");
      if (seen_order) return Twice("order");
      seen_order = true;
      if (p.value != "asc" && p.value != "desc")
        return Status::InvalidArgument(
            "order", "order: " + QuoteForMessage(p.value) +
                         " is not an order (expected asc or desc)");
      query->descending = p.value == "desc";
      continue;
    }
    if (ranged) {
      const QueryParam** slot = p.name == "field" ? &field
                                : p.name == "from" ? &from
                                : p.name == "to"   ? &to
                                                   : nullptr;
      if (slot != nullptr) {
        if (*slot != nullptr) return Twice(p.name);
        *slot = &p;
        continue;
      }
    }
    // <field>.is=null: SQL's IS NULL, a name of its own so that f=null
    // stays the string "null" (or a 400 for other types). <field>.prefix:
    // strings that start with the value.
    std::string_view name = p.name;
    const bool is_null_test =
        name.size() > kIsSuffix.size() && name.ends_with(kIsSuffix);
    const bool is_prefix =
        name.size() > kPrefixSuffix.size() && name.ends_with(kPrefixSuffix);
    if (is_null_test) name.remove_suffix(kIsSuffix.size());
    if (is_prefix) name.remove_suffix(kPrefixSuffix.size());
    int i = table.FieldIndex(name);
    if (i < 0)
      return Status::InvalidArgument(
          p.name, "unknown query parameter " + QuoteForMessage(p.name) + "; " +
                      table.name + " filters on its fields (" +
                      FieldList(table) + "), <field>.is=null on nullable "
                      "ones, <field>.prefix on strings that lead an index, " +
                      (route == QueryRoute::kCount
                           ? "and takes field, from, to and after"
                           : ranged ? "and takes field, from, to, order, "
                                      "limit and after"
                                    : "and takes order, limit and after"));
    const FieldDesc& f = table.fields[i];
    if (seen[i])
      return Status::InvalidArgument(
          p.name, "query parameter " + QuoteForMessage(p.name) +
                      ": " + f.name + " is filtered twice (by " + f.name +
                      ", " + f.name + ".is or " + f.name + ".prefix)");
    seen[i] = true;
    if (is_null_test) {
      if (p.value != "null")
        return Status::InvalidArgument(
            p.name, p.name + ": " + QuoteForMessage(p.value) +
                        " is not accepted; the only test is " + p.name +
                        "=null (filter by value with " + f.name + "=...)");
      if (!f.nullable)
        return Status::InvalidArgument(
            p.name, p.name + ": " + f.name + " is never null (it is " +
                        (f.required ? "required" : "given a default") +
                        "); only nullable fields take .is=null");
      query->filters.push_back(Filter{i, Null{}});
      continue;
    }
    if (f.type == FieldType::STRING) {
      s = CheckStringBytes(f, p.value, max_string_bytes);
      if (!s.ok()) return s;
    }
    if (is_prefix) {
      if (p.value.empty())
        return Status::InvalidArgument(
            p.name, p.name + ": an empty prefix matches every record; leave "
                             "it out, or give at least one character");
      if (f.type == FieldType::STRING) {  // else the store names the type
        auto v = ParseParamValue(f.type, p.value, p.name);
        if (!v.ok()) return v.status();
      }
      query->prefix_field = i;
      query->prefix = p.value;
      continue;
    }
    auto v = ParseParamValue(f.type, p.value, f.name);
    if (!v.ok()) return v.status();
    query->filters.push_back(Filter{i, std::move(v.value())});
  }
  if (!ranged) return Status();
  if (field == nullptr)
    return Status::InvalidArgument(
        "field", "range needs field=<name of a field with a RANGE index>");
  query->range_field = table.FieldIndex(field->value);
  if (query->range_field < 0)
    return Status::InvalidArgument(
        "field", "field: " + QuoteForMessage(field->value) + " is not a field of " +
                     table.name + " (" + FieldList(table) + ")");
  const FieldDesc& f = table.fields[query->range_field];
  for (const QueryParam* bound : {from, to}) {
    if (bound == nullptr) continue;
    auto v = ParseParamValue(f.type, bound->value, bound->name);
    if (!v.ok()) return v.status();
    (bound == from ? query->from : query->to) = std::move(v.value());
  }
  return Status();
}

Status ParseFindParams(const std::vector<QueryParam>& params,
                       const TableDesc& table, std::size_t max_string_bytes,
                       std::vector<Filter>* filters, PageRequest* page) {
  Query query;
  Status s = ParseQueryParams(params, table, max_string_bytes,
                              QueryRoute::kFind, &query, page);
  *filters = std::move(query.filters);
  return s;
}

Status ParseRangeParams(const std::vector<QueryParam>& params,
                        const TableDesc& table, RangeQuery* range) {
  *range = RangeQuery();
  Query query;
  Status s = ParseQueryParams(params, table, 0, QueryRoute::kRange, &query,
                              &range->page);
  range->field = query.range_field;
  range->from = std::move(query.from);
  range->to = std::move(query.to);
  return s;
}

Status ParsePageParams(const std::vector<QueryParam>& params,
                       PageRequest* page) {
  *page = PageRequest();
  page->limit = kDefaultLimit;
  bool seen_limit = false, seen_after = false;
  for (const QueryParam& p : params) {
    Status s;
    if (!TakePageParam(p, &seen_limit, &seen_after, page, &s))
      return Status::InvalidArgument(
          p.name, "unknown query parameter " + QuoteForMessage(p.name) +
                      "; this route takes limit and after");
    if (!s.ok()) return s;
  }
  return Status();
}

Status ParseChangesParams(const std::vector<QueryParam>& params,
                          const Schema& schema, bool stream,
                          ChangesRequest* request, bool* has_after) {
  *request = ChangesRequest();
  request->limit = kDefaultLimit;
  *has_after = false;
  bool seen_limit = false, seen_tables = false;
  for (const QueryParam& p : params) {
    if (p.name == "after") {
      if (*has_after) return Twice("after");
      *has_after = true;
      const char* b = p.value.data();
      const char* e = b + p.value.size();
      auto [end, ec] = std::from_chars(b, e, request->after);
      if (p.value.empty() || ec != std::errc() || end != e)
        return Status::InvalidArgument(
            "after", "after: " + QuoteForMessage(p.value) +
                         " is not a sequence number (expected 0 or more: "
                         "the \"next\" of the previous page, or a change's "
                         "seq)");
    } else if (p.name == "limit" && !stream) {
      if (seen_limit) return Twice("limit");
      seen_limit = true;
      const char* b = p.value.data();
      const char* e = b + p.value.size();
      std::size_t v = 0;
      auto [end, ec] = std::from_chars(b, e, v);
      if (p.value.empty() || ec != std::errc() || end != e || v < 1 ||
          v > kMaxLimit)
        return Status::InvalidArgument(
            "limit", "limit: " + QuoteForMessage(p.value) +
                         " is not a page size (expected 1.." +
                         std::to_string(kMaxLimit) + ")");
      request->limit = v;
    } else if (p.name == "tables") {
      if (seen_tables) return Twice("tables");
      seen_tables = true;
      std::string_view rest = p.value;
      for (;;) {
        std::size_t comma = rest.find(',');
        std::string_view name = rest.substr(0, comma);
        const TableDesc* t = schema.FindTable(name);
        if (t == nullptr)
          return Status::InvalidArgument(
              "tables", "tables: " + QuoteForMessage(name) +
                            " is not a table (expected table names "
                            "separated by commas)");
        request->tables.push_back(t->position);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
    } else {
      return Status::InvalidArgument(
          p.name, "unknown query parameter " + QuoteForMessage(p.name) +
                      (stream ? "; the stream takes after and tables"
                              : "; this route takes after, limit and tables"));
    }
  }
  return Status();
}

Status ParseNoParams(const std::vector<QueryParam>& params) {
  if (params.empty()) return Status();
  return Status::InvalidArgument(
      params[0].name, "unknown query parameter " + QuoteForMessage(params[0].name) +
                          "; this route takes none");
}

}  // namespace lmdbapi::http
