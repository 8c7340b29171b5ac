// SPDX-License-Identifier: Apache-2.0
// tests/schema/fingerprint_test.cc - src/schema/fingerprint.cc: the stored
// schema's bytes, and which changes a database written with one schema may
// be opened under (fingerprint.h's compatibility rule), case by case.

#include "schema/fingerprint.h"

#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

#include "schema/schema_builder.h"
#include "testutil.h"

using namespace lmdbapi;

namespace {

using Edit = std::function<void(SchemaBuilder&)>;

// orders (customer, placed_on, total=0; RANGE by_placed_on) and its child lines (order_uuid, sku). `orders_fields`, when
// given, replaces the orders fields; `after` runs at the end; with_lines
// false leaves lines out.
Schema Build(const Edit& orders_fields = {}, const Edit& after = {},
             bool with_lines = true) {
  SchemaBuilder b;
  b.Table("orders", "An order.");
  if (orders_fields) {
    orders_fields(b);
  } else {
    b.Field("orders", "customer", FieldType::STRING, "Who.");
    b.Field("orders", "placed_on", FieldType::DATE, "When.");
    b.DefaultField("orders", "total", FieldType::INT64, std::int64_t{0}, "Sum.");
  }
  b.Index("orders", "by_placed_on", IndexKind::RANGE, "Dates.");
  b.IndexKey("orders", "by_placed_on", "placed_on");
  if (with_lines) {
    b.Table("lines", "A line of an order.");
    b.Parent("lines", "order_uuid", "orders");
    b.Field("lines", "sku", FieldType::STRING, "What.");
  }
  if (after) after(b);
  Result<Schema> s = b.Finish();
  BOOST_TEST_REQUIRE(s.ok(), s.status().message());
  return s.value();
}

void StandardOrders(SchemaBuilder& b) {
  b.Field("orders", "customer", FieldType::STRING, "");
  b.Field("orders", "placed_on", FieldType::DATE, "");
  b.DefaultField("orders", "total", FieldType::INT64, std::int64_t{0}, "");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fingerprint)

BOOST_AUTO_TEST_CASE(a_built_schema_round_trips_through_its_stored_bytes) {
  const Schema s = Build(
      {}, [](SchemaBuilder& b) {
        b.DefaultField("lines", "qty", FieldType::DOUBLE, 1.5, "");
        b.DefaultField("lines", "note", FieldType::STRING, std::string("n/a"), "");
        b.Index("lines", "by_sku", IndexKind::UNIQUE, "");
        b.IndexKey("lines", "by_sku", "sku");
        b.IndexKey("lines", "by_sku", "qty");
      });
  Result<Schema> back = DecodeSchema(EncodeSchema(s));
  REQUIRE_OK(back);
  BOOST_TEST(back->Fingerprint() == s.Fingerprint());
  Result<SchemaChanges> c = CompareSchemas(back.value(), s);
  REQUIRE_OK(c);
  BOOST_TEST(!c->differs);
  BOOST_TEST(c->new_tables.empty());
  BOOST_TEST(c->build_indexes.empty());
  BOOST_TEST(c->drop_indexes.empty());
}

BOOST_AUTO_TEST_CASE(bytes_that_are_no_stored_schema_are_corruption) {
  const std::string good = EncodeSchema(Build());
  for (const std::string& bad :
       {std::string(), std::string("\x93garbage"), good.substr(0, good.size() / 2),
        std::string("\xc1")}) {
    BOOST_TEST((DecodeSchema(bad).status().code() == Status::Code::kCorruption),
               "bytes of length " << bad.size());
  }
}

BOOST_AUTO_TEST_CASE(the_same_schema_changes_nothing) {
  Result<SchemaChanges> c = CompareSchemas(Build(), Build());
  REQUIRE_OK(c);
  BOOST_TEST(!c->differs);
}

BOOST_AUTO_TEST_CASE(docs_alone_are_no_change) {
  Result<SchemaChanges> c = CompareSchemas(Build(), Build(StandardOrders));
  REQUIRE_OK(c);
  BOOST_TEST(!c->differs);
}

// MAX_BYTES decides what may be written, not how stored bytes read: a data
// directory written before a limit was added, changed or dropped opens.
BOOST_AUTO_TEST_CASE(byte_limits_are_no_change_and_leave_the_stored_bytes_alone) {
  const Schema limited = Build({}, [](SchemaBuilder& b) {
    b.MaxBytes("orders", "customer", 64);
    b.MaxBytes("lines", "sku", 4096);
  });
  BOOST_TEST(limited.tables[0].fields[0].max_bytes == 64u);
  BOOST_TEST(EncodeSchema(limited) == EncodeSchema(Build()));
  BOOST_TEST(limited.Fingerprint() == Build().Fingerprint());
  BOOST_TEST(limited.FingerprintHash() == Build().FingerprintHash());
  Result<SchemaChanges> added = CompareSchemas(Build(), limited);
  REQUIRE_OK(added);
  BOOST_TEST(!added->differs);
  Result<SchemaChanges> dropped = CompareSchemas(limited, Build());
  REQUIRE_OK(dropped);
  BOOST_TEST(!dropped->differs);
  // The stored schema read back has no limits (0: the setting's default).
  auto back = DecodeSchema(EncodeSchema(limited));
  REQUIRE_OK(back);
  BOOST_TEST(back->tables[0].fields[0].max_bytes == 0u);
}

BOOST_AUTO_TEST_CASE(a_new_default_is_stored_but_rebuilds_nothing) {
  const Schema now = Build([](SchemaBuilder& b) {
    b.Field("orders", "customer", FieldType::STRING, "");
    b.Field("orders", "placed_on", FieldType::DATE, "");
    b.DefaultField("orders", "total", FieldType::INT64, std::int64_t{5}, "");
  });
  Result<SchemaChanges> c = CompareSchemas(Build(), now);
  REQUIRE_OK(c);
  BOOST_TEST(c->differs);
  BOOST_TEST(c->build_indexes.empty());
  BOOST_TEST(c->drop_indexes.empty());
}

BOOST_AUTO_TEST_CASE(an_appended_optional_field_and_a_new_table_are_compatible) {
  const Schema now = Build({}, [](SchemaBuilder& b) {
    b.DefaultField("lines", "qty", FieldType::INT64, std::int64_t{1}, "");
    b.Table("notes", "");
    b.Field("notes", "text", FieldType::STRING, "");
  });
  Result<SchemaChanges> c = CompareSchemas(Build(), now);
  REQUIRE_OK(c);
  BOOST_TEST(c->differs);
  BOOST_TEST(c->new_tables == std::vector<int>{2});
  BOOST_TEST(c->build_indexes.empty());
}

BOOST_AUTO_TEST_CASE(index_changes_drop_and_rebuild_exactly_that_index) {
  const Schema old = Build();
  // Added: built, nothing dropped.
  const Schema added = Build({}, [](SchemaBuilder& b) {
    b.Index("orders", "by_customer", IndexKind::UNIQUE, "");
    b.IndexKey("orders", "by_customer", "customer");
  });
  Result<SchemaChanges> c = CompareSchemas(old, added);
  REQUIRE_OK(c);
  BOOST_TEST_REQUIRE(c->build_indexes.size() == 1u);
  BOOST_TEST(c->build_indexes[0].table == 0);
  BOOST_TEST(c->build_indexes[0].index == 1);
  BOOST_TEST(c->drop_indexes.empty());
  // Removed: dropped as it was opened (by_customer is UNIQUE: no dupsort).
  c = CompareSchemas(added, old);
  REQUIRE_OK(c);
  BOOST_TEST(c->build_indexes.empty());
  BOOST_TEST_REQUIRE(c->drop_indexes.size() == 1u);
  BOOST_TEST(c->drop_indexes[0].db_name == added.tables[0].indexes[1].db_name);
  BOOST_TEST(!c->drop_indexes[0].dupsort);
  // Same name, another key: dropped and rebuilt.
  const Schema rekeyed = Build({}, [](SchemaBuilder& b) {
    b.Index("orders", "by_customer", IndexKind::UNIQUE, "");
    b.IndexKey("orders", "by_customer", "customer");
    b.IndexKey("orders", "by_customer", "total");
  });
  c = CompareSchemas(added, rekeyed);
  REQUIRE_OK(c);
  BOOST_TEST(c->build_indexes.size() == 1u);
  BOOST_TEST(c->drop_indexes.size() == 1u);
  BOOST_TEST(c->differs);
}

BOOST_AUTO_TEST_CASE(incompatible_changes_are_refused_naming_the_change) {
  struct Case {
    const char* what;
    Schema now;
    const char* says;
  };
  const Schema old = Build();
  const std::vector<Case> cases = {
      {"table removed", Build({}, {}, false), "table lines was removed"},
      {"field removed",
       Build([](SchemaBuilder& b) {
         b.Field("orders", "customer", FieldType::STRING, "");
         b.Field("orders", "placed_on", FieldType::DATE, "");
       }),
       "(total) was removed"},
      {"field renamed",
       Build([](SchemaBuilder& b) {
         b.Field("orders", "client", FieldType::STRING, "");
         b.Field("orders", "placed_on", FieldType::DATE, "");
         b.DefaultField("orders", "total", FieldType::INT64, std::int64_t{0}, "");
       }),
       "was customer, is now client"},
      {"fields reordered",
       Build([](SchemaBuilder& b) {
         b.Field("orders", "placed_on", FieldType::DATE, "");
         b.Field("orders", "customer", FieldType::STRING, "");
         b.DefaultField("orders", "total", FieldType::INT64, std::int64_t{0}, "");
       }),
       "was customer, is now placed_on"},
      {"field retyped",
       Build([](SchemaBuilder& b) {
         b.Field("orders", "customer", FieldType::STRING, "");
         b.Field("orders", "placed_on", FieldType::DATE, "");
         b.DefaultField("orders", "total", FieldType::DOUBLE, 0.0, "");
       }),
       "orders.total was INT64, is now DOUBLE (retyped)"},
      {"required field appended",
       Build({}, [](SchemaBuilder& b) {
         b.Field("lines", "qty", FieldType::INT64, "");
       }),
       "lines.qty was appended as a required field"},
      {"table re-parented",
       [] {
         SchemaBuilder b;
         b.Table("orders", "");
         StandardOrders(b);
         b.Index("orders", "by_placed_on", IndexKind::RANGE, "");
         b.IndexKey("orders", "by_placed_on", "placed_on");
         b.Table("lines", "");
         b.Field("lines", "order_uuid", FieldType::UUID, "");
         b.Field("lines", "sku", FieldType::STRING, "");
         Result<Schema> s = b.Finish();
         BOOST_TEST_REQUIRE(s.ok(), s.status().message());
         return s.value();
       }(),
       "table lines changed its PARENT from \"orders\" to \"\""},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      Result<SchemaChanges> r = CompareSchemas(old, c.now);
      BOOST_TEST_REQUIRE((r.status().code() == Status::Code::kSchemaMismatch));
      BOOST_TEST(r.status().message().find(c.says) != std::string::npos,
                 r.status().message());
      BOOST_TEST(r.status().message().find("migrate") != std::string::npos,
                 "the message says what to do");
    }
  }
}

BOOST_AUTO_TEST_CASE(every_difference_is_listed_not_just_the_first) {
  const Schema now = Build(
      [](SchemaBuilder& b) {
        b.Field("orders", "client", FieldType::STRING, "");
        b.Field("orders", "placed_on", FieldType::DATE, "");
      },
      {}, false);
  Result<SchemaChanges> r = CompareSchemas(Build(), now);
  BOOST_TEST_REQUIRE((r.status().code() == Status::Code::kSchemaMismatch));
  for (const char* says : {"table lines was removed", "is now client", "(total) was removed"})
    BOOST_TEST(r.status().message().find(says) != std::string::npos, says);
}


BOOST_AUTO_TEST_CASE(a_default_field_may_become_nullable_and_its_indexes_are_rebuilt) {
  const Schema stored = Build({}, [](SchemaBuilder& b) {
    b.Index("orders", "by_total", IndexKind::MULTI, "");
    b.IndexKey("orders", "by_total", "total");
  });
  Schema compiled = stored;
  FieldDesc& total = compiled.tables[0].fields[2];
  total.nullable = true;
  total.default_value = Null{};
  REQUIRE_OK(compiled.Validate());
  Result<SchemaChanges> c = CompareSchemas(stored, compiled);
  REQUIRE_OK(c);
  BOOST_TEST(c->differs);
  BOOST_TEST_REQUIRE(c->build_indexes.size() == 1u);
  BOOST_TEST(compiled.tables[0].indexes[c->build_indexes[0].index].name == "by_total");
  BOOST_TEST_REQUIRE(c->drop_indexes.size() == 1u);
  BOOST_TEST(c->drop_indexes[0].db_name == "orders.by_total");
  BOOST_TEST_REQUIRE(c->notes.size() == 1u);
  BOOST_TEST(c->notes[0].find("orders.total was DEFAULT_FIELD 0, is now nullable") == 0u,
             c->notes[0]);
  // The fingerprint says what each field is.
  BOOST_TEST(stored.Fingerprint().find("field total INT64 default 0") != std::string::npos);
  BOOST_TEST(compiled.Fingerprint().find("field total INT64 nullable") != std::string::npos);
  // And the reverse is refused, naming table and field.
  Result<SchemaChanges> back = CompareSchemas(compiled, stored);
  BOOST_TEST((back.status().code() == Status::Code::kSchemaMismatch));
  BOOST_TEST(back.status().message().find("orders.total was nullable, is now a DEFAULT_FIELD") !=
                 std::string::npos,
             back.status().message());
  Schema required = stored;
  required.tables[0].fields[2].required = true;
  back = CompareSchemas(compiled, required);
  BOOST_TEST(back.status().message().find("orders.total was nullable, is now required") !=
                 std::string::npos,
             back.status().message());
}

BOOST_AUTO_TEST_CASE(nullable_fields_round_trip_and_may_be_appended) {
  const Schema s = Build({}, [](SchemaBuilder& b) {
    b.NullableField("lines", "note", FieldType::STRING, "");
  });
  Result<Schema> back = DecodeSchema(EncodeSchema(s));
  REQUIRE_OK(back);
  BOOST_TEST(back->tables[1].fields.back().nullable);
  BOOST_TEST(IsNull(back->tables[1].fields.back().default_value));
  Result<SchemaChanges> c = CompareSchemas(Build(), s);
  REQUIRE_OK(c);
  BOOST_TEST(c->differs);
}

BOOST_AUTO_TEST_CASE(the_landed_version_1_schema_reads_optional_as_default) {
  // What the landed version stored for Build(): version 1, "optional" with
  // a default (msgpack arrays, as its MSGPACK_DEFINE wrote them).
  using F = std::tuple<std::string, std::string, std::string, std::string>;
  using I = std::tuple<std::string, std::string, std::vector<std::string>>;
  using T = std::tuple<std::string, std::string, std::vector<F>, std::vector<I>>;
  std::tuple<int, std::vector<T>> v1{
      1,
      {T{"orders", "",
         {F{"customer", "STRING", "required", ""}, F{"placed_on", "DATE", "required", ""},
          F{"total", "INT64", "optional", "0"}},
         {I{"by_placed_on", "RANGE", {"placed_on"}}}},
       T{"lines", "orders",
         {F{"order_uuid", "UUID", "link", ""}, F{"sku", "STRING", "required", ""}},
         {}}}};
  msgpack::sbuffer buf;
  msgpack::pack(buf, v1);
  Result<Schema> old = DecodeSchema(std::string_view(buf.data(), buf.size()));
  REQUIRE_OK(old);
  BOOST_TEST(old->Fingerprint() == Build().Fingerprint());
  const FieldDesc& total = old->tables[0].fields[2];
  BOOST_TEST((!total.required && !total.nullable));
  BOOST_TEST((total.default_value == Value(std::int64_t{0})));
  // Version 1 knew no "nullable" role.
  std::get<1>(v1)[0] = T{"orders", "", {F{"customer", "STRING", "nullable", ""}}, {}};
  msgpack::sbuffer bad;
  msgpack::pack(bad, v1);
  BOOST_TEST((DecodeSchema(std::string_view(bad.data(), bad.size())).status().code() ==
              Status::Code::kCorruption));
}

BOOST_AUTO_TEST_SUITE_END()
