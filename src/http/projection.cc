// SPDX-License-Identifier: Apache-2.0
// src/http/projection.cc - see projection.h.

#include "http/projection.h"

#include <algorithm>
#include <string>

#include "json/utf8.h"

namespace lmdbapi::http {
namespace {

std::string FieldList(const TableDesc& table) {
  std::string list;
  for (std::size_t i = 0; i < table.fields.size(); ++i) {
    if (i > 0) list += ", ";
    list += table.fields[i].name;
  }
  return list;
}

Status Bad(std::string message) {
  return Status::InvalidArgument(kFieldsParam, "fields: " + message);
}

}  // namespace

Status TakeProjection(std::vector<QueryParam>* params, const TableDesc& table,
                      FieldMask* mask) {
  mask->keep.clear();
  auto it = std::find_if(params->begin(), params->end(),
                         [](const QueryParam& p) { return p.name == kFieldsParam; });
  if (it == params->end()) return Status();
  if (std::find_if(it + 1, params->end(), [](const QueryParam& p) {
        return p.name == kFieldsParam;
      }) != params->end())
    return Bad("the query parameter is given twice; list the fields in "
               "one, separated by commas");
  std::vector<bool> keep(table.fields.size(), false);
  std::string_view list = it->value;
  if (list.empty())
    return Bad("name at least one field (fields=a,b); " + table.name +
               " has: " + FieldList(table));
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty())
      return Bad("an empty name in " + QuoteForMessage(list) +
                 "; separate names by single commas");
    if (name == "uuid" || name == "revision") continue;  // always come
    int f = table.FieldIndex(name);
    if (f < 0)
      return Bad("unknown field " + QuoteForMessage(name) + "; " +
                 table.name + " has: " + FieldList(table));
    if (keep[static_cast<std::size_t>(f)])
      return Bad(QuoteForMessage(name) + " is named twice");
    keep[static_cast<std::size_t>(f)] = true;
  }
  mask->keep = std::move(keep);
  params->erase(it);
  return Status();
}

}  // namespace lmdbapi::http
