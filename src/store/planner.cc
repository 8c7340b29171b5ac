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

int LeadingCovered(const IndexDesc& index, const std::vector<Filter>& filters) {
  int covered = 0;
  while (covered < static_cast<int>(index.key_fields.size()) &&
         FilterOn(filters, index.key_fields[covered]) != nullptr)
    ++covered;
  return covered;
}

bool LeadsAnIndex(const TableDesc& table, int field) {
  for (const IndexDesc& index : table.indexes)
    if (index.key_fields[0] == field) return true;
  return false;
}

// Names of the fields of `type` that lead an index, for messages.
std::string LeadingFields(const TableDesc& table, FieldType type) {
  std::string out;
  for (std::size_t i = 0; i < table.fields.size(); ++i) {
    if (table.fields[i].type != type || !LeadsAnIndex(table, static_cast<int>(i)))
      continue;
    out += (out.empty() ? "" : ", ") + table.fields[i].name;
  }
  return out;
}

// The key-part bounds of the query's range or prefix (planner.h).
PartBounds OrderedBounds(const TableDesc& table, const Query& query) {
  PartBounds b;
  if (query.range_field >= 0) {
    const FieldDesc& f = table.fields[query.range_field];
    if (query.from) {
      AppendFieldKeyPart(f, *query.from, &b.lo);
    } else if (f.nullable) {
      b.lo.push_back(kKeyValueMarker);  // past every null
    }
    if (query.to) {
      AppendFieldKeyPart(f, *query.to, &b.hi);
      b.has_hi = true;
    }
    return b;
  }
  const FieldDesc& f = table.fields[query.prefix_field];
  if (f.nullable) b.lo.push_back(kKeyValueMarker);
  // A string's part is its escaped bytes and a 2-byte terminator: without
  // the terminator, the bytes every extension of the prefix starts with.
  std::string part;
  AppendKeyPart(Value(query.prefix), &part);
  b.lo.append(part, 0, part.size() - 2);
  b.hi = b.lo;
  b.has_hi = true;
  return b;
}

Status BadCursor(const std::string& why) {
  return Status::InvalidArgument(
      "after", "after: not a cursor of this query (" + why +
                   "); pass the \"next\" value of the previous page unchanged");
}

}  // namespace

Plan ChoosePlan(const TableDesc& table, const std::vector<Filter>& filters) {
  Query query;
  query.filters = filters;
  return ChooseQueryPlan(table, query);
}

Plan ChooseQueryPlan(const TableDesc& table, const Query& query) {
  const std::vector<Filter>& filters = query.filters;
  const int ordered_field =
      query.range_field >= 0 ? query.range_field : query.prefix_field;
  Plan plan;
  plan.descending = query.descending;
  // The equality path: the index with the most leading fields covered.
  int best = -1, best_covered = 0;
  bool best_point = false;
  // The ordered path: covered leading fields, then the ordered field.
  int ord = -1, ord_covered = -1;
  for (std::size_t i = 0; i < table.indexes.size(); ++i) {
    const IndexDesc& index = table.indexes[i];
    const int n = static_cast<int>(index.key_fields.size());
    int covered = LeadingCovered(index, filters);
    if (ordered_field >= 0 && covered < n &&
        index.key_fields[covered] == ordered_field &&
        (covered > ord_covered ||
         (covered == ord_covered && index.kind == IndexKind::RANGE &&
          table.indexes[ord].kind != IndexKind::RANGE))) {
      ord = static_cast<int>(i);
      ord_covered = covered;
    }
    bool point = index.kind == IndexKind::UNIQUE && covered == n;
    if (covered == 0) continue;
    if (covered > best_covered || (covered == best_covered && point &&
                                   !best_point)) {
      best = static_cast<int>(i);
      best_covered = covered;
      best_point = point;
    }
  }
  // One entry beats any walk.
  if (best_point) ord = -1;

  std::vector<bool> used(filters.size(), false);
  PartBounds ordered;
  if (ordered_field >= 0) ordered = OrderedBounds(table, query);
  if (ord >= 0 || best >= 0) {
    const int chosen = ord >= 0 ? ord : best;
    const IndexDesc& index = table.indexes[chosen];
    plan.kind = Plan::Kind::kIndex;
    plan.index = chosen;
    plan.covered = ord >= 0 ? ord_covered : best_covered;
    for (int k = 0; k < plan.covered; ++k) {
      const Filter* f = FilterOn(filters, index.key_fields[k]);
      AppendFieldKeyPart(table.fields[index.key_fields[k]], f->value,
                         &plan.prefix);
      used[f - filters.data()] = true;
    }
    plan.keys.lo = plan.keys.hi = plan.prefix;
    plan.keys.has_hi = true;
    if (ord >= 0) {
      plan.keys.lo += ordered.lo;
      plan.keys.hi += ordered.hi;
      plan.keys.has_hi = ordered.has_hi || !plan.prefix.empty();
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
  if (ordered_field >= 0 && ord < 0) {
    plan.ordered_field = ordered_field;
    plan.ordered = std::move(ordered);
  }
  if (plan.descending) plan.description += " desc";
  // Filters not consumed by the path, including repeats of a covered field
  // with another value (which then match nothing, as they should).
  for (std::size_t i = 0; i < filters.size(); ++i)
    if (!used[i]) plan.residual.push_back(static_cast<int>(i));
  return plan;
}

Status CheckOrdered(const TableDesc& table, const Query& query) {
  const int nfields = static_cast<int>(table.fields.size());
  if (query.range_field >= 0 && query.prefix_field >= 0)
    return Status::InvalidArgument(
        table.fields[query.prefix_field].name + ".prefix",
        "a query takes a range or a prefix, not both; filter the other "
        "field by equality");
  if (query.range_field >= nfields || query.prefix_field >= nfields)
    return Status::InvalidArgument(table.name,
                                   "the condition names no field of " +
                                       table.name);
  if (query.prefix_field >= 0) {
    const FieldDesc& f = table.fields[query.prefix_field];
    const std::string subject = f.name + ".prefix";
    if (f.type != FieldType::STRING)
      return Status::InvalidArgument(
          subject, subject + ": " + f.name + " is a " +
                       std::string(TypeName(f.type)) +
                       "; prefixes work on STRING fields that lead an index");
    if (!LeadsAnIndex(table, query.prefix_field)) {
      std::string leading = LeadingFields(table, FieldType::STRING);
      return Status::InvalidArgument(
          subject, subject + ": " + f.name + " leads no index of " +
                       table.name + ", so a prefix would scan the table; "
                       "prefixes work on: " +
                       (leading.empty() ? "no field of this table" : leading));
    }
  }
  if (query.range_field >= 0) {
    const FieldDesc& f = table.fields[query.range_field];
    if (f.type != FieldType::DATE && f.type != FieldType::TIMESTAMP &&
        f.type != FieldType::INT64)
      return Status::InvalidArgument(
          f.name, f.name + " is a " + std::string(TypeName(f.type)) +
                      "; ranges work on DATE, TIMESTAMP and INT64 fields");
    for (const std::optional<Value>* bound : {&query.from, &query.to})
      if (bound->has_value() && !Fits(**bound, f.type, false))
        return Status::InvalidArgument(
            f.name, f.name + " bounds must be " + std::string(TypeName(f.type)));
    Plan plan = ChooseQueryPlan(table, query);
    if (plan.kind == Plan::Kind::kScan) {
      std::string ranged;
      for (const IndexDesc& i : table.indexes)
        if (i.kind == IndexKind::RANGE)
          ranged += (ranged.empty() ? "" : ", ") + table.fields[i.key_fields[0]].name;
      return Status::InvalidArgument(
          f.name, f.name + " has no RANGE index in " + table.name +
                      " (nor an index leading with it, or with equality "
                      "filters of this query); ranges work on: " +
                      (ranged.empty() ? "no field of this table" : ranged) +
                      ", and on any field with an equality filter on an "
                      "indexed field beside it");
    }
  }
  return Status();
}

std::uint32_t QueryTag(const TableDesc& table, const Query& query) {
  std::string bytes;
  for (const Filter& f : query.filters) {
    bytes += static_cast<char>(f.field);
    AppendFieldKeyPart(table.fields[f.field], f.value, &bytes);
  }
  bytes += '|';
  if (query.range_field >= 0) {
    const FieldDesc& f = table.fields[query.range_field];
    bytes += static_cast<char>(query.range_field);
    for (const std::optional<Value>* bound : {&query.from, &query.to}) {
      bytes += bound->has_value() ? '+' : '-';
      if (bound->has_value() && Fits(**bound, f.type, false))
        AppendFieldKeyPart(f, **bound, &bytes);
    }
  }
  bytes += '|';
  if (query.prefix_field >= 0) {
    bytes += static_cast<char>(query.prefix_field);
    bytes += query.prefix;
  }
  std::uint32_t h = 2166136261u;  // FNV-1a, 32 bits
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string EncodeCursor(char tag, int index, std::string_view key,
                         const Uuid& uuid, std::uint32_t query) {
  std::string out(1, tag);
  if (index >= 0) out += static_cast<char>(index);
  out += key;
  out += uuid.AsBytes();
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((query >> shift) & 0xFF);
  return out;
}

CursorScope ScopeOf(const Plan& plan, std::uint32_t query) {
  CursorScope scope;
  switch (plan.kind) {
    case Plan::Kind::kIndex: scope = {'I', plan.index, plan.prefix}; break;
    case Plan::Kind::kLink: scope = {'L', -1, {}}; break;
    case Plan::Kind::kScan: scope = {'S', -1, {}}; break;
  }
  scope.descending = plan.descending;
  scope.query = query;
  return scope;
}

Status DecodeCursor(std::string_view after, const TableDesc& table,
                    const CursorScope& scope, Resume* resume) {
  const bool keyed = scope.tag == 'I' || scope.tag == 'R';
  const char lower = static_cast<char>(scope.tag - 'A' + 'a');
  const char tag = scope.descending ? lower : scope.tag;
  const char other = scope.descending ? scope.tag : lower;
  if (!after.empty() && after[0] == other)
    return BadCursor(std::string("it was made for order=") +
                     (scope.descending ? "asc" : "desc"));
  if (after.empty() || after[0] != tag)
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
  if (after.size() < 20) return BadCursor("too short");
  std::string_view tail = after.substr(after.size() - 4);
  after.remove_suffix(4);
  std::uint32_t query = 0;
  for (char c : tail) query = (query << 8) | static_cast<unsigned char>(c);
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
  if (query != scope.query)
    return BadCursor("it was made for other filters or bounds");
  resume->key.assign(key);
  resume->uuid = uuid;
  return Status();
}

}  // namespace lmdbapi
