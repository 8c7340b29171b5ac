// SPDX-License-Identifier: Apache-2.0
// tests/e2e/msgpack.cc - see msgpack.h.

#include "msgpack.h"

#include <msgpack.hpp>

namespace lmdbapi::e2e {
namespace {

void Convert(const msgpack::object& o, rapidjson::Value* out,
             rapidjson::Document::AllocatorType& a) {
  switch (o.type) {
    case msgpack::type::NIL: out->SetNull(); return;
    case msgpack::type::BOOLEAN: out->SetBool(o.via.boolean); return;
    case msgpack::type::POSITIVE_INTEGER: out->SetUint64(o.via.u64); return;
    case msgpack::type::NEGATIVE_INTEGER: out->SetInt64(o.via.i64); return;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: out->SetDouble(o.via.f64); return;
    case msgpack::type::STR:
      out->SetString(o.via.str.ptr, o.via.str.size, a);
      return;
    case msgpack::type::ARRAY:
      out->SetArray();
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        rapidjson::Value v;
        Convert(o.via.array.ptr[i], &v, a);
        out->PushBack(v, a);
      }
      return;
    case msgpack::type::MAP:
      out->SetObject();
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        rapidjson::Value k, v;
        Convert(o.via.map.ptr[i].key, &k, a);
        Convert(o.via.map.ptr[i].val, &v, a);
        if (!k.IsString()) k.SetString("<not a string key>", a);
        out->AddMember(k, v, a);
      }
      return;
    case msgpack::type::BIN:
    case msgpack::type::EXT:
      out->SetString("<bin or ext>", a);
      return;
  }
}

}  // namespace

std::string PackRecord(const TableDesc& t, const Rec& rec) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(static_cast<std::uint32_t>(t.fields.size()));
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    pk.pack(t.fields[i].name);
    const Val& v = rec.fields[i];
    if (auto* s = std::get_if<std::string>(&v)) pk.pack(*s);
    else if (auto* n = std::get_if<std::int64_t>(&v)) pk.pack_int64(*n);
    else if (auto* d = std::get_if<double>(&v)) pk.pack_double(*d);
    else if (auto* b = std::get_if<bool>(&v)) pk.pack(*b);
    else pk.pack_nil();
  }
  return std::string(buf.data(), buf.size());
}

rapidjson::Document ToDocument(std::string_view bytes) {
  rapidjson::Document d;
  try {
    std::size_t off = 0;
    msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size(), off);
    if (off != bytes.size()) throw std::runtime_error("trailing bytes");
    Convert(oh.get(), &d, d.GetAllocator());
  } catch (const std::exception&) {
    d.Parse("");  // an error the caller sees
  }
  return d;
}

}  // namespace lmdbapi::e2e
