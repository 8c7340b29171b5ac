// SPDX-License-Identifier: Apache-2.0
// src/http/content_negotiation.h - which media type a data route answers
// in, from the request's Accept header (RFC 9110 section 12.5.1).
//
// Data routes offer two representations: application/json (the default,
// preferred when the client likes both equally) and application/msgpack.
// The Accept header is a list of media ranges, each with an optional
// weight: "application/msgpack, application/json;q=0.5", "*/*;q=0.1",
// "application/*". For each offered type the most specific range that
// matches it gives its weight (type/subtype over type/* over */*; a range
// without q weighs 1); the type with the highest weight above 0 wins, and
// q=0 excludes a type outright. Media type parameters other than q are
// ignored (our JSON is UTF-8, the only charset JSON has), as are
// extensions after q. A list element that is not a media range, or whose
// q is not a qvalue (0 to 1, at most three decimals), is skipped, as if
// the client had not sent it.
//
// No Accept header, or one with no usable element, accepts anything: JSON.
// A header whose ranges exclude both types has no answer: the caller sends
// 406. Problems (errors) are always application/problem+json, whatever
// Accept says (RFC 9110 15.5.7 lets a server answer an error in a type the
// client did not ask for; the README says so).

#ifndef LMDBAPI_HTTP_CONTENT_NEGOTIATION_H_
#define LMDBAPI_HTTP_CONTENT_NEGOTIATION_H_

#include <optional>
#include <string_view>

namespace lmdbapi::http {

enum class MediaType { kJson, kMsgpack };

inline constexpr std::string_view kMsgpackContentType = "application/msgpack";

// The media type to answer in, or nullopt when Accept excludes both (406).
std::optional<MediaType> NegotiateMediaType(std::string_view accept);

// Whether a Content-Type header names `media` (case-insensitive, any
// parameters ignored).
bool HasMediaType(std::string_view content_type, std::string_view media);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_CONTENT_NEGOTIATION_H_
