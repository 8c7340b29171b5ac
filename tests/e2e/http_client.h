// SPDX-License-Identifier: Apache-2.0
// tests/e2e/http_client.h - the end-to-end suites' HTTP client.
//
// HttpClient wraps one libcurl easy handle, so its connection to nginx stays
// open between requests. libcurl handles must not be shared between
// threads: give each client thread its own HttpClient. RawRequest sends
// bytes exactly as given over a fresh socket, for requests libcurl would
// refuse or tidy up (raw control bytes or invalid UTF-8 in a path).

#ifndef LMDBAPI_TESTS_E2E_HTTP_CLIENT_H_
#define LMDBAPI_TESTS_E2E_HTTP_CLIENT_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

namespace lmdbapi::e2e {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

struct Response {
  long status = 0;  // 0: no HTTP response at all; `error` says why
  // Header names compare case-insensitively; repeated headers are joined
  // with ", ".
  std::map<std::string, std::string, CaseInsensitiveLess> headers;
  std::string body;
  std::string error;

  std::string Header(std::string_view name) const;  // "" if absent
  // "METHOD path -> 404 {body...}" style text for failure messages.
  std::string Describe() const;
  std::string request;  // "METHOD path", for Describe()
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(int port, long timeout_ms = 30000);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `path` is sent as given (it should already be percent-encoded); dot
  // segments are not removed. A POST or PUT without a Content-Type in
  // `headers` is sent as application/json; a header given with an empty
  // value is left out of the request.
  Response Request(std::string_view method, std::string_view path,
                   std::string_view body = {}, const Headers& headers = {});

  Response Get(std::string_view path) { return Request("GET", path); }
  Response Post(std::string_view path, std::string_view body) {
    return Request("POST", path, body);
  }
  Response Put(std::string_view path, std::string_view body) {
    return Request("PUT", path, body);
  }
  Response Delete(std::string_view path) { return Request("DELETE", path); }

  int port() const { return port_; }

  // Sends Accept-Encoding: `encodings` (e.g. "gzip") with every request
  // and decodes the bodies as a browser does, keeping the headers as sent
  // (Content-Encoding, ETag); "" (the default): no Accept-Encoding.
  void AcceptEncoding(std::string encodings) {
    accept_encoding_ = std::move(encodings);
  }

 private:
  void* curl_;
  int port_;
  long timeout_ms_;
  std::string accept_encoding_;
};

// Called with every response HttpClient::Request returns, on the thread
// that made the request; null (the default) for none. The conformance
// checker (conformance.h) installs one for the whole run.
using ResponseObserver = void (*)(std::string_view method,
                                  std::string_view path,
                                  const Response& response);
void SetResponseObserver(ResponseObserver observer);

// Sends `request` (a whole HTTP/1.1 request, bytes as given) to
// 127.0.0.1:port on a new connection and reads the response until the
// server closes it or timeout_ms passes. The body is not de-chunked.
Response RawRequest(int port, std::string_view request,
                    int timeout_ms = 30000);

// Percent-encodes every byte but RFC 3986's unreserved ones.
std::string UrlEncode(std::string_view text);

// Parses with full double precision. Check HasParseError() on the result.
rapidjson::Document ParseJson(std::string_view text);

// obj[name], or nullptr if obj is no object or lacks it. (Comparing
// RapidJSON 1.1's member iterators is ambiguous in C++20 for clang.)
const rapidjson::Value* JsonMember(const rapidjson::Value& obj, std::string_view name);

}  // namespace lmdbapi::e2e

#endif  // LMDBAPI_TESTS_E2E_HTTP_CLIENT_H_
