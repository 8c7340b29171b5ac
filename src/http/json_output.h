// src/http/json_output.h - RapidJSON's Writer, appending to a std::string.
//
// Responses are built in per-thread std::string buffers that keep their
// capacity from request to request. The Writer itself writes into
// RapidJSON's StringBuffer, not into the string: the Writer's fast paths
// exist only for that buffer (PutUnsafe is a plain store, and with
// RAPIDJSON_SSE2, set in the Makefile, runs of characters that need no
// escaping are copied sixteen at a time). Written through a std::string
// one push_back per character, strings were half the time of a 100-record
// page. What the Writer wrote is appended to the string when the JsonWriter
// is destroyed; the StringBuffer is the thread's own and is reused.

#ifndef LMDBAPI_HTTP_JSON_OUTPUT_H_
#define LMDBAPI_HTTP_JSON_OUTPUT_H_

#include <memory>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace lmdbapi::http {

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
// scope, complete or not.
class JsonWriter : private internal::ThreadBuffer,
                   public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  explicit JsonWriter(std::string* out)
      : rapidjson::Writer<rapidjson::StringBuffer>(*buffer_), out_(out) {}
  ~JsonWriter() { out_->append(buffer_->GetString(), buffer_->GetSize()); }

  bool Key(std::string_view key) {
    return rapidjson::Writer<rapidjson::StringBuffer>::Key(
        key.data(), static_cast<rapidjson::SizeType>(key.size()));
  }
  bool String(std::string_view s) {
    return rapidjson::Writer<rapidjson::StringBuffer>::String(
        s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }
  using rapidjson::Writer<rapidjson::StringBuffer>::String;

 private:
  std::string* out_;
};

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_JSON_OUTPUT_H_
