// SPDX-License-Identifier: Apache-2.0
// src/store/batch.cc - RunBatch: many writes, one nested transaction (see
// include/lmdbapi/batch.h).
//
// Everything Table does before its transaction is done here before the
// batch is queued, in list order: references are resolved (an insert's
// uuid is made by its PrepareInsert, so every later reference to it is
// known before the transaction), each operation is checked and encoded.
// Only the *InTxn halves run on the committer's thread, as for Table's own
// writes, so a batch holds the writer no longer than its writes need; and
// CheckInsertHeadroom, which may grow the map, never runs inside a
// transaction (headroom.h).

#include "lmdbapi/batch.h"

#include <memory>
#include <utility>

#include "store/env_impl.h"
#include "store/idempotency.h"
#include "store/index_ops.h"
#include "store/record_writes.h"
#include "store/txn.h"

namespace lmdbapi {
namespace {

using Kind = BatchOp::Kind;

// One operation, checked and encoded, ready for its transaction.
struct Prepared {
  BatchOp op;
  std::vector<std::string> keys;  // insert, replace: the index keys
  std::string bytes;              // insert: the encoded record
};

struct State {
  std::vector<Prepared> ops;
  std::optional<IdempotencyKey> key;
  BatchOutcome out;
};

std::string At(int i) { return "operation " + std::to_string(i) + ": "; }

// The uuid operation `op` inserted, for operation i's reference.
Status Referenced(const std::vector<Prepared>& done, int i, int op,
                  Uuid* out) {
  if (op < 0 || op >= i)
    return Status::InvalidArgument(
        "$ref", At(i) + "$ref " + std::to_string(op) +
                    " names no earlier operation; a reference names an "
                    "insert before it in the list (0 to " +
                    std::to_string(i - 1) + ")");
  if (done[op].op.kind != Kind::kInsert)
    return Status::InvalidArgument(
        "$ref", At(i) + "$ref " + std::to_string(op) +
                    " names an operation that is not an insert; only an "
                    "insert makes a uuid");
  *out = done[op].op.record.uuid;
  return Status();
}

// Resolves op's references against the operations before it.
Status Resolve(const std::vector<Prepared>& done, int i, BatchOp* op) {
  const TableDesc& t = *op->table;
  if (op->uuid.op >= 0) {
    Status s = Referenced(done, i, op->uuid.op, &op->uuid.uuid);
    if (!s.ok()) return s;
  }
  for (const FieldRef& ref : op->refs) {
    if (ref.field < 0 || ref.field >= static_cast<int>(t.fields.size()) ||
        t.fields[ref.field].type != FieldType::UUID)
      return Status::InvalidArgument(
          ref.field >= 0 && ref.field < static_cast<int>(t.fields.size())
              ? t.fields[ref.field].name
              : "$ref",
          At(i) + "a $ref stands only for a uuid field's value");
    Uuid uuid;
    Status s = Referenced(done, i, ref.op, &uuid);
    if (!s.ok()) return s;
    if (op->kind == Kind::kPatch) {
      bool set = false;
      for (FieldPatch& p : op->patch)
        if (p.field == ref.field) {
          p.value = uuid;
          set = true;
        }
      if (!set) op->patch.push_back({ref.field, uuid});
    } else if (ref.field < static_cast<int>(op->record.fields.size())) {
      op->record.fields[ref.field] = uuid;
    }
  }
  return Status();
}

// Operation i's checks outside the transaction (Table's Prepare* halves).
Status Prepare(Env::Impl& env, const std::vector<Prepared>& done, int i,
               Prepared* p) {
  BatchOp& op = p->op;
  if (op.table == nullptr || op.table->position < 0 ||
      op.table->position >= static_cast<int>(env.schema.tables.size()) ||
      op.table->name != env.schema.tables[op.table->position].name)
    return Status::InvalidArgument("table",
                                   At(i) + "names no table of this schema");
  // Descriptors of the Env's own schema from here on.
  op.table = &env.schema.tables[op.table->position];
  Status s = Resolve(done, i, &op);
  if (!s.ok()) return s;
  const TableDesc& t = *op.table;
  switch (op.kind) {
    case Kind::kInsert:
      return internal::PrepareInsert(env, t, &op.record, &p->keys, &p->bytes);
    case Kind::kReplace:
      op.record.uuid = op.uuid.uuid;
      return internal::PrepareReplace(t, op.record, &p->keys);
    case Kind::kPatch:
      return internal::PreparePatch(t, op.patch);
    case Kind::kRemove:
      return Status();
  }
  return Status::InvalidArgument("op", At(i) + "unknown operation kind");
}

// The batch inside its (nested) transaction. May run more than once (a
// batch of the committer that ran out of map runs again after growing it),
// so it starts over from the prepared operations each time.
Status RunInTxn(Env::Impl& env, MDB_txn* txn, State& st) {
  st.out = BatchOutcome();
  if (st.key) {
    StoredIdempotencyKey stored;
    bool found = false;
    Status s = GetIdempotencyKey(env, txn, st.key->key, st.key->now, &stored,
                                 &found);
    if (!s.ok()) return s;
    if (found) {
      if (stored.digest != st.key->digest) {
        st.out.key_reused = true;
        return Status::InvalidArgument(
            "Idempotency-Key",
            "this Idempotency-Key was used for a different request (method, "
            "path or body) in the last " +
                std::to_string(st.key->ttl_seconds) +
                " s; send a new key for a new request");
      }
      st.out.replayed = std::move(stored.answer);
      return Status();
    }
  }
  std::vector<Record> records(st.ops.size());
  for (std::size_t i = 0; i < st.ops.size(); ++i) {
    Prepared& p = st.ops[i];
    const TableDesc& t = *p.op.table;
    Status s;
    switch (p.op.kind) {
      case Kind::kInsert:
        s = InsertInTxn(env, txn, t, p.op.record, p.bytes, p.keys);
        records[i] = p.op.record;
        break;
      case Kind::kReplace:
        records[i] = p.op.record;
        s = internal::ReplaceInTxn(env, txn, t, &records[i], p.keys,
                                   p.op.expected_revision);
        break;
      case Kind::kPatch:
        s = internal::PatchInTxn(env, txn, t, p.op.uuid.uuid, p.op.patch,
                                 p.op.expected_revision, &records[i]);
        break;
      case Kind::kRemove:
        s = internal::RemoveByUuid(env, txn, t, p.op.uuid.uuid,
                                   p.op.expected_revision);
        records[i].uuid = p.op.uuid.uuid;
        break;
    }
    if (!s.ok()) {
      st.out.failed = static_cast<int>(i);
      return s;
    }
  }
  if (st.key) {
    StoredIdempotencyKey entry;
    entry.expires_at = st.key->now + st.key->ttl_seconds;
    entry.digest = st.key->digest;
    entry.answer = st.key->answer(records);
    Status s = PutIdempotencyKey(env, txn, st.key->key, entry);
    if (!s.ok()) return s;
    s = SweepIdempotencyKeys(env, txn, st.key->now, kIdempotencySweepStep);
    if (!s.ok()) return s;
  }
  st.out.records = std::move(records);
  return Status();
}

// Checks and prepares the batch; false (with out set) if it fails before
// any transaction.
bool PrepareAll(Env::Impl& env, std::vector<BatchOp>& ops,
                const std::optional<IdempotencyKey>& key, State* st,
                BatchOutcome* out) {
  if (ops.empty()) {
    out->status = Status::InvalidArgument(
        "operations", "a batch needs at least one operation");
    return false;
  }
  if (key && (key->key.empty() || key->key.size() > kMaxIdempotencyKeyBytes ||
              !key->answer)) {
    out->status = Status::InvalidArgument(
        "Idempotency-Key", "an idempotency key holds 1 to " +
                               std::to_string(kMaxIdempotencyKeyBytes) +
                               " bytes, and needs an answer to store");
    return false;
  }
  st->ops.resize(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    st->ops[i].op = std::move(ops[i]);
    Status s = Prepare(env, st->ops, static_cast<int>(i), &st->ops[i]);
    if (!s.ok()) {
      out->status = std::move(s);
      out->failed = static_cast<int>(i);
      return false;
    }
  }
  st->key = key;
  return true;
}

// The outcome once the committer has told the write's Status: a failed
// commit fails every write in it, after RunInTxn said OK.
BatchOutcome Finish(State& st, Status s) {
  if (!s.ok() && st.out.status.ok() && st.out.failed < 0) {
    st.out.records.clear();
    st.out.replayed.reset();
  }
  st.out.status = std::move(s);
  return std::move(st.out);
}

}  // namespace

BatchOutcome RunBatch(Env& env, std::vector<BatchOp> ops,
                      std::optional<IdempotencyKey> key) {
  Env::Impl& impl = env.impl();
  BatchOutcome out;
  State st;
  if (!PrepareAll(impl, ops, key, &st, &out)) return out;
  Status s = impl.committer->Run(
      [&](MDB_txn* txn) { return RunInTxn(impl, txn, st); });
  return Finish(st, std::move(s));
}

void RunBatchAsync(Env& env, std::vector<BatchOp> ops,
                   std::optional<IdempotencyKey> key, BatchDone done) {
  Env::Impl& impl = env.impl();
  auto st = std::make_shared<State>();
  BatchOutcome out;
  if (!PrepareAll(impl, ops, key, st.get(), &out)) return done(std::move(out));
  impl.committer->Submit(
      [&impl, st](MDB_txn* txn) { return RunInTxn(impl, txn, *st); },
      [st, done = std::move(done)](Status s) {
        done(Finish(*st, std::move(s)));
      });
}

Result<std::optional<StoredIdempotencyKey>> LookupIdempotencyKey(
    Env& env, std::string_view key, std::uint64_t now) {
  Env::Impl& impl = env.impl();
  ReadTxn txn(impl);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  StoredIdempotencyKey stored;
  bool found = false;
  s = GetIdempotencyKey(impl, txn.get(), key, now, &stored, &found);
  if (!s.ok()) return s;
  if (!found) return std::optional<StoredIdempotencyKey>();
  return std::optional<StoredIdempotencyKey>(std::move(stored));
}

Result<std::size_t> SweepIdempotencyKeys(Env& env, std::uint64_t now,
                                         std::size_t max) {
  Env::Impl& impl = env.impl();
  std::size_t removed = 0;
  Status s = impl.committer->Run([&](MDB_txn* txn) {
    return SweepIdempotencyKeys(impl, txn, now, max, &removed);
  });
  if (!s.ok()) return s;
  return removed;
}

}  // namespace lmdbapi
