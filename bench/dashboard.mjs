#!/usr/bin/env node
// Dashboard benchmark (issue 12): every /dashboard route on a queue of BENCH_DASHBOARD_EVENTS events (default
// 1,000,000) and three attempts each (3,000,000), p50/p95 over BENCH_DASHBOARD_REQUESTS sequential requests per route
// (default 200, after 20 warm-up requests). Target: p95 ≤ 100 ms.
//
// How: a scratch database is migrated by the real service (TDS_ROLE=api, production settings), then filled with SQL
// generate_series, in id order over 30 days (as a queue fills): 8 entity types, 200,000 records (5 events each),
// 97 % completed, 1 % pending, 0.5 % failed, 1.5 % dead letter with a dozen error causes carrying ids and amounts;
// every event has three tds.event_attempts rows; the ERP rows of the invoices exist. VACUUM ANALYZE, then the routes
// are requested over HTTP with an admin key, with parameters that vary per request (random Zoho ids, event ids,
// cursors deep in the history). Writes (replay, retry, bulk dry-run) are measured too; the rate limits are raised.
// Usage: node scripts/build.mjs && node bench/dashboard.mjs   (BENCH_QUICK=1: 50,000 events, 50 requests)
import { acquireServer, createScratchDatabase, dropScratchDatabase, query, serverVersion } from './lib/pg.mjs';
import { startService } from './lib/service.mjs';
import { fmtNumber, isMain, log, printTable, settings, writeResult } from './lib/report.mjs';

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const TYPES = ['contact', 'product', 'sales_order', 'invoice', 'bill', 'credit_note', 'stock', 'price'];
const RECORD = {
  contact: 'contact',
  product: 'item',
  sales_order: 'salesorder',
  invoice: 'invoice',
  bill: 'bill',
  credit_note: 'creditnote',
  stock: 'inventory_adjustment',
  price: 'pricebook',
};

const int = (name, dflt) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: expected a positive number`);
  return Math.round(v);
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function seed(url, events) {
  const records = Math.max(1, Math.floor(events / 5));
  const types = `ARRAY[${TYPES.map((t) => `'${t}'`).join(',')}]`;
  const recordTypes = `ARRAY[${TYPES.map((t) => `'${RECORD[t]}'`).join(',')}]`;
  // Statuses by position: every 100th..: 97 completed, 1 pending, 0.5 failed, 1.5 dead letter.
  const status = `CASE WHEN i % 200 IN (0, 1, 2) THEN 'dead_letter' WHEN i % 200 = 3 THEN 'failed' WHEN i % 100 = 4 THEN 'pending' ELSE 'completed' END`;
  const error = `CASE (i / 200) % 12
      WHEN 0 THEN 'invoice.total: "' || (i % 977) || 'x" is not a number'
      WHEN 1 THEN 'contact.credit_limit: "lots-' || i || '" is not a number (gave up after 8 attempts)'
      WHEN 2 THEN 'duplicate key value violates unique constraint "invoice_lines_pkey" (line ' || (i % 50) || ')'
      WHEN 3 THEN 'item ' || (460000000000000 + i) || ' has no location ' || (i % 17)
      WHEN 4 THEN 'canceling statement due to statement timeout after ' || (i % 30000) || ' ms'
      WHEN 5 THEN 'no stock handler for record type ''widget_' || (i % 9) || ''''
      WHEN 6 THEN 'salesorder.date: "2026-13-' || (i % 31) || '" is not a date'
      WHEN 7 THEN 'bill.exchange_rate: "' || (i % 1000) || ',5" is not a number'
      WHEN 8 THEN 'request ' || md5(i::text)::uuid || ' timed out'
      WHEN 9 THEN 'price.rate: value ' || (i % 99999) || '.123456789 out of range'
      WHEN 10 THEN 'creditnote.line_items[' || (i % 20) || '].quantity: "" is not a number'
      ELSE 'stock adjustment ' || i || ' refers to unknown warehouse ' || (i % 7) END`;
  await query(
    url,
    `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, organization_id, zoho_modified_at,
                             content_type, body, payload, status, outcome, attempts, next_attempt_at, last_error, last_error_code,
                             received_at, updated_at, completed_at)
     SELECT 'bench:' || i, (${types})[1 + i % 8], (${recordTypes})[1 + i % 8], (460000000000000 + i % ${records})::text,
            'updated', '20099887766', t, 'application/json',
            convert_to('{"x":{"id":"' || (460000000000000 + i % ${records}) || '","n":' || i || '}}', 'UTF8'),
            jsonb_build_object('id', (460000000000000 + i % ${records})::text, 'n', i),
            s, CASE WHEN s = 'completed' THEN 'applied' END, CASE WHEN s = 'pending' THEN 0 ELSE 3 END, t,
            CASE WHEN s IN ('failed', 'dead_letter') THEN ${error} END,
            CASE WHEN s IN ('failed', 'dead_letter') THEN 'INVALID_PAYLOAD' END,
            t, t + interval '1 second', CASE WHEN s = 'completed' THEN t + interval '1 second' END
     FROM (SELECT i, now() - interval '30 days' + (i * (interval '30 days' / ${events})) AS t, ${status} AS s
           FROM generate_series(1, ${events}) AS i) g`,
  );
  await query(
    url,
    `INSERT INTO tds.event_attempts (event_id, attempt, worker_id, started_at, finished_at, duration_ms, outcome, error, error_code)
     SELECT e.id, a, 'bench:1:w', e.received_at, e.received_at + interval '5 ms', 5,
            CASE WHEN a < 3 THEN 'retry' WHEN e.status = 'completed' THEN 'applied' WHEN e.status = 'failed' THEN 'retry' ELSE 'dead_letter' END,
            CASE WHEN a < 3 OR e.status <> 'completed' THEN coalesce(e.last_error, 'connection reset') END, NULL
     FROM tds.events e CROSS JOIN generate_series(1, 3) AS a`,
  );
  await query(
    url,
    `INSERT INTO erp.invoices (zoho_invoice_id, invoice_number, total, zoho_modified_at, raw)
     SELECT DISTINCT ON (entity_id) entity_id, 'INV-' || id, id, zoho_modified_at, payload FROM tds.events
     WHERE entity_type = 'invoice' AND status = 'completed' ORDER BY entity_id, id DESC`,
  );
  await query(url, `VACUUM ANALYZE tds.events`);
  await query(url, `VACUUM ANALYZE tds.event_attempts`);
  await query(url, `VACUUM ANALYZE erp.invoices`);
}

export async function runDashboard() {
  const { quick } = settings();
  const events = int('BENCH_DASHBOARD_EVENTS', quick ? 50_000 : 1_000_000);
  const requests = int('BENCH_DASHBOARD_REQUESTS', quick ? 50 : 200);
  const server = await acquireServer({ log });
  const db = await createScratchDatabase(server.url, 'dashboard');
  let svc;
  try {
    svc = await startService({
      databaseUrl: db.url,
      role: 'api',
      env: { ADMIN_API_KEYS: `bench:${ADMIN_KEY}`, RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_READS_PER_MINUTE: '1000000' },
    });
    log(`seeding ${fmtNumber(events, 0)} events and ${fmtNumber(events * 3, 0)} attempts`);
    const t0 = Date.now();
    await seed(db.url, events);
    log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

    const { rows: facts } = await query(
      db.url,
      `SELECT min(id)::text AS min_id, max(id)::text AS max_id,
              (SELECT count(*) FROM tds.events WHERE status = 'dead_letter')::int AS dead,
              (SELECT count(*) FROM tds.event_attempts)::int AS attempts FROM tds.events`,
    );
    const { min_id: minId, max_id: maxId, dead, attempts } = facts[0];
    const records = Math.max(1, Math.floor(events / 5));
    const rnd = (n) => Math.floor(Math.random() * n);
    const randomEventId = () => String(Number(minId) + rnd(Number(maxId) - Number(minId) + 1));
    const randomZohoId = () => String(460000000000000 + rnd(records));
    const cursorAt = (id) => Buffer.from(`e:${id}`).toString('base64url');
    const iso = (daysAgo) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    const fingerprints = await fetchJson(svc.url, '/dashboard/dead-letter?groupBy=error&limit=200');

    const routes = [
      ['GET recent-events (newest page)', () => ['GET', '/dashboard/recent-events']],
      ['GET recent-events ?entityId', () => ['GET', `/dashboard/recent-events?entityId=${randomZohoId()}`]],
      ['GET recent-events ?status=dead_letter', () => ['GET', '/dashboard/recent-events?status=dead_letter']],
      ['GET recent-events ?status=pending', () => ['GET', '/dashboard/recent-events?status=pending']],
      [
        'GET recent-events ?status=completed&entityType',
        () => ['GET', `/dashboard/recent-events?status=completed&entityType=${TYPES[rnd(8)]}`],
      ],
      [
        'GET recent-events ?q (error text)',
        () => [
          'GET',
          `/dashboard/recent-events?q=${encodeURIComponent(['not a number', 'timed out', 'warehouse', 'unique constraint'][rnd(4)])}`,
        ],
      ],
      ['GET recent-events ?cursor (deep page)', () => ['GET', `/dashboard/recent-events?cursor=${cursorAt(randomEventId())}`]],
      [
        'GET recent-events ?from&to (one day)',
        () => {
          const d = 1 + rnd(28);
          return ['GET', `/dashboard/recent-events?from=${iso(d + 1)}&to=${iso(d)}`];
        },
      ],
      ['GET events/:id', () => ['GET', `/dashboard/events/${randomEventId()}`]],
      ['GET dead-letter', () => ['GET', '/dashboard/dead-letter']],
      ['GET dead-letter ?groupBy=error', () => ['GET', '/dashboard/dead-letter?groupBy=error']],
      [
        'GET dead-letter ?fingerprint',
        () => ['GET', `/dashboard/dead-letter?fingerprint=${fingerprints.groups[rnd(fingerprints.groups.length)].fingerprint}`],
      ],
      ['GET dead-letter ?entityId', () => ['GET', `/dashboard/dead-letter?entityId=${randomZohoId()}`]],
      ['GET metrics', () => ['GET', '/dashboard/metrics']],
      ['GET queue-stats', () => ['GET', '/dashboard/queue-stats']],
      ['GET alerts', () => ['GET', '/dashboard/alerts']],
      ['GET audit', () => ['GET', '/dashboard/audit']],
      ['POST dead-letter/retry dryRun (all dead letters)', () => ['POST', '/dashboard/dead-letter/retry', { dryRun: true }]],
      [
        'POST dead-letter/retry dryRun ?fingerprint',
        () => [
          'POST',
          '/dashboard/dead-letter/retry',
          { dryRun: true, fingerprint: fingerprints.groups[rnd(fingerprints.groups.length)].fingerprint },
        ],
      ],
      ['POST events/:id/replay', () => ['POST', `/dashboard/events/${randomEventId()}/replay`]],
    ];
    const results = [];
    for (const [name, make] of routes) {
      for (let i = 0; i < 20; i++) await timed(svc.url, ...make());
      const times = [];
      for (let i = 0; i < requests; i++) times.push(await timed(svc.url, ...make()));
      times.sort((a, b) => a - b);
      results.push({ route: name, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1] });
      log(`${name}: p50 ${results.at(-1).p50.toFixed(1)} ms, p95 ${results.at(-1).p95.toFixed(1)} ms`);
    }
    printTable(
      `Dashboard routes on ${fmtNumber(events, 0)} events / ${fmtNumber(attempts, 0)} attempts (${fmtNumber(dead, 0)} dead letters), ${requests} requests each, ms`,
      ['route', 'p50', 'p95', 'max', 'p95 ≤ 100 ms'],
      results.map((r) => [r.route, r.p50.toFixed(1), r.p95.toFixed(1), r.max.toFixed(1), r.p95 <= 100 ? 'PASS' : 'MISS']),
    );
    const file = writeResult('dashboard', { events, attempts, dead, requests, server: await serverVersion(server.url), results });
    log(`results: ${file}`);
    return { events, attempts, dead, requests, results };
  } finally {
    if (svc) await svc.stop();
    await dropScratchDatabase(server.url, db.name);
  }
}

async function fetchJson(base, path) {
  const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** One request; its wall time in ms. A non-2xx answer (other than 404/409 for random ids) stops the run. */
async function timed(base, method, path, body) {
  const t = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const ms = performance.now() - t;
  if (!res.ok && res.status !== 404 && res.status !== 409) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return ms;
}

if (isMain(import.meta.url)) {
  runDashboard()
    .then(async () => (await acquireServer()).stop())
    .catch(async (err) => {
      console.error(err);
      await (await acquireServer()).stop().catch(() => undefined);
      process.exit(1);
    });
}
