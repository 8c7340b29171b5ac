// SPDX-License-Identifier: Apache-2.0
// tests/e2e/conformance.cc - see conformance.h.

#include "conformance.h"

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "harness.h"
#include "msgpack.h"
#include "http/config.h"
#include "http/openapi.h"

namespace lmdbapi::e2e {
namespace {

using rapidjson::Value;

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= path.size()) {
    std::size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path as nginx hands it to the worker (DOCUMENT_URI): %XX decoded,
// runs of '/' merged, "." and ".." segments resolved, a trailing '/' kept.
std::string NormalizePath(std::string_view raw) {
  std::string decoded;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && Hex(raw[i + 1]) >= 0 &&
        Hex(raw[i + 2]) >= 0) {
      decoded += static_cast<char>(Hex(raw[i + 1]) * 16 + Hex(raw[i + 2]));
      i += 2;
    } else {
      decoded += raw[i];
    }
  }
  std::vector<std::string> segs;
  std::size_t at = 0;
  while (at < decoded.size()) {
    std::size_t slash = decoded.find('/', at);
    if (slash == std::string::npos) slash = decoded.size();
    std::string seg = decoded.substr(at, slash - at);
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.push_back(std::move(seg));
    }
    at = slash + 1;
  }
  std::string out;
  for (const std::string& seg : segs) out += "/" + seg;
  if (out.empty() || (!decoded.empty() && decoded.back() == '/')) out += '/';
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "application/json; charset=utf-8" -> "application/json"
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return Lower(t);
}

bool Digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return false;
  for (std::size_t i = at; i < at + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int Num(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// YYYY-MM-DD, a real calendar day (RFC 3339 full-date).
bool IsDate(std::string_view s) {
  if (s.size() != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) ||
      s[7] != '-' || !Digits(s, 8, 2))
    return false;
  const int y = Num(s, 0, 4), m = Num(s, 5, 2), d = Num(s, 8, 2);
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

// RFC 3339 date-time: full-date "T" hh:mm:ss[.frac] (Z | +hh:mm | -hh:mm).
bool IsDateTime(std::string_view s) {
  if (s.size() < 20 || !IsDate(s.substr(0, 10)) ||
      (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2) || s[13] != ':' ||
      !Digits(s, 14, 2) || s[16] != ':' || !Digits(s, 17, 2))
    return false;
  if (Num(s, 11, 2) > 23 || Num(s, 14, 2) > 59 || Num(s, 17, 2) > 60)
    return false;
  std::size_t at = 19;
  if (s[at] == '.') {
    std::size_t start = ++at;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
    if (at == start) return false;
  }
  std::string_view zone = s.substr(at);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
         Digits(zone, 1, 2) && zone[3] == ':' && Digits(zone, 4, 2);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

bool HasType(const Value& v, std::string_view type) {
  if (type == "object") return v.IsObject();
  if (type == "array") return v.IsArray();
  if (type == "string") return v.IsString();
  if (type == "integer") return v.IsInt64() || v.IsUint64();
  if (type == "number") return v.IsNumber();
  if (type == "boolean") return v.IsBool();
  if (type == "null") return v.IsNull();
  return false;
}

std::string Str(const Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : "";
}

std::string Shown(const Value& v) {
  if (v.IsString()) return "\"" + Str(v).substr(0, 60) + "\"";
  if (v.IsNull()) return "null";
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsNumber()) return std::to_string(v.GetDouble());
  return v.IsObject() ? "an object" : "an array";
}

// The operations an OpenAPI path item may hold that this API uses.
struct Method {
  std::string_view key, name;
};
constexpr Method kMethods[] = {
    {"get", "GET"},     {"head", "HEAD"},     {"post", "POST"},
    {"put", "PUT"},     {"patch", "PATCH"},   {"delete", "DELETE"},
    {"options", "OPTIONS"}};

const std::set<std::string_view> kAnnotations = {
    "description", "default", "example", "readOnly", "writeOnly", "title"};

}  // namespace

Conformance::Conformance(std::string_view openapi_json) {
  doc_.Parse(openapi_json.data(), openapi_json.size());
  if (doc_.HasParseError() || !doc_.IsObject()) {
    error_ = "the OpenAPI document is not a JSON object";
    return;
  }
  const Value* paths = JsonMember(doc_, "paths");
  if (paths == nullptr || !paths->IsObject()) {
    error_ = "the OpenAPI document has no paths";
    return;
  }
  for (const auto& p : paths->GetObject()) {
    template_paths_.push_back(Str(p.name));
    templates_.push_back(Split(template_paths_.back()));
  }
}

const Value* Conformance::Resolve(const Value& maybe_ref) const {
  const Value* ref = JsonMember(maybe_ref, "$ref");
  if (ref == nullptr) return &maybe_ref;
  const std::string target = Str(*ref);
  if (target.rfind("#/", 0) != 0) return nullptr;
  const Value* at = &doc_;
  for (const std::string& part : Split(std::string_view(target).substr(2))) {
    at = JsonMember(*at, part);
    if (at == nullptr) return nullptr;
  }
  return Resolve(*at);
}

std::string Conformance::MatchPath(std::string_view path) const {
  const std::vector<std::string> segs = Split(path);
  int best = -1;
  std::size_t best_literals = 0;
  for (std::size_t i = 0; i < templates_.size(); ++i) {
    const std::vector<std::string>& t = templates_[i];
    if (t.size() != segs.size()) continue;
    std::size_t literals = 0;
    bool match = true;
    for (std::size_t s = 0; s < t.size() && match; ++s) {
      if (IsParam(t[s])) {
        match = !segs[s].empty();
      } else {
        match = t[s] == segs[s];
        ++literals;
      }
    }
    if (match && (best < 0 || literals > best_literals)) {
      best = static_cast<int>(i);
      best_literals = literals;
    }
  }
  return best < 0 ? std::string() : template_paths_[best];
}

std::vector<std::string> Conformance::Operations() const {
  std::vector<std::string> out;
  for (const auto& p : JsonMember(doc_, "paths")->GetObject())
    for (const Method& m : kMethods)
      if (JsonMember(p.value, m.key) != nullptr)
        out.push_back(std::string(m.name) + " " + Str(p.name));
  return out;
}

std::string Conformance::Validate(const Value& schema_in, const Value& value,
                                  const std::string& where) const {
  const Value* schema = Resolve(schema_in);
  if (schema == nullptr || !schema->IsObject())
    return where + ": the document's schema (or its $ref) is unusable";
  for (const auto& kw : schema->GetObject()) {
    const std::string k = Str(kw.name);
    if (kAnnotations.count(k)) continue;
    if (k == "type") {
      bool ok = false;
      if (kw.value.IsString()) {
        ok = HasType(value, Str(kw.value));
      } else {
        for (const auto& t : kw.value.GetArray()) ok = ok || HasType(value, Str(t));
      }
      if (!ok) return where + ": " + Shown(value) + " has the wrong type";
    } else if (k == "enum") {
      bool ok = false;
      for (const auto& e : kw.value.GetArray()) ok = ok || e == value;
      if (!ok) return where + ": " + Shown(value) + " is not one of the enum";
    } else if (k == "format") {
      const std::string f = Str(kw.value);
      if (f == "int64" && value.IsNumber() && !value.IsInt64())
        return where + ": " + Shown(value) + " is not an int64";
      if (!value.IsString()) continue;
      const std::string_view s(value.GetString(), value.GetStringLength());
      if ((f == "uuid" && !IsUuid(s)) || (f == "date" && !IsDate(s)) ||
          (f == "date-time" && !IsDateTime(s)))
        return where + ": " + Shown(value) + " is not format " + f;
    } else if (k == "x-maxBytes") {
      // The document's byte limit of a string (openapi_schemas.h).
      if (!value.IsString()) continue;
      if (value.GetStringLength() > kw.value.GetUint64())
        return where + ": " + std::to_string(value.GetStringLength()) +
               " bytes, more than x-maxBytes " +
               std::to_string(kw.value.GetUint64());
    } else if (k == "minimum" || k == "maximum") {
      if (!value.IsNumber()) continue;
      const double v = value.GetDouble(), bound = kw.value.GetDouble();
      if (k == "minimum" ? v < bound : v > bound)
        return where + ": " + Shown(value) + " is out of range (" + k + ")";
    } else if (k == "required") {
      if (!value.IsObject()) continue;
      for (const auto& name : kw.value.GetArray())
        if (JsonMember(value, Str(name)) == nullptr)
          return where + ": the required member \"" + Str(name) + "\" is missing";
    } else if (k == "properties") {
      if (!value.IsObject()) continue;
      for (const auto& prop : kw.value.GetObject())
        if (const Value* v = JsonMember(value, Str(prop.name))) {
          std::string e = Validate(prop.value, *v, where + "." + Str(prop.name));
          if (!e.empty()) return e;
        }
    } else if (k == "additionalProperties") {
      if (!value.IsObject()) continue;
      const Value* props = JsonMember(*schema, "properties");
      for (const auto& m : value.GetObject()) {
        if (props != nullptr && JsonMember(*props, Str(m.name)) != nullptr)
          continue;
        if (kw.value.IsBool()) {
          if (!kw.value.GetBool())
            return where + ": member \"" + Str(m.name) + "\" is not documented";
        } else {
          std::string e = Validate(kw.value, m.value, where + "." + Str(m.name));
          if (!e.empty()) return e;
        }
      }
    } else if (k == "items") {
      if (!value.IsArray()) continue;
      for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        std::string e = Validate(kw.value, value[i], where + "[" + std::to_string(i) + "]");
        if (!e.empty()) return e;
      }
    } else if (k == "anyOf") {
      // A change's record: one of the tables' record schemas, or null.
      bool ok = false;
      for (const auto& alt : kw.value.GetArray())
        ok = ok || Validate(alt, value, where).empty();
      if (!ok) return where + ": " + Shown(value) + " matches no anyOf schema";
    } else {
      return where + ": the checker does not support schema keyword \"" + k + "\"";
    }
  }
  return "";
}

std::string Conformance::CheckResponse(const Value& documented_in, bool head,
                                       const Response& r) const {
  const Value* documented = Resolve(documented_in);
  if (documented == nullptr) return "the documented response does not resolve";
  if (const Value* headers = JsonMember(*documented, "headers")) {
    for (const auto& h : headers->GetObject()) {
      const Value* header = Resolve(h.value);
      const Value* required = header ? JsonMember(*header, "required") : nullptr;
      if (required != nullptr && required->IsTrue() &&
          r.headers.find(Str(h.name)) == r.headers.end())
        return "the documented header " + Str(h.name) + " is missing";
    }
  }
  const Value* content = JsonMember(*documented, "content");
  if (head) return "";
  if (content == nullptr) {
    if (!r.body.empty()) return "a body where the document says there is none";
    return "";
  }
  const std::string type = MediaType(r.Header("Content-Type"));
  const Value* media = JsonMember(*content, type);
  if (media == nullptr) return "Content-Type \"" + type + "\" is not documented for this status";
  const Value* schema = JsonMember(*media, "schema");
  if (schema == nullptr) return "";
  if (type == "application/msgpack") {
    // The msgpack forms mirror the JSON ones (record_msgpack.h): the same
    // schema judges the decoded value.
    rapidjson::Document body = ToDocument(r.body);
    if (body.HasParseError()) return "the body is not one msgpack value";
    return Validate(*schema, body, "body");
  }
  if (type.find("json") == std::string::npos) {
    rapidjson::Value text(r.body.data(), static_cast<rapidjson::SizeType>(r.body.size()));
    return Validate(*schema, text, "body");
  }
  rapidjson::Document body = ParseJson(r.body);
  if (body.HasParseError()) return "the body is not JSON";
  return Validate(*schema, body, "body");
}

std::string Conformance::CheckProblemOnly(const Response& r) const {
  const Value* documented =
      JsonMember(doc_, "components") ? JsonMember(*JsonMember(doc_, "components"), "responses") : nullptr;
  const Value* problem =
      documented ? JsonMember(*documented, "Problem" + std::to_string(r.status)) : nullptr;
  if (problem == nullptr)
    return "status " + std::to_string(r.status) + " is no documented problem";
  return CheckResponse(*problem, false, r);
}

Conformance::Verdict Conformance::Check(std::string_view method, std::string_view full_path,
                                        const Response& r) const {
  Verdict v;
  const std::string path = NormalizePath(full_path.substr(0, full_path.find('?')));
  // A transfer cut short (the crash test SIGKILLs workers mid-answer) has
  // a status but not the whole answer: nothing to check.
  if (r.status == 0 || !r.error.empty() || path.rfind("/api/docs", 0) == 0) {
    v.skipped = true;
    return v;
  }
  const std::string tmpl = path.rfind("/api/", 0) == 0 ? MatchPath(path) : "";
  if (tmpl.empty()) {
    v.error = CheckProblemOnly(r);
    return v;
  }
  const Value& item = *JsonMember(*JsonMember(doc_, "paths"), tmpl);
  const bool head = method == "HEAD";
  // HEAD is checked against its own operation, or GET's if it has none.
  const std::string key =
      head && JsonMember(item, "head") == nullptr ? "get" : Lower(method);
  const Value* op = nullptr;
  for (const Method& m : kMethods)
    if (m.key == key) op = JsonMember(item, key);
  if (op == nullptr) {
    if (r.status != 405) {
      v.error = std::string(method) + " is not documented on " + tmpl +
                ", so the answer should be 405, not " + std::to_string(r.status);
      return v;
    }
    std::set<std::string> want, allowed;
    for (const Method& m : kMethods)
      if (JsonMember(item, m.key) != nullptr) {
        want.emplace(m.name);
        if (m.name == "GET") want.insert("HEAD");  // if not documented
      }
    const std::string allow = r.Header("Allow");
    for (std::size_t at = 0; at < allow.size();) {
      std::size_t end = allow.find(',', at);
      if (end == std::string::npos) end = allow.size();
      std::string m = allow.substr(at, end - at);
      while (!m.empty() && m.front() == ' ') m.erase(0, 1);
      while (!m.empty() && m.back() == ' ') m.pop_back();
      if (!m.empty()) allowed.insert(m);
      at = end + 1;
    }
    if (allowed != want) {
      v.error = "Allow \"" + allow + "\" does not name exactly the methods documented on " + tmpl;
      return v;
    }
    v.error = CheckProblemOnly(r);
    return v;
  }
  std::string upper(key == "get" ? "GET" : method);
  v.operation = upper + " " + tmpl;
  const Value* responses = JsonMember(*op, "responses");
  const Value* documented =
      responses ? JsonMember(*responses, std::to_string(r.status)) : nullptr;
  if (documented == nullptr) {
    v.error = "status " + std::to_string(r.status) + " is not documented for " + v.operation;
    return v;
  }
  v.error = CheckResponse(*documented, head, r);
  return v;
}

// The run-wide checker behind the HttpClient observer.
namespace {

struct Global {
  std::unique_ptr<Conformance> checker;
  std::thread::id main_thread;
  std::atomic<long> checked{0}, violations{0};
  std::mutex mu;
  std::vector<std::string> pending;  // from other threads, for the main one
  std::set<std::string> seen;        // operations
};

Global& G() {
  static Global g;
  return g;
}

void FlushPending() {
  std::vector<std::string> pending;
  {
    std::lock_guard<std::mutex> lock(G().mu);
    pending.swap(G().pending);
  }
  for (const std::string& p : pending) BOOST_ERROR(p);
}

void Observe(std::string_view method, std::string_view path, const Response& r) {
  Global& g = G();
  if (!g.checker) return;
  Conformance::Verdict v = g.checker->Check(method, path, r);
  if (v.skipped) return;
  ++g.checked;
  const bool main = std::this_thread::get_id() == g.main_thread;
  std::string message;
  if (!v.error.empty()) {
    ++g.violations;
    message = "OpenAPI conformance: " + std::string(method) + " " +
              std::string(path.substr(0, 160)) + ": " + v.error + "; got " + r.Describe();
  }
  {
    std::lock_guard<std::mutex> lock(g.mu);
    if (!v.operation.empty()) g.seen.insert(v.operation);
    if (!message.empty() && !main) g.pending.push_back(message);
  }
  if (!main) return;
  if (!message.empty()) BOOST_ERROR(message);
  FlushPending();
}

struct ConformanceFixture {
  ConformanceFixture() {
    Global& g = G();
    g.main_thread = std::this_thread::get_id();
    // The stacks' workers run with the default MAX_STRING_BYTES.
    g.checker = std::make_unique<Conformance>(
        http::OpenApiJson(TheSchema(), http::kDefaultMaxStringBytes));
    if (!g.checker->error().empty()) {
      std::cerr << "conformance: " << g.checker->error() << "\n";
      return;
    }
    SetResponseObserver(Observe);
  }
  ~ConformanceFixture() {
    SetResponseObserver(nullptr);
    FlushPending();
    const ConformanceCounts c = GlobalConformanceCounts();
    std::cout << "conformance: " << c.checked
              << " responses checked against the OpenAPI document, "
              << c.violations << " did not conform; " << c.operations_seen << " of "
              << c.operations << " operations seen" << std::endl;
  }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ConformanceFixture);

ConformanceCounts GlobalConformanceCounts() {
  Global& g = G();
  ConformanceCounts c;
  c.checked = g.checked;
  c.violations = g.violations;
  std::lock_guard<std::mutex> lock(g.mu);
  c.operations_seen = g.seen.size();
  c.operations = g.checker ? g.checker->Operations().size() : 0;
  return c;
}

}  // namespace lmdbapi::e2e
