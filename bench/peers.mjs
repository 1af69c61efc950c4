#!/usr/bin/env node
// Peers: the queues a user would pick instead, on the same PostgreSQL in the same run, each draining the same
// BENCH_DRAIN_EVENTS contact upserts into an equivalent table (bench_contacts) with an equivalent handler:
//   pg-boss 12.38 (batch handler, tuned), graphile-worker 0.18 (tuned concurrency, local queue) and a minimal
//   FOR UPDATE SKIP LOCKED batch loop (the ceiling).
// Each peer runs in its own child process on its own scratch database; the figures are compared with the TDS drain of
// contacts (passed in by run-all.mjs, else read from the newest bench/results/drain-*.json).
// Usage: node bench/peers.mjs   (BENCH_QUICK=1 for a smoke run; BENCH_PEERS=pgboss,graphile,ceiling to pick)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { acquireServer, createScratchDatabase, dropScratchDatabase, query, serverVersion } from './lib/pg.mjs';
import { memorySampler, ROOT } from './lib/service.mjs';
import { fmtNumber, fmtStat, isMain, latestResult, log, printTable, settings, summarize, writeResult } from './lib/report.mjs';

const CHILD = fileURLToPath(new URL('./lib/peer-child.mjs', import.meta.url));

export const PEERS = {
  pgboss: { label: 'pg-boss (batch 100 × 4, burst, transactional)', pkg: 'pg-boss' },
  graphile: { label: 'graphile-worker (concurrency 32, localQueue 500)', pkg: 'graphile-worker' },
  ceiling: { label: 'SKIP LOCKED loop (4 × claim 100, 1 upsert)', pkg: undefined },
  ceiling_sql: { label: 'SKIP LOCKED, claim+upsert+delete in one SQL statement', pkg: undefined },
};

export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** BENCH_PEER_OPTIONS='{"graphile":{"concurrency":16}}' overrides a peer's tuning (for exploring; defaults documented). */
function peerOptions() {
  try {
    return JSON.parse(process.env.BENCH_PEER_OPTIONS ?? '{}');
  } catch (err) {
    throw new Error(`BENCH_PEER_OPTIONS is not JSON: ${err.message}`, { cause: err });
  }
}

async function runPeer(serverUrl, peer, n) {
  const db = await createScratchDatabase(serverUrl, `peer_${peer}`);
  const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const memory = memorySampler(child.pid);
  try {
    const reply = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`${peer} child exited with ${code}`)));
      child.send({ peer, databaseUrl: db.url, n, nonce: randomInt(0, 100_000), options: peerOptions()[peer] });
    });
    if (reply.error) throw new Error(`${peer}: ${reply.error}`);
    const r = reply.result;
    r.peakRssMb = memory.stop();
    const rows = (await query(db.url, 'SELECT count(*)::int AS n FROM bench_contacts')).rows[0].n;
    r.sinkRows = rows;
    r.verified = rows === n && !r.failed;
    if (!r.verified) r.problem = `bench_contacts holds ${rows} of ${n} rows; ${r.failed} failed job(s)`;
    return r;
  } finally {
    memory.stop();
    if (child.exitCode === null) child.kill('SIGKILL');
    await dropScratchDatabase(serverUrl, db.name);
  }
}

/** ours: { eventsPerS: summary } for the TDS contact drain, or undefined. */
/** The peers to run (BENCH_PEERS, default all three). */
export function peersToRun() {
  return (process.env.BENCH_PEERS ?? 'pgboss,graphile,ceiling')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** One run of each peer over `n` contact upserts; failures go to `errors`. */
export async function peerRound({ serverUrl, which, n, label, errors }) {
  const run = {};
  for (const peer of which) {
    log(`peers run ${label}: ${PEERS[peer]?.label ?? peer}`);
    try {
      const res = await runPeer(serverUrl, peer, n);
      run[peer] = res;
      log(
        `  ${fmtNumber(res.eventsPerS)} events/s (${fmtNumber(res.elapsedMs / 1000, 2)} s, start-up ${fmtNumber(res.startupMs)} ms, peak RSS ${fmtNumber(res.peakRssMb)} MB, CPU ${fmtNumber(res.cpuUsPerEvent)} µs/event)${res.verified ? '' : ' NOT VERIFIED: ' + res.problem}`,
      );
      if (!res.verified) errors.push(`${peer} run ${label}: ${res.problem}`);
    } catch (err) {
      run[peer] = { error: err.message };
      errors.push(`${peer} run ${label}: ${err.message.split('\n')[0]}`);
      log(`  FAILED: ${err.message.split('\n').slice(0, 8).join('\n  ')}`);
    }
  }
  return run;
}

export async function runPeers(opts = {}) {
  const s = { ...settings(), ...opts };
  const which = peersToRun();
  // opts.rounds: rounds already measured by peerRound() (run-all interleaves them with the drain runs, so that a
  // machine whose speed drifts during the bench moves both sides of each ratio alike).
  const runs = opts.rounds ?? [];
  const errors = opts.roundErrors ?? [];
  if (!opts.rounds) {
    const server = await acquireServer({ log });
    log(`peers: ${which.join(', ')}; ${s.runs} run(s) × ${s.drainEvents} contact upserts, PostgreSQL ${await serverVersion(server.url)}`);
    for (let r = 0; r < s.runs; r++)
      runs.push(await peerRound({ serverUrl: server.url, which, n: s.drainEvents, label: `${r + 1}/${s.runs}`, errors }));
  }

  // Ours: from run-all, else the newest drain result.
  let ours = opts.oursContacts;
  let oursSource = ours ? 'this run' : undefined;
  if (!ours) {
    const latest = latestResult('drain');
    if (latest?.data?.summary?.contacts?.best?.eventsPerS) {
      ours = latest.data.summary.contacts.best.eventsPerS;
      oursSource = latest.file;
    }
  }

  const summary = {};
  for (const peer of which) {
    const stat = summarize(runs.map((r) => (r[peer] && !r[peer].error ? r[peer].eventsPerS : undefined)));
    summary[peer] = {
      eventsPerS: stat,
      peakRssMb: summarize(runs.map((r) => r[peer]?.peakRssMb)),
      cpuUsPerEvent: summarize(runs.map((r) => r[peer]?.cpuUsPerEvent)),
      ratio: ours && stat ? ours.median / stat.median : undefined,
      options: runs.find((r) => r[peer]?.options)?.[peer]?.options,
      version: PEERS[peer]?.pkg ? packageVersion(PEERS[peer].pkg) : undefined,
    };
  }
  const rows = which.map((peer) => [
    `${PEERS[peer]?.label ?? peer}${summary[peer].version ? ` ${summary[peer].version}` : ''}`,
    fmtStat(summary[peer].eventsPerS, 0),
    fmtStat(summary[peer].peakRssMb, 0),
    fmtStat(summary[peer].cpuUsPerEvent, 0),
    summary[peer].ratio ? `${fmtNumber(summary[peer].ratio, 2)}×` : '–',
  ]);
  if (ours)
    rows.unshift([`TDS worker (${oursSource === 'this run' ? 'this run' : 'latest drain result'})`, fmtStat(ours, 0), '', '', '1.00×']);
  printTable(
    `Peers: ${s.drainEvents} contact upserts into an equivalent table, same PostgreSQL; median (min–max) of ${s.runs} run(s)`,
    ['queue', 'events/s', 'peak RSS MB', 'CPU µs/event (Node side)', 'TDS / peer'],
    rows,
  );
  if (!ours) log('no TDS contact drain figure yet (run bench/drain.mjs first, or bench/run-all.mjs): ratios left out');
  const result = { name: 'peers', at: new Date().toISOString(), settings: s, ours, oursSource, summary, runs, errors };
  const file = writeResult('peers', result);
  log(`peers results: ${file}`);
  return result;
}

if (isMain(import.meta.url)) {
  runPeers()
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
