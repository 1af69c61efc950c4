#!/usr/bin/env node
// Runs ingest, drain and peers (BENCH_RUNS repetitions each, default 3), prints one summary table with the targets of
// issue 4 (PASS/MISS and the margin), writes bench/results/summary-<ts>.json and docs/PERFORMANCE.md.
// Usage: npm run bench            (= node scripts/build.mjs && node bench/run-all.mjs; ~12–15 minutes)
//        BENCH_QUICK=1 npm run bench   (smoke test: 1 run, 5 s ingest, 5,000 events; figures not meaningful)
// Other knobs: BENCH_RUNS, BENCH_DURATION_S, BENCH_DRAIN_EVENTS, BENCH_CONNECTIONS, BENCH_DRAIN_CONFIGS (2x2,1x4),
// BENCH_PEERS (pgboss,graphile,ceiling), BENCH_DATABASE_URL, BENCH_CPU_PROF=1 (worker CPU profiles in bench/results/profiles).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { acquireServer, dropStaleScratchDatabases, redact, serverSettings, serverVersion } from './lib/pg.mjs';
import { ROOT, MAIN } from './lib/service.mjs';
import { fmtNumber, fmtStat, formatTable, log, markdownTable, settings, writeResult } from './lib/report.mjs';
import { breakdownTable, runIngest } from './ingest.mjs';
import { runDrain } from './drain.mjs';
import { peerRound, peersToRun, runPeers, packageVersion } from './peers.mjs';
import { runMonitoring } from './monitoring.mjs';
import { runSoak } from './soak.mjs';
import { runPolling, POLL_PATHS } from './polling.mjs';
import { runDashboard } from './dashboard.mjs';

const TARGETS = {
  pgboss: 1.2,
  graphile: 3,
  ceiling: 0.7,
  invoicesPerS: 2000,
  // issue 4 asked ≥ 1.0× the one-INSERT route and p99 ≤ 50 ms; issue 15 raised them and added CPU and /health goals
  ingestVsInsert: 1.5,
  ingestVsNoDb: 0.5,
  ingestCpuUs: 100,
  ingestP99Ms: 30,
  healthP99Ms: 10,
  healthAllP99Ms: 20,
  rssMb: 300,
  monitoringMs: 250,
  dashboardP95Ms: 100,
  pollingOverheadPct: 5,
};

function machine() {
  let cpuModel = cpus()[0]?.model;
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch {
    /* not Linux */
  }
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* use os.cpus() */
  }
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (with uncommitted changes in src/ or migrations/)';
  } catch {
    /* not a git checkout */
  }
  return {
    nproc,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    node: process.version,
    commit,
    packages: Object.fromEntries(
      ['@nestjs/core', '@nestjs/platform-fastify', 'fastify', 'pg', 'typeorm', 'autocannon', 'pg-boss', 'graphile-worker'].map((p) => [
        p,
        packageVersion(p),
      ]),
    ),
  };
}

/** One target line: value (stat or number), goal, direction; returns [label, value, target, result, margin]. */
function check(label, stat, goal, { higherIsBetter = true, unit = '', digits, valueText } = {}) {
  const value = typeof stat === 'number' ? stat : stat?.median;
  if (value === undefined || !Number.isFinite(value))
    return { row: [label, '–', `${higherIsBetter ? '≥' : '≤'} ${fmtNumber(goal, digits)}${unit}`, 'NO DATA', ''], pass: undefined };
  const pass = higherIsBetter ? value >= goal : value <= goal;
  // Margin: how far past the goal (+) or short of it (−), relative to the goal: value/goal − 1 when higher is better,
  // 1 − value/goal when lower is better (p99 150 ms against ≤ 50 ms is −200%).
  const margin = higherIsBetter ? value / goal - 1 : 1 - value / goal;
  const text = valueText ?? (typeof stat === 'number' ? fmtNumber(stat, digits) : fmtStat(stat, digits));
  return {
    row: [
      label,
      `${text}${unit}`,
      `${higherIsBetter ? '≥' : '≤'} ${fmtNumber(goal, digits)}${unit}`,
      pass ? 'PASS' : 'MISS',
      `${margin >= 0 ? '+' : ''}${fmtNumber(margin * 100, 0)}%`,
    ],
    pass,
    value,
    goal,
    margin,
  };
}

/** Ratio of two medians, with the range of per-run ratios when both have the same number of runs. */
function ratioStat(ours, peer) {
  if (!ours || !peer) return undefined;
  return { median: ours.median / peer.median, min: ours.min / peer.max, max: ours.max / peer.min, runs: Math.min(ours.runs, peer.runs) };
}

export async function runAll() {
  const s = settings();
  const started = Date.now();
  const server = await acquireServer({ log });
  await dropStaleScratchDatabases(server.url);
  const pgVersion = await serverVersion(server.url);
  const pgSettings = await serverSettings(server.url);
  log(
    `benchmark: ${s.quick ? 'QUICK smoke run (figures not meaningful) ' : ''}runs=${s.runs}, ingest ${s.durationS} s × ${s.connections} connections, drain ${s.drainEvents} events; PostgreSQL ${pgVersion} at ${redact(server.url)}${server.embedded ? ' (embedded)' : ''}`,
  );

  const ingest = await runIngest(s);
  // Each drain run is followed by one run of each peer: the drain / peer ratios compare figures taken minutes apart,
  // not a whole phase apart (on 2026-12-02 the machine's speed drifted 1.5–2.5× between the two phases).
  const peerRounds = [];
  const peerErrors = [];
  const which = peersToRun();
  const drain = await runDrain({
    ...s,
    afterRun: async (r) => {
      peerRounds.push(await peerRound({ serverUrl: server.url, which, n: s.drainEvents, label: `${r + 1}/${s.runs}`, errors: peerErrors }));
    },
  });
  const oursContacts = drain.summary.contacts?.best?.eventsPerS;
  const peers = await runPeers({ ...s, oursContacts, rounds: peerRounds, roundErrors: peerErrors });
  // BENCH_SKIP=monitoring,dashboard,polling,soak leaves these out (the soak alone takes 2 × BENCH_SOAK_MINUTES).
  const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((x) => x.trim()));
  const monitoring = skip.has('monitoring') ? undefined : await runMonitoring();
  const dashboard = skip.has('dashboard') ? undefined : await runDashboard();
  const polling = skip.has('polling') ? undefined : await runPolling();
  const soak = skip.has('soak') ? undefined : await runSoak();

  const ing = ingest.summary;
  const peerStat = (p) => peers.summary[p]?.eventsPerS;
  const rssCandidates = [
    ing.serviceApi.peakRssMb?.max,
    ing.serviceAll.peakRssMb?.max,
    ...Object.values(drain.summary).flatMap((k) => Object.values(k.configs ?? {}).map((c) => c.peakRssMb?.max)),
  ].filter((x) => Number.isFinite(x));
  const rssMax = rssCandidates.length ? Math.max(...rssCandidates) : undefined;
  const contactsBest = drain.summary.contacts?.best;
  const invoicesBest = drain.summary.invoices?.best;

  const checks = [
    check(
      `drain contacts / pg-boss (TDS ${fmtNumber(oursContacts?.median)}/s, ${contactsBest?.description ?? '–'})`,
      ratioStat(oursContacts, peerStat('pgboss')),
      TARGETS.pgboss,
      { unit: '×', digits: 2 },
    ),
    check(`drain contacts / graphile-worker`, ratioStat(oursContacts, peerStat('graphile')), TARGETS.graphile, { unit: '×', digits: 2 }),
    check(`drain contacts / SKIP LOCKED ceiling`, ratioStat(oursContacts, peerStat('ceiling')), TARGETS.ceiling, { unit: '×', digits: 2 }),
    check(`drain invoices, 5 lines (events/s, ${invoicesBest?.description ?? '–'})`, invoicesBest?.eventsPerS, TARGETS.invoicesPerS),
    check(
      `ingest accepted/s / one-INSERT baseline (TDS ${fmtNumber(ing.serviceApi.acceptedPerS?.median)}/s)`,
      ratioStat(ing.serviceApi.acceptedPerS, ing.insert.acceptedPerS),
      TARGETS.ingestVsInsert,
      { unit: '×', digits: 2 },
    ),
    check(`ingest accepted/s / no-database route`, ratioStat(ing.serviceApi.acceptedPerS, ing.noDb.acceptedPerS), TARGETS.ingestVsNoDb, {
      unit: '×',
      digits: 2,
    }),
    check('server CPU per signed webhook (µs, TDS_ROLE=api)', ing.serviceApi.cpuUsPerRequest, TARGETS.ingestCpuUs, {
      higherIsBetter: false,
    }),
    check(`ingest p99 latency at ${s.connections} connections (ms)`, ing.serviceApi.p99Ms, TARGETS.ingestP99Ms, { higherIsBetter: false }),
    check('GET /health p99 during ingest, TDS_ROLE=api (ms)', ing.healthApi.p99Ms, TARGETS.healthP99Ms, { higherIsBetter: false }),
    check('GET /health p99 during ingest, TDS_ROLE=all (ms)', ing.healthAll.p99Ms, TARGETS.healthAllP99Ms, { higherIsBetter: false }),
    check('peak RSS of a service process (MB)', rssMax, TARGETS.rssMb, { higherIsBetter: false }),
    check('monitoring run on 1M events / 3M attempts (ms, median)', monitoring?.medianMs, TARGETS.monitoringMs, { higherIsBetter: false }),
    ...(dashboard
      ? [
          (() => {
            const worst = dashboard.results.reduce((a, b) => (b.p95 > a.p95 ? b : a));
            return check(
              `slowest dashboard route, p95 on ${fmtNumber(dashboard.events)} events / ${fmtNumber(dashboard.attempts)} attempts (ms): ${worst.route}`,
              worst.p95,
              TARGETS.dashboardP95Ms,
              { higherIsBetter: false, digits: 1 },
            );
          })(),
        ]
      : []),
    ...(polling
      ? ['ingest', 'drain'].map((part) =>
          check(
            `dashboard polled every second (${POLL_PATHS.length} routes): extra server CPU per event, ${part} (%)`,
            polling[part].overheadPct,
            TARGETS.pollingOverheadPct,
            { higherIsBetter: false, digits: 1 },
          ),
        )
      : []),
    ...(soak ?? []).flatMap((r) => [
      check(`soak, autovacuum ${r.autovacuum}: minutes applied/s < offered`, r.minutesBelowOffered, 1, { higherIsBetter: false }),
      check(`soak, autovacuum ${r.autovacuum}: backlog at 0 after the end (s)`, r.drainedAfterEndS ?? Infinity, 60, {
        higherIsBetter: false,
      }),
      check(`soak, autovacuum ${r.autovacuum}: RSS change, last minute vs second (%)`, Math.abs(r.rssGrowthPct ?? Infinity), 20, {
        higherIsBetter: false,
        digits: 1,
      }),
    ]),
  ];

  const figures = [
    [
      'ingest, TDS_ROLE=api (accepted/s)',
      fmtStat(ing.serviceApi.acceptedPerS, 0),
      `p50 ${fmtStat(ing.serviceApi.p50Ms, 1)} ms, p99 ${fmtStat(ing.serviceApi.p99Ms, 1)} ms, non-2xx ${fmtStat(ing.serviceApi.non2xx, 0)}, errors ${fmtStat(ing.serviceApi.errors, 0)}, peak RSS ${fmtStat(ing.serviceApi.peakRssMb, 0)} MB, server CPU ${fmtStat(ing.serviceApi.cpuUsPerRequest, 0)} µs/request`,
    ],
    [
      'ingest, TDS_ROLE=all (accepted/s)',
      fmtStat(ing.serviceAll.acceptedPerS, 0),
      `p50 ${fmtStat(ing.serviceAll.p50Ms, 1)} ms, p99 ${fmtStat(ing.serviceAll.p99Ms, 1)} ms, non-2xx ${fmtStat(ing.serviceAll.non2xx, 0)}, peak RSS ${fmtStat(ing.serviceAll.peakRssMb, 0)} MB, server CPU ${fmtStat(ing.serviceAll.cpuUsPerRequest, 0)} µs/request (API + worker)`,
    ],
    [
      'bare Fastify, no database (req/s)',
      fmtStat(ing.noDb.acceptedPerS, 0),
      `p50 ${fmtStat(ing.noDb.p50Ms, 1)} ms, p99 ${fmtStat(ing.noDb.p99Ms, 1)} ms, server CPU ${fmtStat(ing.noDb.cpuUsPerRequest, 0)} µs/request`,
    ],
    [
      'bare Fastify, 1 INSERT/request (req/s)',
      fmtStat(ing.insert.acceptedPerS, 0),
      `p50 ${fmtStat(ing.insert.p50Ms, 1)} ms, p99 ${fmtStat(ing.insert.p99Ms, 1)} ms, server CPU ${fmtStat(ing.insert.cpuUsPerRequest, 0)} µs/request`,
    ],
    [
      'bare Fastify, micro-batched INSERTs (req/s)',
      fmtStat(ing.batch?.acceptedPerS, 0),
      `p50 ${fmtStat(ing.batch?.p50Ms, 1)} ms, p99 ${fmtStat(ing.batch?.p99Ms, 1)} ms, server CPU ${fmtStat(ing.batch?.cpuUsPerRequest, 0)} µs/request; TDS = ${fmtNumber(ratioStat(ing.serviceApi.acceptedPerS, ing.batch?.acceptedPerS)?.median, 2)}× this`,
    ],
    [
      'GET /health during ingest (ms)',
      `p99 ${fmtStat(ing.healthApi.p99Ms, 1)}`,
      `p50 ${fmtStat(ing.healthApi.p50Ms, 1)} ms, non-2xx ${fmtStat(ing.healthApi.non2xx, 0)} (role all: p99 ${fmtStat(ing.healthAll.p99Ms, 1)} ms)`,
    ],
  ];
  for (const [kindName, k] of Object.entries(drain.summary)) {
    for (const [name, c] of Object.entries(k.configs ?? {})) {
      figures.push([
        `drain ${kindName}, ${c.description} (events/s)`,
        fmtStat(c.eventsPerS, 0),
        `peak RSS ${fmtStat(c.peakRssMb, 0)} MB/process, worker CPU ${fmtStat(c.workerCpuUsPerEvent, 0)} µs/event${k.best?.config === name ? '; best layout' : ''}${c.eventsPerS && !c.verified ? '; NOT VERIFIED' : ''}`,
      ]);
    }
  }
  for (const [peer, p] of Object.entries(peers.summary)) {
    figures.push([
      `peer: ${peer}${p.version ? ' ' + p.version : ''} (events/s)`,
      fmtStat(p.eventsPerS, 0),
      `peak RSS ${fmtStat(p.peakRssMb, 0)} MB, CPU ${fmtStat(p.cpuUsPerEvent, 0)} µs/event (Node side); ${JSON.stringify(p.options ?? {})}`,
    ]);
  }

  const checksText = formatTable(
    ['target', 'value: median (min–max)', 'goal', 'result', 'margin'],
    checks.map((c) => c.row),
  );
  const figuresText = formatTable(['figure', 'median (min–max)', 'details'], figures);
  console.log(`\nAll figures (median (min–max) of ${s.runs} run(s))\n${figuresText}\n`);
  console.log(`Targets (issues 4 and 15)\n${checksText}\n`);
  const errors = [
    ...ingest.errors.map((e) => `ingest: ${e}`),
    ...drain.errors.map((e) => `drain: ${e}`),
    ...peers.errors.map((e) => `peers: ${e}`),
    ...(polling?.errors ?? []).map((e) => `polling: ${e}`),
  ];
  if (errors.length) console.log(`Problems:\n  - ${errors.join('\n  - ')}\n`);

  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => k.startsWith('BENCH_') && k !== 'BENCH_DATABASE_URL' && v !== ''),
  );
  const command = `${Object.entries(env)
    .map(([k, v]) => `${k}=${v} `)
    .join('')}npm run bench`;
  const m = machine();
  const summary = {
    name: 'summary',
    at: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    command,
    settings: s,
    machine: { ...m, postgres: pgVersion, postgresSettings: pgSettings, postgresEmbedded: server.embedded, service: MAIN },
    targets: TARGETS,
    checks: checks.map((c) => ({ label: c.row[0], value: c.value, goal: c.goal, pass: c.pass, margin: c.margin })),
    figures: figures.map(([label, value, details]) => ({ label, value, details })),
    ingest: ingest.summary,
    drain: drain.summary,
    peers: peers.summary,
    dashboard,
    polling,
    soak,
    errors,
  };
  const file = writeResult('summary', summary);
  writePerformanceDoc({
    summary,
    checksText: markdownTable(
      ['target', 'value: median (min–max)', 'goal', 'result', 'margin'],
      checks.map((c) => c.row),
    ),
    figuresText: markdownTable(['figure', 'median (min–max)', 'details'], figures),
    breakdownText: ing.breakdown ? markdownTable(...breakdownTable(ing.breakdown)) : '_Not measured in this run (BENCH_BREAKDOWN=0)._',
    dashboardText: dashboard
      ? markdownTable(
          ['route', 'p50 ms', 'p95 ms', 'max ms', `p95 ≤ ${TARGETS.dashboardP95Ms} ms`],
          dashboard.results.map((r) => [
            r.route,
            fmtNumber(r.p50, 1),
            fmtNumber(r.p95, 1),
            fmtNumber(r.max, 1),
            r.p95 <= TARGETS.dashboardP95Ms ? 'PASS' : 'MISS',
          ]),
        )
      : '_Not measured in this run (BENCH_SKIP=dashboard)._',
    soakText: soak
      ? soak
          .map(
            (r) =>
              `Soak, autovacuum ${r.autovacuum} (${r.server}): ${fmtNumber(r.offeredPerS)} webhooks/s offered (half contacts, half invoices with 3 lines), ` +
              `${r.accepted} accepted, non-2xx ${r.non2xx}; backlog at 0 ${r.drainedAfterEndS === null ? 'not within 5 minutes' : `${fmtNumber(r.drainedAfterEndS, 1)} s`} after the end; ` +
              `dead letters ${r.dead}; ANALYZE of the queue tables: ${r.analyzeStats.map((x) => `${x.relname} ${x.analyze_count} by the service, ${x.autoanalyze_count} by autovacuum`).join('; ')}.\n\n` +
              markdownTable(
                ['minute', 'applied/s', 'backlog at its end', 'RSS MB'],
                r.perMinute.map((p) => [String(p.minute), fmtNumber(p.appliedPerS), String(p.backlog), fmtNumber(p.rssMb ?? 0)]),
              ),
          )
          .join('\n\n')
      : '_Soak not run (BENCH_SKIP=soak)._',
    pollingText: polling
      ? `Dashboard polling (\`bench/polling.mjs\`): ${POLL_PATHS.map((p) => `\`${p}\``).join(', ')} fetched once a second, ` +
        `interleaved rounds with and without: ingest ${fmtNumber(polling.ingest.withoutMedian)} → ${fmtNumber(polling.ingest.withMedian)} µs of API CPU per webhook ` +
        `(rounds without: ${polling.ingest.without.map((x) => fmtNumber(x)).join(', ')}; with: ${polling.ingest.with.map((x) => fmtNumber(x)).join(', ')}); ` +
        `drain ${fmtNumber(polling.drain.withoutMedian)} → ${fmtNumber(polling.drain.withMedian)} µs of worker + API CPU per event ` +
        `(without: ${polling.drain.without.map((x) => fmtNumber(x)).join(', ')}; with: ${polling.drain.with.map((x) => fmtNumber(x)).join(', ')}).`
      : '_Polling not measured (BENCH_SKIP=polling)._',
    s,
    m,
    pgVersion,
    pgSettings,
    server,
    command,
  });
  log(`summary: ${file}; docs/PERFORMANCE.md updated (${summary.durationS} s in all)`);
  await server.stop();
  return summary;
}

function writePerformanceDoc({
  summary,
  checksText,
  figuresText,
  breakdownText,
  dashboardText,
  soakText,
  pollingText,
  s,
  m,
  pgVersion,
  pgSettings,
  server,
  command,
}) {
  const path = join(ROOT, 'docs', 'PERFORMANCE.md');
  // Hand-written analysis between the notes markers survives regeneration.
  let notes =
    '_No notes yet. Where a target is missed, say here by how much and why (profile with `BENCH_CPU_PROF=1`, `EXPLAIN ANALYZE`, `pg_stat_statements`)._';
  if (existsSync(path)) {
    const old = readFileSync(path, 'utf8');
    const mm = /<!-- notes:start -->\n([\s\S]*?)\n<!-- notes:end -->/.exec(old);
    if (mm) notes = mm[1];
  }
  const pkgs = Object.entries(m.packages)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const doc = `# Performance

Generated by \`bench/run-all.mjs\` on ${summary.at}${s.quick ? ' — **QUICK smoke run: 1 run, short load, small backlogs; these figures are not meaningful**' : ''}.
Every figure is the median of ${s.runs} run${s.runs > 1 ? 's' : ''} with (min–max); the JSON is in \`bench/results/summary-*.json\`.

## Command

\`\`\`sh
${command}
\`\`\`

Settings: ingest ${s.durationS} s per run with ${s.connections} connections; drain backlogs of ${s.drainEvents.toLocaleString('en-US')} events; ${s.runs} run(s) of each; ${summary.durationS} s in all.

## Machine

| | |
|---|---|
| CPU | ${m.cpuModel} (nproc ${m.nproc}) |
| memory | ${m.memoryGiB} GiB |
| PostgreSQL | ${pgVersion}${server.embedded ? ' (embedded, started by the benchmark)' : ''} on the same machine; ${Object.entries(
    pgSettings,
  )
    .map(([k, v]) => `${k}=${v || "''"}`)
    .join(', ')} |
| Node.js | ${m.node} |
| packages | ${pkgs} |
| service build | ${m.commit ?? 'unknown commit'} |

PostgreSQL, the service, the peers and the load generator (autocannon) share the same cores, as they did for the
reference figures quoted in docs/decisions/0001 and 0004.

## Targets (issues 4 and 15)

${checksText}

## All figures

${figuresText}

## Where the CPU of one signed webhook goes

One more \`TDS_ROLE=api\` ingest run under a V8 CPU profile; every sample is given to the deepest stage its stack names
(\`bench/lib/profile-stages.mjs\`), and each stage's share of the busy main thread is multiplied by the median CPU per
request of the unprofiled runs. Kernel time in writes and reads shows under the stage that made the call (a write to
PostgreSQL under "batching + database", the answer's write under "answer"). The bare micro-batched route (the ceiling
for anything that commits before answering) is profiled the same way, beside it: the last column is what TDS spends
above it on each stage.

${breakdownText}

## Dashboard routes on a large queue

\`bench/dashboard.mjs\`: a scratch database seeded in SQL (events over 30 days, 8 types, 97% completed, 1.5% dead letters with a
dozen error causes, three attempts per event), the routes requested one at a time over HTTP with an admin key, parameters
varying per request (random Zoho ids, event ids, deep cursors).

${dashboardText}

## Steady load (soak) and dashboard polling

${soakText}

${pollingText}

## What is measured

- **Ingest**: autocannon, ${s.connections} connections, signed ~2.4 KB Zoho invoice bodies (\`X-Zoho-Webhook-Signature\`, HMAC-SHA256 over
  the sorted query parameters and the raw body), a fresh invoice id per request. The service runs with \`TDS_ROLE=api\` (no worker
  competing), once with \`TDS_ROLE=all\`. Accepted = 2xx; afterwards every 2xx is checked against the rows in \`tds.events\`.
  Baselines in the same script: a bare Fastify 5 route that parses the JSON and answers 202, and one that also INSERTs the body
  (pg Pool of 10), one INSERT per request. \`GET /health\` is probed at ~50 req/s from a second autocannon in its own process during
  the \`TDS_ROLE=api\` load (a heartbeat row stands in for the absent worker so /health takes its normal path). Peak RSS
  is the child's VmHWM/VmRSS from /proc, sampled every 200 ms; CPU µs/request is the server process's user+system time
  during the measured window divided by the requests answered.
- **Drain**: the backlogs are sent once through the API; each trial empties \`tds.events\` and the erp tables, starts the
  \`TDS_ROLE=worker\` processes, then restores the whole backlog in one transaction (ANALYZE + NOTIFY). Time runs from the
  first claim to the moment no event is pending or failed; then every event must be completed and the erp row
  counts must match (invoices: 5 lines each). The service keeps the raw body and the record for each event (about twice the
  bytes of a peer's job). Two layouts are tried (2 processes × 2 loops, 1 process × 4 loops); the best is
  reported and named.
- **Peers**: same server, same 50,000-style contact records (${s.drainEvents.toLocaleString('en-US')} here), an equivalent table
  \`bench_contacts\` and an equivalent handler (field mapping, raw jsonb, stale check on last_modified_time, repeated keys in a
  batch dropped). pg-boss: batch handler, one multi-row upsert per batch inside pg-boss's transaction (\`transactional\`), batchSize
  100, localConcurrency 4, burstWhenBatchFull, pollingIntervalSeconds 0.5 (its maintenance and cron scheduler off for the
  run). graphile-worker: one upsert per job, concurrency 32,
  localQueue 500, completeJobBatchDelay 0. Ceiling: 4 loops of BEGIN; SELECT … LIMIT 100 FOR UPDATE SKIP LOCKED; one
  multi-row upsert of the claimed records; DELETE; COMMIT. Each peer runs in its own process on its own scratch database, the
  queue filled and ANALYZEd before the clock starts at the first handler call; it stops when no unfinished job is left.

## Notes

<!-- notes:start -->
${notes}
<!-- notes:end -->
`;
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(path, doc);
}

runAll()
  .then((summary) => process.exit(summary.errors.length ? 1 : 0))
  .catch(async (err) => {
    console.error(err);
    await (await acquireServer()).stop().catch(() => undefined);
    process.exit(1);
  });
