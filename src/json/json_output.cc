// SPDX-License-Identifier: Apache-2.0
// src/json/json_output.cc - see json_output.h.

#include "json/json_output.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lmdbapi::http {
namespace {

// For each byte: 0 if it is copied as it is, else the letter after the
// backslash ('u' for \u00XX).
constexpr auto kEscape = [] {
  struct Table { char c[256]; } t{};
  for (int b = 0; b < 0x20; ++b) t.c[b] = 'u';
  constexpr struct { unsigned char byte; char letter; } kShort[] = {
      {'\b', 'b'}, {'\t', 't'}, {'\n', 'n'}, {'\f', 'f'},
      {'\r', 'r'}, {'"', '"'},  {'\\', '\\'}};
  for (const auto& e : kShort) t.c[e.byte] = e.letter;
  return t;
}();

char* EscapeOne(unsigned char b, char* out) {
  const char e = kEscape.c[b];
  if (e == 0) {
    *out++ = static_cast<char>(b);
    return out;
  }
  *out++ = '\\';
  *out++ = e;
  if (e == 'u') {
    static constexpr char kHex[] = "0123456789ABCDEF";
    *out++ = '0';
    *out++ = '0';
    *out++ = kHex[b >> 4];
    *out++ = kHex[b & 0xf];
  }
  return out;
}

// Input is escaped this many bytes at a time into the StringBuffer, so a
// long string reserves 6 x this, not 6 x its length.
constexpr std::size_t kChunk = 4096;

thread_local rapidjson::StringBuffer spare;
thread_local bool spare_in_use = false;

}  // namespace

char* EscapeJsonCharsBytewise(const char* begin, const char* end, char* out) {
  for (const char* p = begin; p != end; ++p)
    out = EscapeOne(static_cast<unsigned char>(*p), out);
  return out;
}

char* EscapeJsonChars(const char* begin, const char* end, char* out) {
  const char* p = begin;
#if defined(__SSE2__)
  // A byte needs an escape if it is '"', '\' or at most 0x1F. The last
  // test is unsigned (min_epu8), so UTF-8 bytes 0x80..0xFF, negative as
  // signed chars, are not caught by it. Unaligned loads, all within
  // [begin, end): no byte past the string is read.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i max_control = _mm_set1_epi8(0x1f);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, max_control), v);
    const __m128i special = _mm_or_si128(
        control, _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                              _mm_cmpeq_epi8(v, backslash)));
    // out has room for 6 bytes per input byte left, so 16 always fit.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask == 0) {
      p += 16;
      out += 16;
      continue;
    }
    const int safe = __builtin_ctz(mask);
    p += safe;
    out += safe;
    out = EscapeOne(static_cast<unsigned char>(*p++), out);
  }
#endif
  return EscapeJsonCharsBytewise(p, end, out);
}

void AppendJsonString(std::string_view s, std::string* out) {
  const std::size_t start = out->size();
  out->resize(start + 2 + MaxEscapedSize(s.size()));
  char* p = out->data() + start;
  *p++ = '"';
  p = EscapeJsonChars(s.data(), s.data() + s.size(), p);
  *p++ = '"';
  out->resize(static_cast<std::size_t>(p - out->data()));
}

bool JsonWriter::String(std::string_view s) {
  Prefix(rapidjson::kStringType);
  buffer_->Put('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p != end) {
    const std::size_t n = std::min<std::size_t>(end - p, kChunk);
    const std::size_t room = MaxEscapedSize(n);
    char* out = buffer_->Push(room);
    char* written = EscapeJsonChars(p, p + n, out);
    buffer_->Pop(room - static_cast<std::size_t>(written - out));
    p += n;
  }
  buffer_->Put('"');
  return EndValue(true);
}

namespace internal {

// Kept for the thread's life, so its capacity is reused from value to value.
ThreadBuffer::ThreadBuffer() {
  if (spare_in_use) {
    own_ = std::make_unique<rapidjson::StringBuffer>();
    buffer_ = own_.get();
  } else {
    spare_in_use = true;
    spare.Clear();
    buffer_ = &spare;
  }
}

ThreadBuffer::~ThreadBuffer() {
  if (own_ == nullptr) spare_in_use = false;
}

}  // namespace internal
}  // namespace lmdbapi::http
