#!/usr/bin/env node
// Ingest benchmark: signed ~2.4 KB Zoho invoice webhooks (a fresh id per request) from autocannon, 64 connections,
// BENCH_DURATION_S seconds, against
//   - the service with TDS_ROLE=api (no worker competing for the CPU), with GET /health probed at ~50 req/s
//     from a second autocannon (child process) during the load, and the service's peak RSS;
//   - the service with TDS_ROLE=all (API and worker in one process), once (BENCH_INGEST_ALL_RUNS to repeat);
//   - a bare Fastify route answering 202 with no database;
//   - a bare Fastify route doing one INSERT per request (pg Pool of 10).
// Every accepted (2xx) request of the service is checked against the rows in tds.events afterwards.
// Usage: node scripts/build.mjs && node bench/ingest.mjs   (BENCH_QUICK=1 for a smoke run)
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stagesPerRequest } from './lib/profile-stages.mjs';
import { startPoller } from './lib/poller.mjs';
import { acquireServer, createScratchDatabase, dropScratchDatabase, query, serverVersion, statStatements } from './lib/pg.mjs';
import { cpuProfArgs, probeWebhook, startService, memorySampler, ORGANIZATION_ID, ZOHO_SECRET } from './lib/service.mjs';
import { webhookLoad, startProbe } from './lib/load.mjs';
import { bodyFactory, makeIds, queryString, webhookQuery, zohoSignature } from './lib/payloads.mjs';
import { fmtNumber, fmtStat, isMain, log, printTable, settings, sleep, summarize, writeResult } from './lib/report.mjs';

const BASELINE = fileURLToPath(new URL('./lib/baseline-server.mjs', import.meta.url));

async function startBaseline(mode, databaseUrl, nodeArgs = []) {
  const child = fork(BASELINE, [], {
    execArgv: [...process.execArgv, ...nodeArgs],
    env: { ...process.env, BASELINE_MODE: mode, BASELINE_DATABASE_URL: databaseUrl ?? '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`baseline ${mode} exited with ${code}`)));
  });
  const memory = memorySampler(child.pid);
  const exited = new Promise((r) => child.once('exit', r));
  let stopping;
  return {
    url: `http://127.0.0.1:${port}`,
    cpuSeconds: () => memory.cpuSeconds(),
    stop() {
      stopping ??= (async () => {
        const peak = memory.stop();
        child.kill('SIGTERM');
        await exited;
        return peak;
      })();
      return stopping;
    },
  };
}

/** One signed request first, so a missing route or refused credentials fail loudly instead of as a 0 req/s row. */
async function probeService(url, ids) {
  const { body } = bodyFactory('invoice', { ids }).body(999_999_999);
  const params = webhookQuery('created', ORGANIZATION_ID);
  return probeWebhook(url, {
    entity: 'invoices',
    body,
    query: queryString(params),
    headers: { 'x-zoho-webhook-signature': zohoSignature(ZOHO_SECRET, params, body) },
  });
}

export async function measureService({ serverUrl, role, durationS, connections, warmupS, probeHealth, main, env, poll, nodeArgs }) {
  const db = await createScratchDatabase(serverUrl, `ingest_${role}`);
  let service;
  let poller;
  try {
    service = await startService({
      databaseUrl: db.url,
      role,
      label: `ingest-${role}`,
      nodeArgs: nodeArgs ?? cpuProfArgs(`ingest-${role}`),
      main,
      env,
    });
    if (role === 'api') {
      // No worker runs beside an API-only process here, so /health would answer 503 ("no worker heartbeat"). A
      // heartbeat row that stays fresh for the run lets /health take its normal, complete path (all checks up).
      await query(
        db.url,
        `INSERT INTO tds.workers (worker_id, role, hostname, pid, version, last_heartbeat_at)
         VALUES ('bench-absent-worker', 'worker', 'bench', 0, 'bench', now() + interval '1 hour')`,
      );
    }
    const ids = makeIds();
    await probeService(service.url, ids);
    // poll: { paths, key, intervalMs }: an operator's dashboard polling admin routes during the load (bench/polling.mjs);
    // started before the warm-up, so its first (cold) requests are not counted.
    poller = poll ? startPoller({ baseUrl: service.url, ...poll, log }) : undefined;
    let seq = 0;
    let warmupAccepted = 0;
    if (warmupS > 0) {
      const warm = await webhookLoad({ target: service.url, connections, duration: warmupS, ids });
      seq = warm.nextSeq;
      warmupAccepted = warm.digest.accepted;
    }
    const pgss = await statStatements(db.url); // only when the server preloads pg_stat_statements
    if (pgss) await pgss.reset();
    const probe = probeHealth ? startProbe({ url: `${service.url}${process.env.BENCH_HEALTH_PATH ?? '/health'}`, durationS }) : undefined;
    const cpu0 = service.memory.cpuSeconds();
    const load = await webhookLoad({ target: service.url, connections, duration: durationS, ids, startSeq: seq });
    const cpuSeconds = service.memory.cpuSeconds() - cpu0;
    poller?.stop();
    const health = probe ? await probe.done : undefined;
    const pgStatStatements = pgss ? await pgss.top(10) : undefined;
    const { peakRssMb } = await service.stop();
    service = undefined;
    const stored = Number((await query(db.url, 'SELECT count(*)::int AS n FROM tds.events')).rows[0].n);
    // Every body is unique, so every 2xx (probe, warm-up, measured) must be one row.
    return {
      ...load.digest,
      peakRssMb,
      health,
      storedEvents: stored,
      acceptedTotal: 1 + warmupAccepted + load.digest.accepted,
      role,
      pgStatStatements,
      cpuUsPerRequest: (cpuSeconds * 1e6) / Math.max(1, load.digest.requests),
      cpuCores: cpuSeconds / load.digest.durationS,
      polled: poller?.polled ?? 0,
    };
  } finally {
    poller?.stop();
    if (service) await service.stop().catch(() => undefined);
    await dropScratchDatabase(serverUrl, db.name);
  }
}

async function measureBaseline({ serverUrl, mode, durationS, connections, warmupS, nodeArgs }) {
  const db = mode === 'insert' || mode === 'batch' ? await createScratchDatabase(serverUrl, 'ingest_baseline') : undefined;
  const baseline = await startBaseline(mode, db?.url, nodeArgs);
  try {
    const ids = makeIds();
    let seq = 0;
    if (warmupS > 0) seq = (await webhookLoad({ target: baseline.url, connections, duration: warmupS, ids })).nextSeq;
    const cpu0 = baseline.cpuSeconds();
    const load = await webhookLoad({ target: baseline.url, connections, duration: durationS, ids, startSeq: seq });
    const cpuSeconds = baseline.cpuSeconds() - cpu0;
    const peakRssMb = await baseline.stop();
    return {
      ...load.digest,
      peakRssMb,
      mode,
      cpuUsPerRequest: (cpuSeconds * 1e6) / Math.max(1, load.digest.requests),
      cpuCores: cpuSeconds / load.digest.durationS,
    };
  } finally {
    await baseline.stop().catch(() => undefined);
    if (db) await dropScratchDatabase(serverUrl, db.name);
  }
}

/** One more run under a V8 CPU profile; its samples sorted into stages × the unprofiled runs' CPU per request. */
async function profiledStages(measure, cpuUsPerRequest, name) {
  const dir = mkdtempSync(join(tmpdir(), `tds-bench-prof-${name}-`));
  try {
    await measure(['--cpu-prof', '--cpu-prof-dir', dir]);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f));
    if (!files.length) throw new Error(`${name}: the server wrote no CPU profile`);
    return stagesPerRequest(files, cpuUsPerRequest);
  } finally {
    // BENCH_KEEP_PROFILE=1 keeps the profile for `node bench/profile-summary.mjs <dir>` (the folder is printed).
    if (process.env.BENCH_KEEP_PROFILE === '1') log(`  ${name} profile kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where the CPU of one signed webhook goes (issue 15): one more TDS_ROLE=api run under a V8 CPU profile, its samples
 * sorted into stages (bench/lib/profile-stages.mjs), each stage's share of the busy main thread times the median CPU
 * per request of the unprofiled runs (so the profiler's own overhead is not counted). The bare micro-batched route
 * (the ceiling for anything that commits before answering) is profiled the same way, so each stage of TDS stands
 * beside what the bare route spends on it.
 */
async function measureBreakdown({ serverUrl, durationS, connections, cpuUsPerRequest, baselineCpuUsPerRequest }) {
  const common = { serverUrl, durationS, connections, warmupS: 1 };
  // Without the /health prober: its requests (~1 ms of CPU each through Terminus) would show up as webhook stages.
  const stages = await profiledStages(
    (nodeArgs) => measureService({ ...common, role: 'api', probeHealth: false, nodeArgs }),
    cpuUsPerRequest,
    'tds',
  );
  let baseline;
  if (baselineCpuUsPerRequest) {
    baseline = await profiledStages(
      (nodeArgs) => measureBaseline({ ...common, mode: 'batch', nodeArgs }),
      baselineCpuUsPerRequest,
      'batch',
    );
  }
  return { stages, cpuUsPerRequest, baseline, baselineCpuUsPerRequest };
}

/** [header, rows] of the breakdown: each stage of TDS, and beside it the bare micro-batched route's when profiled. */
export function breakdownTable(breakdown) {
  const bare = breakdown.baseline ? new Map(breakdown.baseline.map((x) => [x.stage, x.usPerRequest])) : undefined;
  const header = ['stage', 'share of the busy main thread', 'µs per request'];
  if (!bare) return [header, breakdown.stages.map((x) => [x.stage, `${fmtNumber(x.share * 100, 1)}%`, fmtNumber(x.usPerRequest, 1)])];
  const rows = breakdown.stages.map((x) => {
    const b = bare.get(x.stage) ?? 0;
    return [x.stage, `${fmtNumber(x.share * 100, 1)}%`, fmtNumber(x.usPerRequest, 1), fmtNumber(b, 1), fmtNumber(x.usPerRequest - b, 1)];
  });
  for (const b of breakdown.baseline) {
    if (!breakdown.stages.some((x) => x.stage === b.stage))
      rows.push([b.stage, '0.0%', '0.0', fmtNumber(b.usPerRequest, 1), fmtNumber(-b.usPerRequest, 1)]);
  }
  const total = (xs) => xs.reduce((a, x) => a + x.usPerRequest, 0);
  rows.push([
    'all stages',
    '100%',
    fmtNumber(total(breakdown.stages), 1),
    fmtNumber(total(breakdown.baseline), 1),
    fmtNumber(total(breakdown.stages) - total(breakdown.baseline), 1),
  ]);
  return [[...header, 'bare micro-batched route, µs per request', 'TDS − bare route, µs'], rows];
}

export async function runIngest(opts = {}) {
  const s = { ...settings(), ...opts };
  const warmupS = Number(process.env.BENCH_WARMUP_S ?? (s.quick ? 1 : 2));
  const allRuns = Number(process.env.BENCH_INGEST_ALL_RUNS ?? 1);
  const server = await acquireServer({ log });
  const runs = [];
  const errors = [];
  log(`ingest: ${s.runs} run(s) × ${s.durationS} s, ${s.connections} connections, PostgreSQL ${await serverVersion(server.url)}`);
  for (let r = 0; r < s.runs; r++) {
    const run = {};
    const common = { serverUrl: server.url, durationS: s.durationS, connections: s.connections, warmupS };
    const step = async (key, label, fn) => {
      log(`ingest run ${r + 1}/${s.runs}: ${label}`);
      try {
        run[key] = await fn();
        const d = run[key];
        log(
          `  ${fmtNumber(d.acceptedPerS)} accepted/s, p50 ${d.latencyMs.p50} ms, p99 ${d.latencyMs.p99} ms, non-2xx ${d.non2xx}, errors ${d.errors}` +
            (d.peakRssMb ? `, peak RSS ${fmtNumber(d.peakRssMb)} MB` : '') +
            (d.cpuUsPerRequest ? `, ${fmtNumber(d.cpuUsPerRequest)} µs CPU/request (${fmtNumber(d.cpuCores, 2)} cores)` : '') +
            (d.health ? `; /health p99 ${d.health.latencyMs.p99} ms (${d.health.requests} req, non-2xx ${d.health.non2xx})` : ''),
        );
        // requests still in flight when autocannon stops may be stored without being counted (≤ 2 × connections)
        if (d.storedEvents !== undefined && (d.storedEvents < d.acceptedTotal || d.storedEvents > d.acceptedTotal + 2 * s.connections)) {
          errors.push(`${label}: ${d.acceptedTotal} requests answered 2xx but tds.events holds ${d.storedEvents} rows`);
          log(`  WARNING ${errors[errors.length - 1]}`);
        }
      } catch (err) {
        run[key] = { error: err.message };
        errors.push(`${label}: ${err.message.split('\n')[0]}`);
        log(`  FAILED: ${err.message.split('\n').slice(0, 6).join('\n  ')}`);
      }
    };
    await step('serviceApi', 'service, TDS_ROLE=api, /health probed', () => measureService({ ...common, role: 'api', probeHealth: true }));
    if (r < allRuns) {
      await step('serviceAll', 'service, TDS_ROLE=all (API + worker), /health probed', () =>
        measureService({ ...common, role: 'all', probeHealth: true }),
      );
    }
    await step('noDb', 'bare Fastify, 202 without a database', () => measureBaseline({ ...common, mode: 'nodb' }));
    await step('insert', 'bare Fastify, one INSERT per request (pool 10)', () => measureBaseline({ ...common, mode: 'insert' }));
    await step('batch', 'bare Fastify, micro-batched INSERTs (2 ms / 100 rows)', () => measureBaseline({ ...common, mode: 'batch' }));
    runs.push(run);
    await sleep(500);
  }

  const pick = (key, f) => summarize(runs.map((r) => (r[key] && !r[key].error ? f(r[key]) : undefined)));
  const summary = {};
  for (const key of ['serviceApi', 'serviceAll', 'noDb', 'insert', 'batch']) {
    summary[key] = {
      acceptedPerS: pick(key, (d) => d.acceptedPerS),
      p50Ms: pick(key, (d) => d.latencyMs.p50),
      p99Ms: pick(key, (d) => d.latencyMs.p99),
      non2xx: pick(key, (d) => d.non2xx),
      errors: pick(key, (d) => d.errors + d.timeouts),
      peakRssMb: pick(key, (d) => d.peakRssMb),
      cpuUsPerRequest: pick(key, (d) => d.cpuUsPerRequest),
    };
  }
  summary.healthApi = {
    p50Ms: pick('serviceApi', (d) => d.health?.latencyMs.p50),
    p99Ms: pick('serviceApi', (d) => d.health?.latencyMs.p99),
    non2xx: pick('serviceApi', (d) => d.health?.non2xx),
  };
  summary.healthAll = {
    p50Ms: pick('serviceAll', (d) => d.health?.latencyMs.p50),
    p99Ms: pick('serviceAll', (d) => d.health?.latencyMs.p99),
    non2xx: pick('serviceAll', (d) => d.health?.non2xx),
  };

  const row = (label, x) => [
    label,
    fmtStat(x.acceptedPerS, 0),
    fmtStat(x.p50Ms, 1),
    fmtStat(x.p99Ms, 1),
    fmtStat(x.non2xx, 0),
    fmtStat(x.errors, 0),
    fmtStat(x.peakRssMb, 0),
    fmtStat(x.cpuUsPerRequest, 0),
  ];
  printTable(
    `Ingest: ${s.connections} connections, ${s.durationS} s, ~2.4 KB signed invoice bodies; median (min–max) of ${s.runs} run(s)`,
    ['target', 'accepted/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'peak RSS MB', 'server CPU µs/req'],
    [
      row('TDS service, TDS_ROLE=api', summary.serviceApi),
      row('TDS service, TDS_ROLE=all', summary.serviceAll),
      row('bare Fastify, no database', summary.noDb),
      row('bare Fastify, 1 INSERT/request', summary.insert),
      row('bare Fastify, micro-batched INSERTs', summary.batch),
      [
        'GET /health during ingest (api)',
        '',
        fmtStat(summary.healthApi.p50Ms, 1),
        fmtStat(summary.healthApi.p99Ms, 1),
        fmtStat(summary.healthApi.non2xx, 0),
        '',
        '',
      ],
      [
        'GET /health during ingest (all)',
        '',
        fmtStat(summary.healthAll.p50Ms, 1),
        fmtStat(summary.healthAll.p99Ms, 1),
        fmtStat(summary.healthAll.non2xx, 0),
        '',
        '',
      ],
    ],
  );
  // BENCH_BREAKDOWN=0 leaves the per-stage breakdown out (BENCH_BREAKDOWN_S seconds of profiled load, default 8).
  let breakdown;
  if (!/^(0|false|no)$/i.test(process.env.BENCH_BREAKDOWN ?? '') && summary.serviceApi.cpuUsPerRequest?.median) {
    log('ingest: per-stage CPU breakdown (one more TDS_ROLE=api run under a V8 CPU profile)');
    try {
      breakdown = await measureBreakdown({
        serverUrl: server.url,
        durationS: Number(process.env.BENCH_BREAKDOWN_S ?? (s.quick ? 3 : 8)),
        connections: s.connections,
        cpuUsPerRequest: summary.serviceApi.cpuUsPerRequest.median,
        baselineCpuUsPerRequest: summary.batch?.cpuUsPerRequest?.median,
      });
      printTable(
        `Where the server CPU of one signed webhook goes (TDS_ROLE=api; share of the busy main thread × the median ${fmtNumber(breakdown.cpuUsPerRequest)} µs/request)` +
          (breakdown.baseline
            ? `, beside the bare micro-batched route (× its median ${fmtNumber(breakdown.baselineCpuUsPerRequest)} µs/request)`
            : ''),
        ...breakdownTable(breakdown),
      );
    } catch (err) {
      errors.push(`breakdown: ${err.message.split('\n')[0]}`);
      log(`  breakdown FAILED: ${err.message}`);
    }
  }
  summary.breakdown = breakdown;
  const result = { name: 'ingest', at: new Date().toISOString(), settings: { ...s, warmupS, allRuns }, summary, runs, errors };
  const file = writeResult('ingest', result);
  log(`ingest results: ${file}`);
  return result;
}

if (isMain(import.meta.url)) {
  runIngest()
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
