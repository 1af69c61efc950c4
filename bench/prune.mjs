#!/usr/bin/env node
// Pruning benchmark (issue 13): BENCH_PRUNE_EVENTS (1,000,000) prunable events seeded with generate_series into a
// scratch database migrated by the service's own runner, then the real retention job (dist/src/cli/tds-cli.js
// retention, the code the daily schedule runs) prunes them; prints rows/s and the time per batch of each pass.
//
// Seeded (ids in arrival order, ~1 KB body + ~0.6 KB payload each, one attempt row each):
//   - half the prunable events completed 91–180 days ago  → the delete pass removes them with their attempts;
//   - half completed 8–89 days ago                        → the inbox pass clears their body and payload;
//   - BENCH_PRUNE_KEEP_EVENTS (20,000) recent completed events and 1,000 old dead letters → untouched.
// Afterwards the counts are checked against the policy (exactly those rows, nothing else).
//
// Usage: node scripts/build.mjs && node bench/prune.mjs
//   BENCH_PRUNE_EVENTS=100000            a smaller run
//   BENCH_PRUNE_BATCH=1000               TDS_RETENTION_BATCH_SIZE for the job
//   node bench/prune.mjs --seed-only     seed a scratch database, print its URL and keep it: for the interleaved
//                                        measurement, run the pruning in a loop against it while ingest/drain run:
//                                          DATABASE_URL=<url> node dist/src/cli/tds-cli.js retention --loop --json
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireServer, createScratchDatabase, dropScratchDatabase, query, redact, serverVersion } from './lib/pg.mjs';
import { fmtNumber, log, printTable, writeResult } from './lib/report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const CLI = join(ROOT, 'dist/src/cli/tds-cli.js');

const int = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${v}: expected a positive integer`);
  return n;
};
const N = int('BENCH_PRUNE_EVENTS', 1_000_000);
const KEEP = int('BENCH_PRUNE_KEEP_EVENTS', 20_000);
const DEAD = 1_000;
const BATCH = int('BENCH_PRUNE_BATCH', 1000);
const SEED_CHUNK = 100_000;

// One realistic-sized contact record; each row's copy differs by its id.
const RECORD = JSON.stringify({
  contact_name: 'Bagdad Trading Co.',
  company_name: 'Bagdad Trading Company LLC',
  contact_type: 'customer',
  status: 'active',
  email: 'accounts@bagdad-trading.example',
  billing_address: { address: 'Al-Karrada, Street 62, Building 14', city: 'Baghdad', country: 'Iraq', zip: '10001' },
  custom_fields: Array.from({ length: 6 }, (_, i) => ({ label: `Field ${i}`, value: `value ${i} `.repeat(3) })),
});

/** Inserts events [from, to) with completion ages spread over [minDays, maxDays], in id (= arrival) order. */
async function seed(url, { from, to, status, minDays, maxDays }) {
  const span = to - from;
  // Older first: arrival order (id) follows time, as in production.
  await query(
    url,
    `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, organization_id, zoho_modified_at,
                             content_type, body, payload, status, outcome, attempts, received_at, updated_at, completed_at)
     SELECT 'bench:' || g, 'contact', 'contact', (460000000000000 + g)::text, 'updated', '1', t.at,
            'application/json', convert_to('{"contact":' || r.rec || '}', 'UTF8'), r.rec::jsonb,
            $3, CASE WHEN $3 = 'completed' THEN 'applied' END, 1, t.at, t.at, CASE WHEN $3 = 'completed' THEN t.at END
     FROM generate_series($1::bigint, $2::bigint - 1) g
     CROSS JOIN LATERAL (SELECT now() - make_interval(secs => ($5::float8 - ($5 - $4) * (g - $1)::float8 / $6) * 86400) AS at) t
     CROSS JOIN LATERAL (SELECT jsonb_set($7::jsonb, '{contact_id}', to_jsonb((460000000000000 + g)::text))::text AS rec) r`,
    [from, to, status, minDays, maxDays, Math.max(1, span), RECORD],
  );
}

async function seedAll(url) {
  const half = Math.floor(N / 2);
  const t0 = performance.now();
  let next = 1;
  const put = async (count, status, minDays, maxDays) => {
    // Chunks keep each transaction (and its WAL) moderate; ages continue across chunks.
    for (let done = 0; done < count; done += SEED_CHUNK) {
      const n = Math.min(SEED_CHUNK, count - done);
      const lo = maxDays - ((maxDays - minDays) * done) / count;
      const hi = maxDays - ((maxDays - minDays) * (done + n)) / count;
      await seed(url, { from: next, to: next + n, status, minDays: hi, maxDays: lo });
      next += n;
    }
  };
  await put(DEAD, 'dead_letter', 181, 200);
  await put(half, 'completed', 91, 180);
  await put(N - half, 'completed', 8, 89);
  await put(KEEP, 'completed', 0, 6);
  await query(
    url,
    `INSERT INTO tds.event_attempts (event_id, attempt, worker_id, started_at, finished_at, duration_ms, outcome)
     SELECT id, 1, 'bench', received_at, received_at, 1, CASE status WHEN 'completed' THEN 'applied' ELSE 'dead_letter' END
     FROM tds.events`,
  );
  await query(url, 'VACUUM ANALYZE tds.events');
  await query(url, 'VACUUM ANALYZE tds.event_attempts');
  return { seedS: (performance.now() - t0) / 1000, expectDeleted: half, expectCleared: N - half };
}

function runJob(url) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'retention', '--json'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, TDS_RETENTION_BATCH_SIZE: String(BATCH), LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`retention job exited ${code}: ${out}`));
      const line = out.split('\n').find((l) => l.startsWith('{'));
      resolve(JSON.parse(line));
    });
  });
}

async function counts(url) {
  const { rows } = await query(
    url,
    `SELECT count(*)::int AS events,
            count(*) FILTER (WHERE status = 'dead_letter' AND body IS NOT NULL)::int AS dead_whole,
            count(*) FILTER (WHERE body IS NULL)::int AS cleared,
            (SELECT count(*)::int FROM tds.event_attempts) AS attempts
     FROM tds.events`,
  );
  return rows[0];
}

async function main() {
  const seedOnly = process.argv.includes('--seed-only');
  const server = await acquireServer({ log });
  const { runMigrations } = require(join(ROOT, 'dist/src/database/prepare-database.js'));
  const db = await createScratchDatabase(server.url, 'prune');
  let keep = seedOnly;
  try {
    await runMigrations(db.url);
    log(`seeding ${fmtNumber(N)} prunable events (+${fmtNumber(KEEP)} recent, ${DEAD} dead letters) into ${db.name}`);
    const seeded = await seedAll(db.url);
    const before = await counts(db.url);
    log(`seeded in ${seeded.seedS.toFixed(1)} s: ${fmtNumber(before.events)} events, ${fmtNumber(before.attempts)} attempts`);
    if (seedOnly) {
      log(`kept: DATABASE_URL=${redact(db.url)}`);
      log(`loop: DATABASE_URL=${redact(db.url)} node dist/src/cli/tds-cli.js retention --loop --json`);
      return;
    }
    const result = await runJob(db.url);
    const after = await counts(db.url);
    const ok =
      result.deleted.rows === seeded.expectDeleted &&
      result.cleared.rows === seeded.expectCleared &&
      after.events === before.events - seeded.expectDeleted &&
      after.dead_whole === DEAD &&
      after.attempts === before.attempts - seeded.expectDeleted;
    const row = (name, p) => [
      name,
      fmtNumber(p.rows),
      String(p.batches),
      (p.ms / 1000).toFixed(1),
      fmtNumber(p.rowsPerSecond),
      `${p.batchMs.p50} / ${p.batchMs.p95} / ${p.batchMs.max}`,
    ];
    printTable(
      `retention job over ${fmtNumber(N)} prunable events (batch ${BATCH}, PostgreSQL ${await serverVersion(server.url)})`,
      ['pass', 'rows', 'batches', 's', 'rows/s', 'ms per batch p50 / p95 / max'],
      [row('delete completed > 90 d (+ attempts)', result.deleted), row('clear bodies > 7 d', result.cleared)],
    );
    log(
      `policy check: ${ok ? 'exact (deleted, cleared, dead letters whole, attempts)' : `MISMATCH ${JSON.stringify({ seeded, before, after, result })}`}`,
    );
    const file = writeResult('prune', { events: N, batch: BATCH, seedS: seeded.seedS, result, before, after, policyExact: ok });
    log(`wrote ${file}`);
    if (!ok) process.exitCode = 1;
  } finally {
    if (!keep) await dropScratchDatabase(server.url, db.name);
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
