// SPDX-License-Identifier: Apache-2.0
// src/store/planner.cc - see planner.h.

#include "store/planner.h"

#include "store/key_codec.h"

namespace lmdbapi {
namespace {

const Filter* FilterOn(const std::vector<Filter>& filters, int field) {
  for (const Filter& f : filters)
    if (f.field == field) return &f;
  return nullptr;
}

Status BadCursor(const std::string& why) {
  return Status::InvalidArgument(
      "after", "after: not a cursor of this query (" + why +
                   "); pass the \"next\" value of the previous page unchanged");
}

}  // namespace

Plan ChoosePlan(const TableDesc& table, const std::vector<Filter>& filters) {
  Plan plan;
  int best = -1, best_covered = 0;
  bool best_point = false;
  for (std::size_t i = 0; i < table.indexes.size(); ++i) {
    const IndexDesc& index = table.indexes[i];
    int covered = 0;
    while (covered < static_cast<int>(index.key_fields.size()) &&
           FilterOn(filters, index.key_fields[covered]) != nullptr)
      ++covered;
    bool point = index.kind == IndexKind::UNIQUE &&
                 covered == static_cast<int>(index.key_fields.size());
    if (covered == 0) continue;
    if (covered > best_covered || (covered == best_covered && point &&
                                   !best_point)) {
      best = static_cast<int>(i);
      best_covered = covered;
      best_point = point;
    }
  }

  std::vector<bool> used(filters.size(), false);
  if (best >= 0) {
    const IndexDesc& index = table.indexes[best];
    plan.kind = Plan::Kind::kIndex;
    plan.index = best;
    plan.covered = best_covered;
    for (int k = 0; k < best_covered; ++k) {
      const Filter* f = FilterOn(filters, index.key_fields[k]);
      AppendFieldKeyPart(table.fields[index.key_fields[k]], f->value,
                         &plan.prefix);
      used[f - filters.data()] = true;
    }
    plan.description = "index " + index.name;
  } else if (const Filter* f = table.link_field >= 0
                                   ? FilterOn(filters, table.link_field)
                                   : nullptr) {
    plan.kind = Plan::Kind::kLink;
    plan.parent = std::get<Uuid>(f->value);
    used[f - filters.data()] = true;
    plan.description = "link " + table.links_db_name;
  } else {
    plan.description = "scan";
  }
  // Filters not consumed by the path, including repeats of a covered field
  // with another value (which then match nothing, as they should).
  for (std::size_t i = 0; i < filters.size(); ++i)
    if (!used[i]) plan.residual.push_back(static_cast<int>(i));
  return plan;
}

std::string EncodeCursor(char tag, int index, std::string_view key,
                         const Uuid& uuid) {
  std::string out(1, tag);
  if (index >= 0) out += static_cast<char>(index);
  out += key;
  out += uuid.AsBytes();
  return out;
}

CursorScope ScopeOf(const Plan& plan) {
  switch (plan.kind) {
    case Plan::Kind::kIndex: return {'I', plan.index, plan.prefix};
    case Plan::Kind::kLink: return {'L', -1, {}};
    case Plan::Kind::kScan: return {'S', -1, {}};
  }
  return {};  // unreachable: the switch covers every enumerator
}

Status DecodeCursor(std::string_view after, const TableDesc& table,
                    const CursorScope& scope, Resume* resume) {
  const bool keyed = scope.tag == 'I' || scope.tag == 'R';
  if (after.empty() || after[0] != scope.tag)
    return BadCursor("it was made by another kind of query");
  after.remove_prefix(1);
  // Checked here as well as promised by the caller: an index position past
  // the table's would otherwise index out of bounds below.
  if (keyed != (scope.index >= 0) ||
      scope.index >= static_cast<int>(table.indexes.size()))
    return BadCursor("it does not fit this query's plan");
  if (keyed) {
    if (after.empty() || static_cast<unsigned char>(after[0]) != scope.index)
      return BadCursor("it was made for another index");
    after.remove_prefix(1);
  }
  if (after.size() < 16) return BadCursor("too short");
  std::string_view key = after.substr(0, after.size() - 16);
  if (!keyed) {
    if (!key.empty()) return BadCursor("unexpected key bytes");
  } else {
    const IndexDesc& index = table.indexes[scope.index];
    if (scope.tag == 'R' && index.kind != IndexKind::RANGE)
      return BadCursor("it does not fit this query's plan");
    // Empty or over-long keys are what LMDB refuses with MDB_BAD_VALSIZE.
    if (key.empty()) return BadCursor("its index key is missing");
    if (key.size() > kMaxKeyBytes) return BadCursor("its index key is too long");
    std::vector<Value> parts;
    Uuid suffix;
    if (!ReadIndexKey(table, index, key, &parts, &suffix))
      return BadCursor("its key is not a key of index " + index.name);
    if (key.substr(0, scope.prefix.size()) != scope.prefix)
      return BadCursor("its key lies outside this query's filters");
  }
  Uuid uuid;
  if (!Uuid::FromBytes(after.substr(after.size() - 16), &uuid))
    return BadCursor("its uuid is malformed");
  resume->key.assign(key);
  resume->uuid = uuid;
  return Status();
}

}  // namespace lmdbapi
