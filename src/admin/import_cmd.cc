// SPDX-License-Identifier: Apache-2.0
// src/admin/import_cmd.cc - `lmdbapi-admin import`: NDJSON into tables.
//
// Each line goes through the HTTP API's own decoder (ParseRecordJson, with
// "uuid" and "revision" accepted, and the worker's MAX_STRING_BYTES read
// from the same environment variable) and the library's insert checks, so
// a line imports exactly when the API would have accepted it as a record.
// The one thing the decoder does not know is the "table" member of an
// `export all` line; it is taken out with RapidJSON before decoding.

#include <filesystem>
#include <fstream>
#include <map>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "admin/commands.h"
#include "admin/progress.h"
#include "json/record_json.h"
#include "lmdbapi/admin.h"

namespace lmdbapi::admin {
namespace {

bool Blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

// Takes the "table" member out of a line: *table is its value ("" if there
// is none) and *json the line without it. False if the line is not a JSON
// object; the record decoder then reports why in the API's own words.
bool SplitTable(const std::string& line, std::string* table,
                std::string* json, Status* error) {
  table->clear();
  *error = Status();
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag |
            rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  int seen = 0;
  // By position: clang refuses C++20's reversed == on RapidJSON iterators.
  for (rapidjson::SizeType i = 0; i < doc.MemberCount();) {
    auto it = doc.MemberBegin() + i;
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) !=
        "table") {
      ++i;
      continue;
    }
    if (++seen > 1) {
      *error = Status::InvalidArgument("table", "table: given twice");
    } else if (!it->value.IsString()) {
      *error = Status::InvalidArgument("table", "table: expected a table name");
    } else {
      table->assign(it->value.GetString(), it->value.GetStringLength());
    }
    doc.EraseMember(it);
  }
  if (seen == 0) {
    *json = line;
    return true;
  }
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  doc.Accept(w);
  json->assign(sb.GetString(), sb.GetSize());
  return true;
}


class Importer {
 public:
  Importer(Context& ctx, Env& env, const TableDesc* only, std::size_t batch)
      : ctx_(ctx), env_(env), only_(only), batch_size_(batch), batch_(env) {}

  // False once a batch failed: the import stops there.
  bool Line(const std::string& line, std::uint64_t number) {
    if (Blank(line)) return true;
    const TableDesc* table = only_;
    const TableDesc& any = only_ != nullptr ? *only_ : env_.schema().tables[0];
    std::string name, json = line;
    // A single-table import looks for "table" only when it may be there.
    if (only_ == nullptr || line.find("\"table\"") != std::string::npos) {
      Status error;
      if (!SplitTable(line, &name, &json, &error)) {
        auto parsed = http::ParseRecordJson(
            line, any, http::MetaFields::kAccept, ctx_.max_string_bytes);
        return Bad(number, parsed.ok() ? Status::InvalidArgument(
                                             "", "not a JSON object")
                                       : parsed.status());
      }
      if (!error.ok()) return Bad(number, error);
    }
    if (!name.empty()) {
      const TableDesc* named = env_.schema().FindTable(name);
      if (named == nullptr)
        return Bad(number, "table: no table \"" + name + "\" in the schema");
      if (only_ != nullptr && named != only_)
        return Bad(number, "table: \"" + name + "\", but importing into " +
                               only_->name);
      table = named;
    } else if (table == nullptr) {
      return Bad(number,
                 "table: missing; `import all` needs a \"table\" member on "
                 "every line (as `export all` writes)");
    }
    auto parsed = http::ParseRecordJson(
        json, *table, http::MetaFields::kAccept, ctx_.max_string_bytes);
    if (!parsed.ok()) return Bad(number, parsed.status());
    Record& record = parsed->record;
    record.revision = parsed->revision.value_or(0);
    Status s = batch_.Insert(*table, &record);
    if (!s.ok() && !ImportBatch::LosesBatch(s)) return Bad(number, s);
    if (!s.ok()) {
      Bad(number, s);
      return BatchFailed(s, number);
    }
    pending_.push_back(number);
    ++per_table_[table->position];
    if (pending_.size() >= batch_size_) return Commit(number);
    return true;
  }

  // `number`: the last line read, for the report if the commit fails.
  bool Commit(std::uint64_t number) {
    if (pending_.empty()) return true;
    Status s = batch_.Commit();
    if (!s.ok()) return BatchFailed(s, number);
    imported_ += pending_.size();
    pending_.clear();
    committed_ = per_table_;
    return true;
  }

  std::uint64_t imported() const { return imported_; }
  std::uint64_t bad() const { return bad_; }
  const std::map<int, std::uint64_t>& committed() const { return committed_; }

 private:
  bool Bad(std::uint64_t number, const Status& s) {
    return Bad(number, s.message());
  }
  bool Bad(std::uint64_t number, const std::string& why) {
    ++bad_;
    ctx_.err() << "line " << number << ": " << why << "\n";
    return true;
  }

  bool BatchFailed(const Status& s, std::uint64_t number) {
    for (std::uint64_t n : pending_)
      Bad(n, "not imported: its batch failed: " + s.message());
    pending_.clear();
    per_table_ = committed_;
    ctx_.err() << "import stopped after line " << number << "\n";
    return false;
  }

  Context& ctx_;
  Env& env_;
  const TableDesc* only_;
  std::size_t batch_size_;
  ImportBatch batch_;
  std::vector<std::uint64_t> pending_;  // line numbers in the open batch
  std::map<int, std::uint64_t> per_table_, committed_;  // records by table
  std::uint64_t imported_ = 0, bad_ = 0;
};

}  // namespace

int RunImport(Context& ctx) {
  const std::vector<std::string>& ops = ctx.args.operands;
  if (ops.empty() || ops.size() > 2) {
    Fail(ctx, "name one TABLE, or all, and at most one FILE");
    return 2;
  }
  auto batch = WholeOption(ctx.args, "batch", 1000, 1, 1'000'000);
  if (!batch.ok()) {
    Fail(ctx, batch.status().message());
    return 2;
  }
  const TableDesc* only = nullptr;
  if (ops[0] != "all") {
    only = Schema::Compiled().FindTable(ops[0]);
    if (only == nullptr) {
      Fail(ctx, "no table \"" + ops[0] + "\" in the schema");
      return 2;
    }
  }
  std::istream* in = ctx.io->in;
  std::ifstream file;
  std::uint64_t size = 0;
  if (ops.size() == 2 && ops[1] != "-") {
    file.open(ops[1], std::ios::binary);
    if (!file) {
      Fail(ctx, "cannot read " + ops[1]);
      return 1;
    }
    std::error_code ec;
    size = std::filesystem::file_size(ops[1], ec);
    if (ec) size = 0;
    in = &file;
  }

  std::unique_ptr<Env> env = OpenEnv(ctx, false);
  if (env == nullptr) return 1;
  if (only != nullptr) only = &env->schema().tables[only->position];

  Importer importer(ctx, *env, only, batch.value());
  ProgressLine progress(&ctx.err(), ctx.io->progress, "import " + ops[0],
                        size > 0 ? ProgressLine::Unit::kBytes
                                 : ProgressLine::Unit::kCount,
                        "lines");
  std::string line;
  std::uint64_t number = 0, bytes = 0;
  bool going = true;
  while (going && std::getline(*in, line)) {
    ++number;
    bytes += line.size() + 1;
    going = importer.Line(line, number);
    progress.Update(size > 0 ? bytes : number, size);
  }
  if (going) importer.Commit(number);
  progress.Finish();

  std::ostream& err = ctx.err();
  err << "imported " << importer.imported()
      << (importer.imported() == 1 ? " record" : " records");
  for (const auto& [table, n] : importer.committed())
    err << (table == importer.committed().begin()->first ? " (" : ", ")
        << env->schema().tables[table].name << " " << n;
  if (!importer.committed().empty()) err << ")";
  err << "; " << importer.bad()
      << (importer.bad() == 1 ? " bad line\n" : " bad lines\n");
  return importer.bad() == 0 ? 0 : 1;
}

}  // namespace lmdbapi::admin
