// src/http/json_output.h - RapidJSON's Writer, appending to a std::string.
//
// Responses are built in per-thread std::string buffers that keep their
// capacity from request to request; this adapter lets RapidJSON's Writer
// (which escapes strings and prints shortest round-trip doubles) append to
// them directly, with no intermediate StringBuffer copy.

#ifndef LMDBAPI_HTTP_JSON_OUTPUT_H_
#define LMDBAPI_HTTP_JSON_OUTPUT_H_

#include <string>
#include <string_view>

#include <rapidjson/writer.h>

namespace lmdbapi::http {

// A RapidJSON output stream (Put/Flush) over a std::string.
class StringOutput {
 public:
  using Ch = char;
  explicit StringOutput(std::string* out) : out_(out) {}
  void Put(char c) { out_->push_back(c); }
  void Flush() {}

 private:
  std::string* out_;
};

namespace internal {
// Base-from-member: the stream must exist before the Writer base that
// keeps a reference to it.
struct StringOutputHolder {
  explicit StringOutputHolder(std::string* out) : stream_(out) {}
  StringOutput stream_;
};
}  // namespace internal

// Writes one JSON value into the string given at construction.
class JsonWriter : private internal::StringOutputHolder,
                   public rapidjson::Writer<StringOutput> {
 public:
  explicit JsonWriter(std::string* out)
      : internal::StringOutputHolder(out),
        rapidjson::Writer<StringOutput>(stream_) {}

  bool Key(std::string_view key) {
    return rapidjson::Writer<StringOutput>::Key(
        key.data(), static_cast<rapidjson::SizeType>(key.size()));
  }
  bool String(std::string_view s) {
    return rapidjson::Writer<StringOutput>::String(
        s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }
  using rapidjson::Writer<StringOutput>::String;
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_JSON_OUTPUT_H_
