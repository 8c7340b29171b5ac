// SPDX-License-Identifier: Apache-2.0
// src/http/conditional.cc - see conditional.h.
//
// The grammar is RFC 9110's (8.8.3, 5.6.1):
//   entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
//   etagc      = %x21 / %x23-7E / obs-text
// in a list separated by commas and optional whitespace.

#include "http/conditional.h"

#include <algorithm>
#include <charconv>

#include "http/header_text.h"

namespace lmdbapi::http {
namespace {

bool IsEtagChar(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

// Reads one entity-tag at the start of *rest and advances past it.
bool TakeEntityTag(std::string_view* rest, EntityTag* tag) {
  std::string_view s = *rest;
  tag->weak = s.substr(0, 2) == "W/";
  if (tag->weak) s.remove_prefix(2);
  if (s.empty() || s.front() != '"') return false;
  std::size_t end = 1;
  while (end < s.size() && IsEtagChar(static_cast<unsigned char>(s[end])))
    ++end;
  if (end == s.size() || s[end] != '"') return false;
  tag->opaque = s.substr(0, end + 1);
  rest->remove_prefix(rest->size() - (s.size() - end - 1));
  return true;
}

bool RevisionOf(std::string_view opaque, std::uint64_t* revision) {
  if (opaque.size() < 3) return false;
  const char* b = opaque.data() + 1;
  const char* e = opaque.data() + opaque.size() - 1;
  auto [end, ec] = std::from_chars(b, e, *revision);
  // from_chars takes no sign or space; leading zeros would make a second
  // spelling of one ETag, which ETagFor never writes.
  return ec == std::errc() && end == e && !(*b == '0' && e - b > 1);
}

bool Matches(const EntityTagList& list, std::uint64_t revision, bool strong) {
  if (list.any) return true;
  const std::string etag = ETagFor(revision);
  for (const EntityTag& t : list.tags)
    if (t.opaque == etag && !(strong && t.weak)) return true;
  return false;
}

}  // namespace

std::string ETagFor(std::uint64_t revision) {
  return "\"" + std::to_string(revision) + "\"";
}

Status ParseEntityTags(std::string_view header, std::string_view name,
                       EntityTagList* out) {
  *out = EntityTagList();
  std::string_view rest = Trim(header);
  if (rest.empty()) return Status();
  out->present = true;
  if (rest == "*") {
    out->any = true;
    return Status();
  }
  bool ok = true;
  while (ok && !rest.empty()) {
    if (rest.front() == ',') {  // an empty list element
      rest = Trim(rest.substr(1));
      continue;
    }
    EntityTag tag;
    ok = TakeEntityTag(&rest, &tag);
    if (!ok) break;
    out->tags.push_back(tag);
    rest = Trim(rest);
    ok = rest.empty() || rest.front() == ',';
  }
  if (ok && !out->tags.empty()) return Status();
  out->tags.clear();
  std::string shown(Trim(header).substr(0, 64));
  return Status::InvalidArgument(
      name, std::string(name) + ": " + shown +
                " is not a list of ETags (expected \"<revision>\" as the ETag "
                "header gave it, several separated by commas, or *)");
}

bool MatchesStrongly(const EntityTagList& list, std::uint64_t revision) {
  return Matches(list, revision, true);
}

bool MatchesWeakly(const EntityTagList& list, std::uint64_t revision) {
  return Matches(list, revision, false);
}

std::vector<std::uint64_t> StrongRevisions(const EntityTagList& list) {
  std::vector<std::uint64_t> out;
  for (const EntityTag& t : list.tags) {
    std::uint64_t r = 0;
    if (!t.weak && RevisionOf(t.opaque, &r)) out.push_back(r);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace lmdbapi::http
