// src/http/json_output.cc - see json_output.h.

#include "http/json_output.h"

namespace lmdbapi::http::internal {
namespace {

// Kept for the thread's life, so its capacity is reused from value to value.
thread_local rapidjson::StringBuffer spare;
thread_local bool spare_in_use = false;

}  // namespace

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

}  // namespace lmdbapi::http::internal
