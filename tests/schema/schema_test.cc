// SPDX-License-Identifier: Apache-2.0
// tests/schema/schema_test.cc - the compiled schema, the builder's rules,
// and the stored-schema comparison.

#include "lmdbapi/schema.h"

#include <boost/test/unit_test.hpp>

#include "schema/fingerprint.h"
#include "schema/schema_builder.h"
#include "testutil.h"

using namespace lmdbapi;

namespace {

const Schema& S() { return Schema::Compiled(); }

// A small schema built row by row, with one hook to break it.
Result<Schema> Build(const std::function<void(SchemaBuilder&)>& extra = {}) {
  SchemaBuilder b;
  b.Table("orders", "An order.");
  b.Field("orders", "customer", FieldType::STRING, "Who.");
  b.Field("orders", "placed_on", FieldType::DATE, "When.");
  b.DefaultField("orders", "total", FieldType::INT64, std::int64_t{0}, "Sum.");
  b.Index("orders", "by_placed_on", IndexKind::RANGE, "Dates.");
  b.IndexKey("orders", "by_placed_on", "placed_on");
  b.Table("lines", "A line of an order.");
  b.Parent("lines", "order_uuid", "orders");
  b.Field("lines", "sku", FieldType::STRING, "What.");
  if (extra) extra(b);
  return b.Finish();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(schema)

BOOST_AUTO_TEST_CASE(compiled_schema_is_valid_and_linked) {
  REQUIRE_OK(S().Validate());
  BOOST_TEST(!S().tables.empty());
  for (const TableDesc& t : S().tables) {
    if (t.parent < 0) continue;
    const TableDesc& p = S().tables[t.parent];
    BOOST_TEST(t.fields[t.link_field].is_parent_link);
    BOOST_TEST((t.fields[t.link_field].type == FieldType::UUID));
    BOOST_TEST(t.links_db_name == p.name + ">" + t.name);
    BOOST_TEST((std::find(p.children.begin(), p.children.end(), t.position) !=
                p.children.end()));
  }
}

BOOST_AUTO_TEST_CASE(builder_links_parents_and_names_databases) {
  auto s = Build();
  REQUIRE_OK(s);
  const TableDesc& lines = *s->FindTable("lines");
  BOOST_TEST(lines.parent == 0);
  BOOST_TEST(lines.link_field == 0);
  BOOST_TEST(lines.links_db_name == "orders>lines");
  BOOST_TEST(s->FindTable("orders")->indexes[0].db_name == "orders.by_placed_on");
  BOOST_TEST((s->FindTable("orders")->fields[2].default_value == Value(std::int64_t{0})));
}

BOOST_AUTO_TEST_CASE(bad_rows_are_refused_with_their_names) {
  struct Case {
    const char* what;
    std::function<void(SchemaBuilder&)> row;
    const char* says;
  };
  std::vector<Case> cases = {
      {"range on a string",
       [](SchemaBuilder& b) {
         b.Index("orders", "by_customer", IndexKind::RANGE, "");
         b.IndexKey("orders", "by_customer", "customer");
       },
       "RANGE index key must be DATE, TIMESTAMP or INT64"},
      {"range with two keys",
       [](SchemaBuilder& b) { b.IndexKey("orders", "by_placed_on", "total"); },
       "exactly one key field"},
      {"index without keys",
       [](SchemaBuilder& b) { b.Index("orders", "empty", IndexKind::MULTI, ""); },
       "has no INDEX_KEY rows"},
      {"key of unknown field",
       [](SchemaBuilder& b) {
         b.Index("orders", "x", IndexKind::MULTI, "");
         b.IndexKey("orders", "x", "nope");
       },
       "\"nope\" is not a field"},
      {"default of the wrong type",
       [](SchemaBuilder& b) {
         b.DefaultField("orders", "note", FieldType::STRING, std::int64_t{0}, "");
       },
       "orders.note: the default is not a STRING"},
      {"unparsable date default",
       [](SchemaBuilder& b) {
         b.DefaultField("orders", "due", FieldType::DATE, std::string("2024-02-30"), "");
       },
       "orders.due"},
      {"reserved field name",
       [](SchemaBuilder& b) { b.Field("orders", "revision", FieldType::INT64, ""); },
       "reserves"},
      {"reserved table name",
       [](SchemaBuilder& b) {
         b.Table("health", "");
         b.Field("health", "x", FieldType::INT64, "");
       },
       "reserved path"},
      {"table name not usable in a URL",
       [](SchemaBuilder& b) {
         b.Table("Bad-Name", "");
         b.Field("Bad-Name", "x", FieldType::INT64, "");
       },
       "table names are"},
      {"parent declared later",
       [](SchemaBuilder& b) {
         b.Table("early", "");
         b.Parent("early", "late_uuid", "late");
         b.Field("early", "x", FieldType::INT64, "");
       },
       "not a table declared before it"},
      {"row before its table",
       [](SchemaBuilder& b) { b.Field("ghost", "x", FieldType::INT64, ""); },
       "before TABLE(ghost"},
      {"byte limit on a non-string",
       [](SchemaBuilder& b) { b.MaxBytes("orders", "total", 8); },
       "orders.total: MAX_BYTES applies to STRING fields only, not INT64"},
      {"byte limit on a parent link",
       [](SchemaBuilder& b) { b.MaxBytes("lines", "order_uuid", 8); },
       "lines.order_uuid: MAX_BYTES applies to STRING fields only"},
      {"byte limit before its field",
       [](SchemaBuilder& b) {
         b.MaxBytes("orders", "note", 8);
         b.DefaultField("orders", "note", FieldType::STRING, std::string(), "");
       },
       "MAX_BYTES for orders.note: no such field yet"},
      {"byte limit twice",
       [](SchemaBuilder& b) {
         b.MaxBytes("orders", "customer", 8);
         b.MaxBytes("orders", "customer", 9);
       },
       "orders.customer: a second MAX_BYTES row"},
      {"byte limit of zero",
       [](SchemaBuilder& b) { b.MaxBytes("orders", "customer", 0); },
       "MAX_BYTES must be at least 1"},
      {"byte limit over 1 GiB",
       [](SchemaBuilder& b) {
         b.MaxBytes("orders", "customer", kMaxStringLimit + 1);
       },
       "more than 1073741824"},
  };
  for (const Case& c : cases) {
    auto s = Build(c.row);
    BOOST_TEST_REQUIRE(!s.ok(), c.what);
    BOOST_TEST(s.status().message().find(c.says) != std::string::npos,
               c.what << ": " << s.status().message());
  }
}

BOOST_AUTO_TEST_CASE(max_bytes_rows_set_the_fields_descriptor_and_nothing_else) {
  // The compiled schema: every .def in schema/ has a MAX_BYTES row (on a
  // STRING field, 1..kMaxStringLimit); every other field reads 0, the
  // MAX_STRING_BYTES setting.
  int limited = 0;
  for (const TableDesc& t : S().tables)
    for (const FieldDesc& f : t.fields) {
      if (f.max_bytes == 0) continue;
      ++limited;
      BOOST_TEST((f.type == FieldType::STRING), t.name << "." << f.name);
      BOOST_TEST(f.max_bytes <= kMaxStringLimit);
    }
  BOOST_TEST(limited > 0, "the schema should exercise MAX_BYTES");
  // A built one: only the named field changes.
  auto s = Build([](SchemaBuilder& b) { b.MaxBytes("lines", "sku", 64); });
  REQUIRE_OK(s);
  BOOST_TEST(s->FindTable("lines")->fields[1].max_bytes == 64u);
  BOOST_TEST(s->FindTable("lines")->fields[0].max_bytes == 0u);
  BOOST_TEST(s->FindTable("orders")->fields[0].max_bytes == 0u);
}

BOOST_AUTO_TEST_CASE(string_limits_count_bytes_and_name_their_source) {
  FieldDesc f;
  f.name = "notes";
  BOOST_TEST(StringLimit(f, 100) == 100u);
  BOOST_TEST(StringLimit(f, 0) == 0u);  // no default: no limit
  REQUIRE_OK(CheckStringBytes(f, std::string(1 << 20, 'x'), 0));
  REQUIRE_OK(CheckStringBytes(f, std::string(100, 'x'), 100));
  Status over = CheckStringBytes(f, std::string(101, 'x'), 100);
  BOOST_TEST((over.code() == Status::Code::kInvalidArgument));
  BOOST_TEST(over.subject() == "notes");
  BOOST_TEST(over.message() ==
             "notes: 101 bytes, more than the 100 this field may hold "
             "(MAX_STRING_BYTES)");
  // Bytes, not characters: 50 two-byte characters fill 100 bytes.
  std::string e_acute;
  for (int i = 0; i < 50; ++i) e_acute += "\xc3\xa9";
  REQUIRE_OK(CheckStringBytes(f, e_acute, 100));
  BOOST_TEST(!CheckStringBytes(f, e_acute + "x", 100).ok());
  // The field's own limit wins over the default, either way.
  f.max_bytes = 10;
  BOOST_TEST(StringLimit(f, 100) == 10u);
  BOOST_TEST(CheckStringBytes(f, std::string(11, 'x'), 100).message() ==
             "notes: 11 bytes, more than the 10 this field may hold "
             "(MAX_BYTES in the schema)");
  f.max_bytes = 1000;
  REQUIRE_OK(CheckStringBytes(f, std::string(1000, 'x'), 100));
}

BOOST_AUTO_TEST_CASE(fingerprint_is_stable_and_says_what_it_covers) {
  std::string f = S().Fingerprint();
  BOOST_TEST(f == Schema(S()).Fingerprint());
  BOOST_TEST(S().FingerprintHash().size() == 16u);
  for (const TableDesc& t : S().tables) {
    BOOST_TEST(f.find("table " + t.name) != std::string::npos);
    for (const FieldDesc& fd : t.fields)
      BOOST_TEST(f.find("field " + fd.name + " " + std::string(TypeName(fd.type))) !=
                 std::string::npos);
  }
  Schema other = S();
  other.tables[0].fields[0].name = "renamed";
  BOOST_TEST(other.FingerprintHash() != S().FingerprintHash());
}

BOOST_AUTO_TEST_CASE(stored_schema_round_trips) {
  auto back = DecodeSchema(EncodeSchema(S()));
  REQUIRE_OK(back);
  BOOST_TEST(back->Fingerprint() == S().Fingerprint());
  auto same = CompareSchemas(back.value(), S());
  REQUIRE_OK(same);
  BOOST_TEST(!same->differs);
  BOOST_TEST((DecodeSchema("\x93garbage").status().code() == Status::Code::kCorruption));
  BOOST_TEST((DecodeSchema("").status().code() == Status::Code::kCorruption));
}

BOOST_AUTO_TEST_CASE(compare_lists_compatible_changes) {
  auto old = Build();
  auto grown = Build([](SchemaBuilder& b) {
    b.DefaultField("lines", "qty", FieldType::INT64, std::int64_t{1}, "");
    b.Index("lines", "by_sku", IndexKind::MULTI, "");
    b.IndexKey("lines", "by_sku", "sku");
    b.Table("notes", "");
    b.Field("notes", "text", FieldType::STRING, "");
  });
  REQUIRE_OK(old);
  REQUIRE_OK(grown);
  auto c = CompareSchemas(old.value(), grown.value());
  REQUIRE_OK(c);
  BOOST_TEST(c->differs);
  BOOST_TEST(c->new_tables.size() == 1u);
  BOOST_TEST_REQUIRE(c->build_indexes.size() == 1u);
  BOOST_TEST(c->build_indexes[0].table == 1);
  // Backwards: the index is dropped; the table and field are missing.
  auto back = CompareSchemas(grown.value(), old.value());
  BOOST_TEST((back.status().code() == Status::Code::kSchemaMismatch));
  BOOST_TEST(back.status().message().find("table notes was removed") != std::string::npos);
  BOOST_TEST(back.status().message().find("(qty) was removed") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
