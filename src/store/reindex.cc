// SPDX-License-Identifier: Apache-2.0
// src/store/reindex.cc - Reindex(): indexes rebuilt from their tables in
// one transaction (see include/lmdbapi/admin.h).

#include <string>
#include <utility>
#include <vector>

#include "lmdbapi/admin.h"
#include "store/env_impl.h"
#include "store/index_ops.h"
#include "store/txn.h"

namespace lmdbapi {

Status Reindex(Env& env, std::string_view table, std::string_view index,
               const Progress& progress) {
  Env::Impl& impl = env.impl();
  const Schema& schema = impl.schema;
  std::vector<std::pair<const TableDesc*, int>> todo;
  for (const TableDesc& t : schema.tables) {
    if (!table.empty() && t.name != table) continue;
    for (std::size_t i = 0; i < t.indexes.size(); ++i)
      if (index.empty() || t.indexes[i].name == index)
        todo.emplace_back(&t, static_cast<int>(i));
  }
  if (table.empty() && !index.empty())
    return Status::InvalidArgument(
        "table", "name the table whose index " + std::string(index) +
                     " to rebuild");
  if (!table.empty() && schema.FindTable(table) == nullptr)
    return Status::InvalidArgument(
        "table", "no table " + std::string(table) + " in the schema");
  if (!index.empty() && todo.empty())
    return Status::InvalidArgument(
        "index", "table " + std::string(table) + " has no index " +
                     std::string(index));

  WriteTxn txn(impl);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  std::uint64_t done = 0;
  for (const auto& [t, i] : todo) {
    if (progress) progress(done, todo.size());
    s = RebuildIndex(impl, txn.get(), *t, i);
    if (!s.ok()) return s;
    ++done;
  }
  s = txn.Commit();
  if (s.ok() && progress) progress(done, todo.size());
  return s;
}

}  // namespace lmdbapi
