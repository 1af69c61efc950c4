#!/usr/bin/env node
// Monitoring benchmark (issue #11): the cost of one monitoring run (snapshot + alert rules + insert) on a database
// holding BENCH_MONITORING_EVENTS events (default 1,000,000) and three attempts each (3,000,000), spread over
// BENCH_MONITORING_SPAN_HOURS (default 24: ~700 events/min, so the 15-minute window holds ~10,000 events and
// ~31,000 attempts). Most events are completed; a backlog of pending, failed and dead-lettered ones sits on top.
//
// How: a scratch database is migrated with the built code, seeded in SQL (generate_series; ~1–2 minutes at full
// size), vacuumed and analysed; then the real MonitoringService (the built dist/ app, TDS_ROLE=api, no listener)
// runs BENCH_MONITORING_RUNS times (default 15, after 2 warm-ups) and the median, p95, min and max are printed.
//
// Usage: node scripts/build.mjs && node bench/monitoring.mjs          (BENCH_QUICK=1: 100,000 events, 5 runs)
//        node bench/monitoring.mjs --loop 5 --database-url postgres://…/db
//            runs the monitoring job every 5 s against an existing database until SIGINT/SIGTERM, printing each
//            run's duration (for interleaved ingest/drain measurements; a service started with
//            TDS_MONITORING_CRON='*/5 * * * * *' does the same from inside).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { acquireServer, createScratchDatabase, dropScratchDatabase, redact, serverVersion, withClient } from './lib/pg.mjs';
import { assertBuilt, ROOT } from './lib/service.mjs';
import { fmtNumber, isMain, log, printTable, settings, sleep, writeResult } from './lib/report.mjs';

const require = createRequire(import.meta.url);
const DIST = join(ROOT, 'dist');

function intEnv(name, dflt) {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${v}: expected a positive number`);
  return Math.round(n);
}

const ENTITY_TYPES = ['contact', 'product', 'sales_order', 'invoice', 'bill', 'credit_note', 'stock', 'price_list'];

/** Seeds events and attempts in SQL: completed history in arrival order, then the unfinished backlog. */
export async function seed(url, { events, spanHours }) {
  const backlog = { pending: 2000, failed: 200, dead_letter: 150 };
  const history = events - backlog.pending - backlog.failed - backlog.dead_letter;
  const types = `ARRAY[${ENTITY_TYPES.map((t) => `'${t}'`).join(',')}]`;
  await withClient(url, async (c) => {
    // One statement per table; received_at grows with id over the span (the history's physical order follows time,
    // as in production), each completed event finishing 50–550 ms after it was received.
    await c.query(
      `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, content_type, body, payload, status,
                               outcome, attempts, zoho_modified_at, received_at, next_attempt_at, completed_at, updated_at)
       SELECT 'bench:' || g, t, t, (g % 50000)::text, 'updated', 'application/json', '\\x7b7d', '{}', 'completed', 'applied', 3,
              r - interval '1 minute', r, r, r + (50 + g % 500) * interval '1 ms', r
       FROM generate_series(1, $1::int) g,
            LATERAL (SELECT (${types})[1 + g % 8] AS t,
                            now() - make_interval(secs => $2::float8 * 3600 * (1 - g::float8 / $1::int)) AS r) x`,
      [history, spanHours],
    );
    let offset = history;
    for (const [status, n] of Object.entries(backlog)) {
      await c.query(
        `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, content_type, body, payload, status,
                                 attempts, received_at, next_attempt_at)
         SELECT 'bench:' || g, (${types})[1 + g % 8], (${types})[1 + g % 8], 'b' || g, 'updated', 'application/json', '\\x7b7d',
                '{}', $3, CASE WHEN $3 = 'pending' THEN 0 ELSE 3 END, now() - make_interval(secs => (g - $1::int) % 1200),
                now() + interval '1 minute'
         FROM generate_series($1::int + 1, $1::int + $2::int) g`,
        [offset, n, status],
      );
      offset += n;
    }
    log(`seeded ${fmtNumber(events)} events`);
    // Three attempts per event of the history (two retries, then the apply), in finish order.
    await c.query(
      `INSERT INTO tds.event_attempts (event_id, attempt, worker_id, started_at, finished_at, duration_ms, outcome, error_code)
       SELECT e.id, a, 'bench-worker', f - interval '5 ms', f, 5,
              CASE WHEN a = 3 THEN 'applied' ELSE 'retry' END, CASE WHEN a = 3 THEN NULL ELSE 'DATABASE_UNAVAILABLE' END
       FROM tds.events e CROSS JOIN generate_series(1, 3) a
       CROSS JOIN LATERAL (SELECT e.completed_at - (3 - a) * interval '10 ms' AS f) x
       WHERE e.status = 'completed'
       ORDER BY e.id, a`,
    );
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM tds.event_attempts`);
    log(`seeded ${fmtNumber(rows[0].n)} attempts`);
    await c.query(
      `INSERT INTO tds.workers (worker_id, role, hostname, pid, version) VALUES ('bench-worker', 'worker', 'bench', 1, 'bench')`,
    );
    await c.query('VACUUM ANALYZE');
  });
}

/** The built app on `url` (no listener, no scheduler): its MonitoringService. */
async function monitoringApp(url) {
  const { createApp } = require(join(DIST, 'src', 'app.factory.js'));
  const { buildAppConfig } = require(join(DIST, 'src', 'config', 'app-config.js'));
  const { validate } = require(join(DIST, 'src', 'config', 'env.validation.js'));
  const { MonitoringService } = require(join(DIST, 'src', 'modules', 'monitoring', 'monitoring.service.js'));
  const config = buildAppConfig(
    validate({
      ENVIRONMENT: 'test',
      TDS_ROLE: 'api',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      DB_MIGRATE_ON_START: 'false',
      WEBHOOK_API_KEYS: 'bench-monitoring-key',
      TDS_MONITORING_ENABLED: 'false',
      TDS_MONITORING_WINDOW_MINUTES: process.env.TDS_MONITORING_WINDOW_MINUTES ?? '15',
    }),
  );
  const app = await createApp(config);
  await app.init();
  return { monitoring: app.get(MonitoringService), close: () => app.close() };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Seeds a scratch database, times the runs; returns the figures. */
export async function runMonitoring() {
  assertBuilt();
  const s = settings();
  const events = intEnv('BENCH_MONITORING_EVENTS', s.quick ? 100_000 : 1_000_000);
  const spanHours = intEnv('BENCH_MONITORING_SPAN_HOURS', 24);
  const runs = intEnv('BENCH_MONITORING_RUNS', s.quick ? 5 : 15);
  const server = await acquireServer({ log });
  const { name, url } = await createScratchDatabase(server.url, 'monitoring');
  try {
    const { runMigrations } = require(join(DIST, 'src', 'database', 'prepare-database.js'));
    await runMigrations(url);
    const seedStart = Date.now();
    await seed(url, { events, spanHours });
    log(`seeded and analysed in ${((Date.now() - seedStart) / 1000).toFixed(0)} s`);
    const app = await monitoringApp(url);
    const durations = [];
    let last;
    try {
      for (let i = 0; i < runs + 2; i++) {
        const t0 = performance.now();
        last = await app.monitoring.runOnce();
        if (i >= 2) durations.push(performance.now() - t0);
        // As if the run had been 5 minutes ago (the default cadence): the next run reads 5 minutes of applies for
        // the freshness, as in production, not the few milliseconds since this one.
        await withClient(url, (c) =>
          c.query(`UPDATE tds.metrics_snapshots SET taken_at = taken_at - interval '5 minutes'
                   WHERE id = (SELECT max(id) FROM tds.metrics_snapshots)`),
        );
      }
    } finally {
      await app.close();
    }
    durations.sort((a, b) => a - b);
    const result = {
      events,
      attempts: (events - 2350) * 3,
      spanHours,
      windowMinutes: last.windowMinutes,
      windowAttempts: last.queue.window.attempts,
      runs,
      medianMs: quantile(durations, 0.5),
      p95Ms: quantile(durations, 0.95),
      minMs: durations[0],
      maxMs: durations[durations.length - 1],
      targetMs: 250,
      postgres: await serverVersion(server.url),
    };
    printTable(
      `monitoring run on ${fmtNumber(events)} events / ${fmtNumber(result.attempts)} attempts (${runs} runs; window ${result.windowMinutes} min = ${fmtNumber(result.windowAttempts)} attempts)`,
      ['median ms', 'p95 ms', 'min ms', 'max ms', 'target'],
      [[fmtNumber(result.medianMs, 1), fmtNumber(result.p95Ms, 1), fmtNumber(result.minMs, 1), fmtNumber(result.maxMs, 1), '≤ 250 ms']],
    );
    return result;
  } finally {
    await dropScratchDatabase(server.url, name);
    await server.stop();
  }
}

/** Runs the monitoring job every `seconds` against an existing (migrated) database until a signal. */
async function loop(url, seconds) {
  assertBuilt();
  const app = await monitoringApp(url);
  let stop = false;
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => (stop = true));
  log(`monitoring every ${seconds} s on ${redact(url)} (Ctrl-C to stop)`);
  while (!stop) {
    const t0 = performance.now();
    const s = await app.monitoring.runOnce();
    log(
      `run ${fmtNumber(performance.now() - t0, 1)} ms: pending=${s.queue.depth.pending} throughput=${s.queue.window.throughputPerMinute}/min`,
    );
    const rest = seconds * 1000 - (performance.now() - t0);
    for (let waited = 0; waited < rest && !stop; waited += 100) await sleep(Math.min(100, rest - waited));
  }
  await app.close();
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const main = async () => {
    if (args.includes('--loop')) {
      const url = arg('--database-url') ?? process.env.DATABASE_URL;
      if (!url) throw new Error('--loop needs --database-url (or DATABASE_URL)');
      await loop(url, Number(arg('--loop') ?? 5));
      return;
    }
    const result = await runMonitoring();
    log(`result written to ${writeResult('monitoring', result)}`);
  };
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
