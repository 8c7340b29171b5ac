// SPDX-License-Identifier: Apache-2.0
// src/http/content_negotiation.cc - see content_negotiation.h.
//
// The grammar (RFC 9110 5.6, 8.3.1, 12.4.2, 12.5.1) is small enough to
// walk here: no library in the project parses HTTP header fields (nginx
// hands them over as they came).

#include "http/content_negotiation.h"

#include <array>

#include "http/header_text.h"

namespace lmdbapi::http {
namespace {

// How well a range matches an offered type: none, */*, type/*, exact.
enum Specificity { kNoMatch = 0, kAnyType = 1, kAnySubtype = 2, kExact = 3 };

struct Offer {
  MediaType type;
  std::string_view name;  // "application/json"
};

constexpr std::array<Offer, 2> kOffers = {{
    {MediaType::kJson, "application/json"},
    {MediaType::kMsgpack, kMsgpackContentType},
}};

// Splits `list` at commas outside quoted strings; calls fn on each piece.
template <typename Fn>
void ForEachElement(std::string_view list, Fn fn) {
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    char c = list[i];
    if (quoted && c == '\\') {
      ++i;  // quoted-pair
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fn(list.substr(start, i - start));
      start = i + 1;
    }
  }
  fn(list.substr(start));
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), as
// thousandths; -1 if `text` is not one.
int ParseQValue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return -1;
  int whole = text[0] - '0';
  if (text.size() == 1) return whole * 1000;
  if (text[1] != '.' || text.size() > 5) return -1;
  int thousandths = 0, scale = 100;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9') return -1;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  if (whole == 1 && thousandths != 0) return -1;
  return whole * 1000 + thousandths;
}

struct Range {
  std::string_view type, subtype;
  int q = 1000;
};

// False if `element` is not a media range with a valid weight.
bool ParseRange(std::string_view element, Range* out) {
  std::size_t semi = element.find(';');
  std::string_view media = Trim(element.substr(0, semi));
  std::size_t slash = media.find('/');
  if (slash == std::string_view::npos || slash == 0 ||
      slash + 1 == media.size())
    return false;
  out->type = media.substr(0, slash);
  out->subtype = media.substr(slash + 1);
  if (out->type == "*" && out->subtype != "*") return false;
  out->q = 1000;
  while (semi != std::string_view::npos) {
    element = element.substr(semi + 1);
    semi = element.find(';');
    std::string_view param = Trim(element.substr(0, semi));
    std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!EqualsIgnoreCase(Trim(param.substr(0, eq)), "q")) continue;
    out->q = ParseQValue(Trim(param.substr(eq + 1)));
    if (out->q < 0) return false;
    break;  // what follows q is accept-ext, which we ignore
  }
  return true;
}

Specificity Match(const Range& range, std::string_view offered) {
  std::size_t slash = offered.find('/');
  std::string_view type = offered.substr(0, slash);
  std::string_view subtype = offered.substr(slash + 1);
  if (range.type == "*") return kAnyType;
  if (!EqualsIgnoreCase(range.type, type)) return kNoMatch;
  if (range.subtype == "*") return kAnySubtype;
  return EqualsIgnoreCase(range.subtype, subtype) ? kExact : kNoMatch;
}

}  // namespace

std::optional<MediaType> NegotiateMediaType(std::string_view accept) {
  struct Weight {
    Specificity by = kNoMatch;
    int q = 0;
  };
  std::array<Weight, kOffers.size()> weights{};
  bool any_range = false;
  ForEachElement(accept, [&](std::string_view element) {
    Range range;
    if (Trim(element).empty() || !ParseRange(element, &range)) return;
    any_range = true;
    for (std::size_t i = 0; i < kOffers.size(); ++i) {
      Specificity s = Match(range, kOffers[i].name);
      // The most specific range decides; among equally specific ones
      // (a client naming a type twice) the first.
      if (s > weights[i].by) weights[i] = {s, range.q};
    }
  });
  if (!any_range) return MediaType::kJson;
  std::optional<MediaType> best;
  int best_q = 0;
  for (std::size_t i = 0; i < kOffers.size(); ++i) {
    // Offers are in preference order: a tie keeps the earlier one.
    if (weights[i].by != kNoMatch && weights[i].q > best_q) {
      best = kOffers[i].type;
      best_q = weights[i].q;
    }
  }
  return best;
}

bool HasMediaType(std::string_view content_type, std::string_view media) {
  return EqualsIgnoreCase(
      Trim(content_type.substr(0, content_type.find(';'))), media);
}

}  // namespace lmdbapi::http
