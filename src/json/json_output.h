// SPDX-License-Identifier: Apache-2.0
// src/json/json_output.h - JSON text out: our string escaping, and a writer
// that appends to a std::string.
//
// Strings are escaped here, not by RapidJSON: Debian's RapidJSON 1.1.0
// SSE2 scan (Writer<StringBuffer>::ScanWriteUnescapedString) tests
// max(s, 0x19) == 0x19 and so copies bytes 0x1A..0x1F raw when they fall
// in an aligned 16-byte block, which is invalid JSON (RFC 8259 section 7).
// The escaping below is ours and tested byte by byte (json_output_test.cc,
// tests/fuzz/json_string_fuzz.cc). RapidJSON's Writer still writes the
// structure and the numbers (its dtoa and itoa), never a string.
//
// Responses are built in std::string buffers that keep their capacity
// from request to request (the worker keeps one per connection). The writer itself writes into
// RapidJSON's StringBuffer, not into the string: its Push is a bump of a
// pointer, and the escaping writes straight into the space it returns.
// What the writer wrote is appended to the string when the JsonWriter is
// destroyed; the StringBuffer is the thread's own and is reused.

#ifndef LMDBAPI_JSON_JSON_OUTPUT_H_
#define LMDBAPI_JSON_JSON_OUTPUT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace lmdbapi::http {

// The most bytes EscapeJsonChars writes for n input bytes (\u00XX is 6).
constexpr std::size_t MaxEscapedSize(std::size_t n) { return 6 * n; }

// Writes [begin, end) as the inside of a JSON string (no quotes) to out and
// returns the end of what it wrote. '"' and '\' get a backslash; \b \t \n
// \f \r their short escapes; every other byte below 0x20 \u00XX (upper-case
// hex, as RapidJSON writes it). Every other byte, 0x7F and UTF-8 bytes
// 0x80..0xFF included, is copied as it is: the caller hands valid UTF-8
// (stored strings are validated on the way in; problem details are
// repaired first). On x86-64, runs of bytes that need no escape are
// checked and copied sixteen at a time (SSE2), at any alignment.
// REQUIRES: out has room for MaxEscapedSize(end - begin) bytes.
char* EscapeJsonChars(const char* begin, const char* end, char* out);

// The same one byte at a time: what EscapeJsonChars does with runs shorter
// than sixteen bytes, and the reference its fast path is tested against.
char* EscapeJsonCharsBytewise(const char* begin, const char* end, char* out);

// Appends s as a JSON string, quotes included.
void AppendJsonString(std::string_view s, std::string* out);

namespace internal {
// The thread's StringBuffer, emptied, for the lifetime of one JsonWriter; a
// JsonWriter made while another is alive on the thread gets a fresh one.
// (A base class, so it exists before the Writer base that refers to it.)
class ThreadBuffer {
 protected:
  ThreadBuffer();
  ~ThreadBuffer();
  ThreadBuffer(const ThreadBuffer&) = delete;
  ThreadBuffer& operator=(const ThreadBuffer&) = delete;

  rapidjson::StringBuffer* buffer_;

 private:
  std::unique_ptr<rapidjson::StringBuffer> own_;  // when nested
};
}  // namespace internal

// Writes one JSON value; it is appended to *out when the writer goes out of
// scope, complete or not. The RapidJSON Writer is a private base, so
// nothing can reach its own string writing (String, Key, RawNumber): the
// string members below, and RapidJSON's SAX calls (Document::Accept) too,
// go through EscapeJsonChars. (No RawNumber: a handler fed numbers as
// strings does not compile, rather than writing them as RapidJSON 1.1.0
// does, quoted.)
class JsonWriter : private internal::ThreadBuffer,
                   private rapidjson::Writer<rapidjson::StringBuffer> {
  using Base = rapidjson::Writer<rapidjson::StringBuffer>;

 public:
  explicit JsonWriter(std::string* out) : Base(*buffer_), out_(out) {}
  ~JsonWriter() { out_->append(buffer_->GetString(), buffer_->GetSize()); }

  using Base::Bool;
  using Base::Double;
  using Base::EndArray;
  using Base::EndObject;
  using Base::Int;
  using Base::Int64;
  using Base::IsComplete;
  using Base::Null;
  using Base::StartArray;
  using Base::StartObject;
  using Base::Uint;
  using Base::Uint64;

  bool Key(std::string_view key) { return String(key); }
  bool String(std::string_view s);
  // RapidJSON's SAX handler signatures (Document::Accept calls these).
  bool Key(const char* s, rapidjson::SizeType n, bool = false) {
    return String(std::string_view(s, n));
  }
  bool String(const char* s, rapidjson::SizeType n, bool = false) {
    return String(std::string_view(s, n));
  }

 private:
  std::string* out_;
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_JSON_JSON_OUTPUT_H_
