#!/usr/bin/env node
// Drain benchmark: a backlog of BENCH_DRAIN_EVENTS contact events, and separately as many invoices with 5 lines each,
// drained by the real worker (TDS_ROLE=worker processes) with the real handlers into erp.contacts / erp.invoices +
// erp.invoice_lines.
//
// How: the backlogs are sent once through the real API (TDS_ROLE=api, signed webhooks, 64 connections) and the
// stored rows are kept aside (bench.backlog_*). Each trial empties tds.events and the erp tables, starts the worker
// processes, waits until they idle, then puts the whole backlog back into tds.events in one transaction (with
// ANALYZE and the service's NOTIFY), so every worker sees all of it at once. The clock runs from the first claim
// (tds.event_attempts.started_at) to the moment no event is pending or failed (polled every 25 ms).
// Then: every event completed, none dead-lettered, and the erp row counts match the backlog.
// Worker layouts (BENCH_DRAIN_CONFIGS, "processes x loops"): 2x2 (two processes, TDS_WORKER_CONCURRENCY=2) and
// 1x4 (one process, 4 loops); the best median is reported and named.
// Usage: node scripts/build.mjs && node bench/drain.mjs   (BENCH_QUICK=1 for a smoke run)
import pg from 'pg';
import { acquireServer, createScratchDatabase, dropScratchDatabase, query, serverVersion, statStatements } from './lib/pg.mjs';
import { cpuProfArgs, probeWebhook, startService, ORGANIZATION_ID, ZOHO_SECRET } from './lib/service.mjs';
import { webhookLoad } from './lib/load.mjs';
import { startPoller } from './lib/poller.mjs';
import { bodyFactory, makeIds, queryString, webhookQuery, zohoSignature, ENTITY_ROUTE } from './lib/payloads.mjs';
import { fmtNumber, fmtStat, isMain, log, printTable, settings, sleep, summarize, writeResult } from './lib/report.mjs';

export const KINDS = {
  contacts: { kind: 'contact', tables: { 'erp.contacts': 1 } },
  invoices: { kind: 'invoice', tables: { 'erp.invoices': 1, 'erp.invoice_lines': 5 } },
};

function parseConfigs() {
  return (process.env.BENCH_DRAIN_CONFIGS ?? '2x2,1x4').split(',').map((c) => {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(c);
    if (!m) throw new Error(`BENCH_DRAIN_CONFIGS: "${c}" is not <processes>x<loops>`);
    return { name: `${m[1]}x${m[2]}`, processes: Number(m[1]), concurrency: Number(m[2]) };
  });
}

function describe(config) {
  return `${config.processes} process${config.processes > 1 ? 'es' : ''} × ${config.concurrency} loop${config.concurrency > 1 ? 's' : ''}`;
}

/** Sends n signed webhooks of one kind through the API; returns the fill rate. */
async function fillThroughApi(apiUrl, kindName, n, connections) {
  const { kind } = KINDS[kindName];
  const ids = makeIds();
  const first = bodyFactory(kind, { ids }).body(0).body;
  const params = webhookQuery('created', ORGANIZATION_ID);
  await probeWebhook(apiUrl, {
    entity: ENTITY_ROUTE[kind],
    body: first,
    query: queryString(params),
    headers: { 'x-zoho-webhook-signature': zohoSignature(ZOHO_SECRET, params, first) },
  });
  if (n <= 1) return { acceptedPerS: undefined };
  const load = await webhookLoad({ target: apiUrl, kind, amount: n - 1, startSeq: 1, connections: Math.min(connections, n - 1), ids });
  const d = load.digest;
  if (d.accepted !== n - 1) {
    throw new Error(
      `filling ${kindName}: ${d.accepted} of ${n - 1} webhooks accepted (non-2xx ${d.non2xx}, errors ${d.errors}, codes ${JSON.stringify(d.statusCodes)})`,
    );
  }
  return d;
}

async function erpTables(c) {
  const { rows } = await c.query(`SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname = 'erp'`);
  return rows.map((r) => r.t);
}

async function resetQueue(c) {
  const tables = ['tds.event_attempts', 'tds.events', ...(await erpTables(c))];
  await c.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY`);
}

/**
 * One drain of the kind's backlog by `config`'s worker processes. With `api` an API process runs beside them (its CPU
 * counts with theirs) and, with `poll` ({ paths, key }), those admin routes are fetched every second during the drain
 * (bench/polling.mjs: what an operator's dashboard costs the workers).
 */
export async function trial({ databaseUrl, kindName, config, n, pgss, api: apiEnv, poll }) {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const workers = [];
  let api;
  let poller;
  try {
    if (apiEnv) api = await startService({ databaseUrl, role: 'api', label: `drain-${kindName}-api`, env: apiEnv });
    // The polling starts now, so its first (cold) requests are over before the CPU is counted.
    if (api && poll) poller = startPoller({ baseUrl: api.url, ...poll, log });
    await resetQueue(admin);
    await admin.query('VACUUM ANALYZE tds.events');
    for (let i = 0; i < config.processes; i++) {
      workers.push(
        await startService({
          databaseUrl,
          role: 'worker',
          label: `drain-${kindName}-${config.name}-${i}`,
          env: { TDS_WORKER_CONCURRENCY: String(config.concurrency), TDS_QUEUE_POLL_INTERVAL_MS: '200' },
          nodeArgs: cpuProfArgs(`worker-${kindName}-${config.name}`),
        }),
      );
    }
    await sleep(300); // LISTEN established, loops idle
    if (pgss) await pgss.reset();
    await admin.query('BEGIN');
    // Every stored column but the generated ones (e.g. error_pattern), which PostgreSQL derives again.
    const { rows: cols } = await admin.query(
      `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS list FROM pg_attribute
       WHERE attrelid = 'tds.events'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''`,
    );
    await admin.query(`INSERT INTO tds.events (${cols[0].list}) SELECT ${cols[0].list} FROM bench.backlog_${kindName}`);
    await admin.query('ANALYZE tds.events');
    await admin.query(`SELECT pg_notify('tds_events', '')`);
    await admin.query('COMMIT');
    const committedAt = Date.now();
    const servers = api ? [...workers, api] : workers;
    const cpu0 = servers.reduce((a, w) => a + (w.memory.cpuSeconds() ?? 0), 0);
    // Wait until nothing is runnable or running; give up when no progress for 60 s.
    let lastProgress = Date.now();
    let lastCompleted = -1;
    let nextCount = Date.now() + 2000;
    let doneAt;
    while (true) {
      const { rows } = await admin.query(`SELECT EXISTS (SELECT 1 FROM tds.events WHERE status IN ('pending', 'failed')) AS busy`);
      if (!rows[0].busy) {
        doneAt = Date.now();
        break;
      }
      if (Date.now() > nextCount) {
        nextCount = Date.now() + 2000;
        const completed = (await admin.query(`SELECT count(*)::int AS n FROM tds.events WHERE status = 'completed'`)).rows[0].n;
        if (completed !== lastCompleted) {
          lastCompleted = completed;
          lastProgress = Date.now();
        } else if (Date.now() - lastProgress > 60_000) {
          const dead = workers.filter((w) => w.exited());
          throw new Error(
            `no progress for 60 s (${completed}/${n} completed)` +
              (dead.length ? `; worker exited: ${dead[0].output().slice(-2000)}` : `; worker output: ${workers[0].output().slice(-1500)}`),
          );
        }
      }
      await sleep(25);
    }
    const times = (
      await admin.query(
        `SELECT (extract(epoch FROM (SELECT min(started_at) FROM tds.event_attempts)) * 1000)::float8 AS first_claim,
                (extract(epoch FROM (SELECT max(completed_at) FROM tds.events)) * 1000)::float8 AS last_completed`,
      )
    ).rows[0];
    const firstClaim = times.first_claim ?? committedAt;
    const startAt = Math.max(committedAt, Math.min(firstClaim, doneAt)); // first claim, never before the backlog existed
    const elapsedMs = doneAt - startAt;

    poller?.stop();
    const cpuSeconds = servers.reduce((a, w) => a + (w.memory.cpuSeconds() ?? 0), 0) - cpu0;
    if (api) await api.stop();
    api = undefined;
    const peaks = [];
    for (const w of workers.splice(0)) peaks.push((await w.stop()).peakRssMb);

    const statuses = Object.fromEntries(
      (await admin.query(`SELECT status, count(*)::int AS n FROM tds.events GROUP BY status`)).rows.map((r) => [r.status, r.n]),
    );
    const erp = {};
    const problems = [];
    for (const [table, perEvent] of Object.entries(KINDS[kindName].tables)) {
      erp[table] = (await admin.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
      if (erp[table] !== n * perEvent) problems.push(`${table} holds ${erp[table]} rows, expected ${n * perEvent}`);
    }
    if ((statuses.completed ?? 0) !== n) problems.push(`${statuses.completed ?? 0}/${n} events completed (${JSON.stringify(statuses)})`);
    const top = pgss ? await pgss.top(10) : undefined;
    return {
      kind: kindName,
      config: config.name,
      n,
      elapsedMs,
      eventsPerS: n / (elapsedMs / 1000),
      pickupMs: startAt - committedAt,
      dbSpanMs: times.last_completed && times.first_claim ? times.last_completed - times.first_claim : undefined,
      peakRssMb: Math.max(...peaks),
      workerCpuUsPerEvent: (cpuSeconds * 1e6) / n,
      peakRssMbEach: peaks,
      statuses,
      erp,
      verified: problems.length === 0,
      problems,
      pgStatStatements: top,
      polled: poller?.polled ?? 0,
    };
  } finally {
    poller?.stop();
    if (api) await api.stop().catch(() => undefined);
    for (const w of workers) await w.stop().catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

/** Sends `n` webhooks of each kind through a real API process and keeps them aside in bench.backlog_<kind>. */
export async function fillBacklogs(databaseUrl, kinds, n, connections) {
  const fill = {};
  const api = await startService({ databaseUrl, role: 'api', label: 'drain-fill' });
  try {
    await query(databaseUrl, 'CREATE SCHEMA IF NOT EXISTS bench');
    for (const kindName of kinds) {
      log(`filling ${n} ${kindName} through the API`);
      const d = await fillThroughApi(api.url, kindName, n, connections);
      fill[kindName] = { acceptedPerS: d.acceptedPerS, p99Ms: d.latencyMs?.p99 };
      const stored = (await query(databaseUrl, 'SELECT count(*)::int AS n FROM tds.events')).rows[0].n;
      if (stored !== n) throw new Error(`filling ${kindName}: tds.events holds ${stored} rows, expected ${n}`);
      log(`  ${fmtNumber(d.acceptedPerS)} webhooks/s accepted while filling`);
      await query(databaseUrl, `CREATE TABLE bench.backlog_${kindName} AS SELECT * FROM tds.events ORDER BY id`);
      await query(databaseUrl, 'TRUNCATE tds.event_attempts, tds.events');
    }
  } finally {
    fill.apiPeakRssMb = (await api.stop()).peakRssMb;
  }
  return fill;
}

export async function runDrain(opts = {}) {
  const s = { ...settings(), ...opts };
  const configs = parseConfigs();
  const kinds = (process.env.BENCH_DRAIN_KINDS ?? 'contacts,invoices')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => KINDS[k]);
  const n = s.drainEvents;
  const server = await acquireServer({ log });
  log(
    `drain: ${s.runs} run(s); backlogs of ${n} ${kinds.join(' / ')}; layouts ${configs.map(describe).join(', ')}; PostgreSQL ${await serverVersion(server.url)}`,
  );
  const db = await createScratchDatabase(server.url, 'drain');
  const errors = [];
  const runs = [];
  const fill = {};
  try {
    // 1. Backlogs through the real API, kept aside.
    Object.assign(fill, await fillBacklogs(db.url, kinds, n, s.connections));

    const pgss = await statStatements(db.url);
    // 2. Trials.
    for (let r = 0; r < s.runs; r++) {
      const run = {};
      for (const kindName of kinds) {
        run[kindName] = {};
        for (const config of configs) {
          log(`drain run ${r + 1}/${s.runs}: ${n} ${kindName}, ${describe(config)}`);
          try {
            const t = await trial({ databaseUrl: db.url, kindName, config, n, pgss });
            run[kindName][config.name] = t;
            log(
              `  ${fmtNumber(t.eventsPerS)} events/s (${fmtNumber(t.elapsedMs / 1000, 2)} s, pick-up ${t.pickupMs} ms, peak RSS ${fmtNumber(t.peakRssMb)} MB per process, worker CPU ${fmtNumber(t.workerCpuUsPerEvent)} µs/event)` +
                (t.verified ? ', verified' : `; NOT VERIFIED: ${t.problems.join('; ')}`),
            );
            if (!t.verified) errors.push(`${kindName} ${config.name} run ${r + 1}: ${t.problems.join('; ')}`);
          } catch (err) {
            run[kindName][config.name] = { error: err.message };
            errors.push(`${kindName} ${config.name} run ${r + 1}: ${err.message.split('\n')[0]}`);
            log(`  FAILED: ${err.message.split('\n').slice(0, 8).join('\n  ')}`);
          }
        }
      }
      runs.push(run);
      // run-all measures the peers here, between drain runs (bench/peers.mjs peerRound)
      if (opts.afterRun) await opts.afterRun(r);
    }
  } catch (err) {
    errors.push(err.message.split('\n')[0]);
    log(`drain FAILED: ${err.message.split('\n').slice(0, 8).join('\n  ')}`);
  } finally {
    await dropScratchDatabase(server.url, db.name);
  }

  const summary = {};
  const rows = [];
  for (const kindName of kinds) {
    const byConfig = {};
    for (const config of configs) {
      const ok = runs.map((r) => r[kindName]?.[config.name]).filter((t) => t && !t.error);
      byConfig[config.name] = {
        description: describe(config),
        eventsPerS: summarize(ok.map((t) => t.eventsPerS)),
        peakRssMb: summarize(ok.map((t) => t.peakRssMb)),
        workerCpuUsPerEvent: summarize(ok.map((t) => t.workerCpuUsPerEvent)),
        verified: ok.length > 0 && ok.every((t) => t.verified),
      };
    }
    const best = Object.entries(byConfig)
      .filter(([, v]) => v.eventsPerS)
      .sort((a, b) => b[1].eventsPerS.median - a[1].eventsPerS.median)[0];
    summary[kindName] = {
      configs: byConfig,
      best: best ? { config: best[0], ...best[1] } : undefined,
      fill: fill[kindName],
    };
    for (const [name, v] of Object.entries(byConfig)) {
      rows.push([
        kindName,
        `${v.description}${best && best[0] === name ? ' (best)' : ''}`,
        fmtStat(v.eventsPerS, 0),
        fmtStat(v.peakRssMb, 0),
        fmtStat(v.workerCpuUsPerEvent, 0),
        v.eventsPerS ? (v.verified ? 'yes' : 'NO') : '–',
      ]);
    }
  }
  printTable(
    `Drain: backlog of ${n} events per kind (invoices with 5 lines), real worker and handlers; median (min–max) of ${s.runs} run(s)`,
    ['backlog', 'worker layout', 'events/s', 'peak RSS MB/process', 'worker CPU µs/event', 'verified'],
    rows,
  );
  const result = { name: 'drain', at: new Date().toISOString(), settings: { ...s, configs, kinds }, summary, fill, runs, errors };
  const file = writeResult('drain', result);
  log(`drain results: ${file}`);
  return result;
}

if (isMain(import.meta.url)) {
  runDrain()
    .then(async (r) => {
      await (await acquireServer()).stop();
      process.exit(r.errors.length ? 1 : 0);
    })
    .catch(async (err) => {
      console.error(err);
      await (await acquireServer()).stop().catch(() => undefined);
      process.exit(1);
    });
}
