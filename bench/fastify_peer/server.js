// SPDX-License-Identifier: Apache-2.0
// bench/fastify_peer/server.js - the peer a JavaScript team would write
// instead of lmdb-api, measured beside it by make bench (bench/run.sh).
//
// fastify + lmdb-js, as their documentation shows them: lmdb-js defaults
// (values in msgpackr, durable commits), one composite index (a dupSort
// database keyed by [client, county, county_status]), a cluster of
// `workers` processes sharing the port, every insert answered only once its
// commit is flushed (`await root.flushed`). It validates what the bench
// sends and no more, checks no unique index, and keeps no revision history:
// it does less than lmdb-api does, which is the point of the comparison.
//
//   node server.js DATA_DIR PORT [WORKERS]
//   node server.js --load DATA_DIR NDJSON   (lmdbapi-admin export permits)

'use strict';

const cluster = require('node:cluster');
const crypto = require('node:crypto');
const fs = require('node:fs');
const readline = require('node:readline');
const { open } = require('lmdb');

function openStore(dir) {
  const root = open({ path: dir });
  return {
    root,
    permits: root.openDB({ name: 'permits' }),
    byComposite: root.openDB({ name: 'main_composite', dupSort: true }),
  };
}

function compositeKey(r) {
  return [r.client, r.county, r.county_status];
}

// Loads an NDJSON export into the store, a thousand records a transaction.
async function load(dir, file) {
  const { root, permits, byComposite } = openStore(dir);
  const lines = readline.createInterface({ input: fs.createReadStream(file) });
  let batch = [];
  let n = 0;
  const flush = async () => {
    const records = batch;
    batch = [];
    await root.transaction(() => {
      for (const r of records) {
        permits.put(r.uuid, r);
        byComposite.put(compositeKey(r), r.uuid);
      }
    });
  };
  for await (const line of lines) {
    if (line === '') continue;
    batch.push(JSON.parse(line));
    n++;
    if (batch.length === 1000) await flush();
  }
  await flush();
  await root.close();
  console.error(`fastify-peer: loaded ${n} permits into ${dir}`);
}

const FIELDS = {
  permit_number: 'string', client: 'string', county: 'string',
  county_status: 'string', issued_on: 'string',
};

function serve(dir, port) {
  const { root, permits, byComposite } = openStore(dir);
  const app = require('fastify')({ logger: false });

  app.get('/api/permits/get-record', async (req) => {
    const q = req.query;
    const records = [];
    for (const uuid of byComposite.getValues([q.client, q.county, q.county_status])) {
      const r = permits.get(uuid);
      if (r !== undefined) records.push(r);
    }
    return { records };
  });

  app.get('/api/permits/:uuid', async (req, reply) => {
    const r = permits.get(req.params.uuid);
    if (r === undefined) {
      reply.code(404).type('application/problem+json');
      return { title: 'Not Found', status: 404 };
    }
    return r;
  });

  app.post('/api/permits', async (req, reply) => {
    const body = req.body;
    for (const [name, type] of Object.entries(FIELDS)) {
      if (body === null || typeof body !== 'object' || typeof body[name] !== type) {
        reply.code(400).type('application/problem+json');
        return { title: 'Bad Request', status: 400, detail: `${name}: expected a ${type}` };
      }
    }
    const record = { uuid: crypto.randomUUID(), revision: 1, ...body };
    await root.transaction(() => {
      permits.put(record.uuid, record);
      byComposite.put(compositeKey(record), record.uuid);
    });
    await root.flushed;  // durable before the answer, as ours is
    reply.code(201);
    return record;
  });

  app.listen({ host: '127.0.0.1', port }, (err) => {
    if (err) {
      console.error(`fastify-peer: ${err.message}`);
      process.exit(1);
    }
  });
}

const args = process.argv.slice(2);
if (args[0] === '--load') {
  load(args[1], args[2]).catch((e) => {
    console.error(`fastify-peer: load failed: ${e.message}`);
    process.exit(1);
  });
} else if (cluster.isPrimary) {
  const workers = Number(args[2] || 2);
  for (let i = 0; i < workers; i++) cluster.fork();
  // A worker that dies is not replaced: the bench should see it fail.
  cluster.on('exit', (w, code) => {
    console.error(`fastify-peer: worker ${w.process.pid} exited (${code})`);
    process.exit(1);
  });
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers)) w.kill('SIGTERM');
    process.exit(0);
  });
} else {
  serve(args[0], Number(args[1]));
}
