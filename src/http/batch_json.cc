// SPDX-License-Identifier: Apache-2.0
// src/http/batch_json.cc - see batch_json.h.
//
// The envelope (operations, op, table, uuid, revision) is read as a
// RapidJSON DOM; each record or patch is written back out and read by
// record_json.cc's own parser, so a record in a batch is held to exactly
// the rules of a record in POST, PUT or PATCH. A {"$ref": i} value is
// swapped for the nil uuid before that, and noted as a FieldRef for the
// store to fill in.

#include "http/batch_json.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <set>
#include <utility>

#include "json/json_output.h"
#include "json/record_json.h"

namespace lmdbapi::http {
namespace {

constexpr const char kNilUuid[] = "00000000-0000-0000-0000-000000000000";

struct Reader {
  const Schema& schema;
  std::size_t max_string_bytes;
  ParsedBatch* out;
  int i = -1;  // the operation being read

  Status Bad(std::string_view member, std::string msg) {
    out->operation = i;
    return Status::InvalidArgument(
        member, (i >= 0 ? "operation " + std::to_string(i) + ": " : "") + msg);
  }

  // {"$ref": n}: *is_ref, and n in *op.
  Status Ref(const rapidjson::Value& v, std::string_view member, bool* is_ref,
             int* op) {
    *is_ref = false;
    if (!v.IsObject()) return Status();
    if (v.MemberCount() != 1 || !v.HasMember("$ref"))
      return Status();  // an object, but no reference: the record's parser says
    const rapidjson::Value& n = v["$ref"];
    if (!n.IsUint())
      return Bad(member, std::string(member) +
                             ": $ref must be the position (0, 1, ...) of an "
                             "earlier insert in \"operations\"");
    *is_ref = true;
    *op = static_cast<int>(n.GetUint());
    return Status();
  }

  // A record or patch object: its $refs become FieldRefs, then record_json
  // reads it.
  Status Fields(rapidjson::Value& obj, std::string_view member,
                const TableDesc& t, BatchOp* op, std::string* json) {
    if (!obj.IsObject())
      return Bad(member, std::string(member) + " must be a JSON object of " +
                             t.name + "'s fields");
    // By position: comparing RapidJSON 1.1's member iterators (as a
    // range-for does) is ambiguous in C++20 for clang.
    for (rapidjson::SizeType at = 0; at < obj.MemberCount(); ++at) {
      auto& m = obj.MemberBegin()[at];
      bool is_ref = false;
      int n = 0;
      std::string_view name(m.name.GetString(), m.name.GetStringLength());
      Status s = Ref(m.value, name, &is_ref, &n);
      if (!s.ok()) return s;
      if (!is_ref) continue;
      int field = -1;
      for (std::size_t f = 0; f < t.fields.size(); ++f)
        if (t.fields[f].name == name) field = static_cast<int>(f);
      if (field < 0) continue;  // record_json names the unknown member
      if (t.fields[field].type != FieldType::UUID)
        return Bad(name, std::string(name) +
                             ": a $ref stands only for the value of a uuid "
                             "field");
      op->refs.push_back({field, n});
      m.value.SetString(kNilUuid);
    }
    JsonWriter w(json);
    obj.Accept(w);
    return Status();
  }

  Status Operation(rapidjson::Value& v, BatchOp* op) {
    if (!v.IsObject())
      return Bad("operations", "each operation must be a JSON object");
    std::set<std::string_view> seen;
    for (rapidjson::SizeType at = 0; at < v.MemberCount(); ++at) {
      auto& m = v.MemberBegin()[at];
      std::string_view name(m.name.GetString(), m.name.GetStringLength());
      if (!seen.insert(name).second)
        return Bad(name, std::string(name) + " is given twice");
      if (name != "op" && name != "table" && name != "uuid" &&
          name != "record" && name != "patch" && name != "revision")
        return Bad(name, "unknown member \"" + std::string(name.substr(0, 64)) +
                             "\"; an operation has op, table, uuid, record, "
                             "patch and revision");
    }
    auto member = [&v](const char* name) -> rapidjson::Value* {
      return v.HasMember(name) ? &v[name] : nullptr;
    };
    rapidjson::Value* kind = member("op");
    if (kind == nullptr || !kind->IsString())
      return Bad("op", "op must be \"insert\", \"replace\", \"patch\" or "
                       "\"delete\"");
    std::string_view k(kind->GetString(), kind->GetStringLength());
    if (k == "insert") {
      op->kind = BatchOp::Kind::kInsert;
    } else if (k == "replace") {
      op->kind = BatchOp::Kind::kReplace;
    } else if (k == "patch") {
      op->kind = BatchOp::Kind::kPatch;
    } else if (k == "delete") {
      op->kind = BatchOp::Kind::kRemove;
    } else {
      return Bad("op", "op must be \"insert\", \"replace\", \"patch\" or "
                       "\"delete\", not \"" + std::string(k.substr(0, 32)) +
                           "\"");
    }
    rapidjson::Value* table = member("table");
    if (table == nullptr || !table->IsString())
      return Bad("table", "table must name a table of the schema");
    op->table = schema.FindTable(
        std::string_view(table->GetString(), table->GetStringLength()));
    if (op->table == nullptr)
      return Bad("table",
                 "no table named \"" +
                     std::string(table->GetString(),
                                 std::min<std::size_t>(
                                     table->GetStringLength(), 64)) +
                     "\"");
    const TableDesc& t = *op->table;
    const bool insert = op->kind == BatchOp::Kind::kInsert;
    const bool remove = op->kind == BatchOp::Kind::kRemove;
    const bool patch = op->kind == BatchOp::Kind::kPatch;

    rapidjson::Value* uuid = member("uuid");
    if (insert && uuid != nullptr)
      return Bad("uuid", "an insert takes no uuid: the server makes one (a "
                         "later operation names it as {\"$ref\": " +
                             std::to_string(i) + "})");
    if (!insert) {
      if (uuid == nullptr)
        return Bad("uuid", "uuid is required: a uuid string or {\"$ref\": "
                           "<an earlier insert>}");
      bool is_ref = false;
      int n = 0;
      Status s = Ref(*uuid, "uuid", &is_ref, &n);
      if (!s.ok()) return s;
      if (is_ref) {
        op->uuid.op = n;
      } else if (!uuid->IsString()) {
        return Bad("uuid", "uuid must be a uuid string or {\"$ref\": i}");
      } else {
        auto u = Uuid::Parse(
            std::string_view(uuid->GetString(), uuid->GetStringLength()));
        if (!u.ok()) return Bad("uuid", "uuid: " + u.status().message());
        op->uuid.uuid = u.value();
      }
    }
    rapidjson::Value* revision = member("revision");
    if (revision != nullptr) {
      if (insert)
        return Bad("revision", "an insert takes no revision (a new record "
                               "is at revision 1)");
      if (!revision->IsUint64() || revision->GetUint64() == 0)
        return Bad("revision", "revision must be a whole number, 1 or more "
                               "(the revision the record must be at)");
      op->expected_revision = revision->GetUint64();
    }
    rapidjson::Value* record = member("record");
    rapidjson::Value* patch_obj = member("patch");
    if ((insert || op->kind == BatchOp::Kind::kReplace) == (record == nullptr))
      return Bad("record", record == nullptr
                               ? "record is required for " + std::string(k)
                               : "record belongs to insert and replace only");
    if (patch == (patch_obj == nullptr))
      return Bad("patch", patch_obj == nullptr
                              ? "patch is required for patch"
                              : "patch belongs to the patch operation only");
    if (remove) return Status();

    std::string json;
    Status s = Fields(patch ? *patch_obj : *record, patch ? "patch" : "record",
                      t, op, &json);
    if (!s.ok()) return s;
    if (patch) {
      auto parsed = ParsePatchJson(json, t, max_string_bytes);
      if (!parsed.ok())
        return Bad(parsed.status().subject(),
                   "patch: " + parsed.status().message());
      op->patch = std::move(parsed->fields);
      return Agree(parsed->revision, op);
    }
    auto parsed = ParseRecordJson(
        json, t, insert ? MetaFields::kReject : MetaFields::kAccept,
        max_string_bytes);
    if (!parsed.ok())
      return Bad(parsed.status().subject(),
                 "record: " + parsed.status().message());
    op->record = std::move(parsed->record);
    if (!insert) {
      if (parsed->has_uuid && op->uuid.op < 0 &&
          op->record.uuid != op->uuid.uuid)
        return Bad("uuid", "record: uuid " + op->record.uuid.ToString() +
                               " is not the operation's " +
                               op->uuid.uuid.ToString());
      op->record.uuid = Uuid();
      return Agree(parsed->revision, op);
    }
    return Status();
  }

  // A revision inside the record or patch counts as the operation's; the
  // two must agree when both are given.
  Status Agree(std::optional<std::uint64_t> inner, BatchOp* op) {
    if (!inner) return Status();
    if (op->expected_revision && *op->expected_revision != *inner)
      return Bad("revision", "revision " + std::to_string(*inner) +
                                 " inside the body is not the operation's " +
                                 std::to_string(*op->expected_revision));
    op->expected_revision = inner;
    return Status();
  }
};

}  // namespace

ParsedBatch ParseBatchJson(std::string_view json, const Schema& schema,
                           std::size_t max_string_bytes,
                           std::size_t max_operations) {
  ParsedBatch out;
  Reader r{schema, max_string_bytes, &out};
  rapidjson::Document doc;
  // Full precision, so a DOUBLE reaches record_json as it was written.
  doc.Parse<rapidjson::kParseFullPrecisionFlag |
            rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    out.status = Status::InvalidArgument(
        "", std::string("the body is not JSON: ") +
                rapidjson::GetParseError_En(doc.GetParseError()) +
                " at byte " + std::to_string(doc.GetErrorOffset()));
    return out;
  }
  if (!doc.IsObject() || !doc.HasMember("operations") ||
      doc.MemberCount() != 1) {
    out.status = Status::InvalidArgument(
        "operations", "the body must be {\"operations\": [...]}, and "
                      "nothing else");
    return out;
  }
  rapidjson::Value& list = doc["operations"];
  if (!list.IsArray() || list.Empty()) {
    out.status = Status::InvalidArgument(
        "operations", "operations must be a list of at least one operation");
    return out;
  }
  if (list.Size() > max_operations) {
    out.too_many = true;
    out.status = Status::InvalidArgument(
        "operations", "the batch has " + std::to_string(list.Size()) +
                          " operations; at most " +
                          std::to_string(max_operations) +
                          " are accepted (BATCH_MAX_OPERATIONS)");
    return out;
  }
  out.ops.resize(list.Size());
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    r.i = static_cast<int>(i);
    out.status = r.Operation(list[i], &out.ops[i]);
    if (!out.status.ok()) {
      out.ops.clear();
      return out;
    }
  }
  return out;
}

void AppendBatchResultsJson(const std::vector<BatchOp>& ops,
                            const std::vector<Record>& records,
                            std::string* out) {
  out->append("{\"results\":[");
  for (std::size_t i = 0; i < ops.size() && i < records.size(); ++i) {
    if (i > 0) out->push_back(',');
    const BatchOp& op = ops[i];
    {
      JsonWriter w(out);
      w.StartObject();
      w.Key("op");
      w.String(op.kind == BatchOp::Kind::kInsert    ? "insert"
               : op.kind == BatchOp::Kind::kReplace ? "replace"
               : op.kind == BatchOp::Kind::kPatch   ? "patch"
                                                    : "delete");
      w.Key("table");
      w.String(op.table->name);
      w.Key("status");
      w.Int(op.kind == BatchOp::Kind::kInsert   ? 201
            : op.kind == BatchOp::Kind::kRemove ? 204
                                                : 200);
      if (op.kind == BatchOp::Kind::kRemove) {
        w.Key("uuid");
        w.String(records[i].uuid.ToString());
        w.EndObject();
      }
    }
    if (op.kind != BatchOp::Kind::kRemove) {
      out->append(",\"record\":");
      AppendRecordJson(records[i], *op.table, out);
      out->push_back('}');
    }
  }
  out->append("]}");
}

}  // namespace lmdbapi::http
