#!/usr/bin/env node
// What an operator's dashboard costs the pipeline (issue 12): the admin routes an open web UI reads (and more), each
// fetched once a second, while the ingest and drain benchmarks run; interleaved rounds with and without the polling,
// compared by server CPU per event (this machine's throughput moves ±25% with load; CPU per event moves far less).
//
//   ingest: TDS_ROLE=api, signed invoices from 64 connections; CPU of the API process per webhook;
//   drain:  a contacts backlog emptied by one worker process (TDS_WORKER_CONCURRENCY=4) with an API process beside
//           it (in both variants: the only difference is the polling); CPU of both per event.
//
// Usage: node scripts/build.mjs && node bench/polling.mjs
//   BENCH_POLL_RUNS (rounds, default 4; quick 1), BENCH_POLL_DURATION_S (ingest seconds per round, default 10),
//   BENCH_POLL_DRAIN_EVENTS (backlog, default 100,000: a
//   drain of several seconds even at 15,000 events/s, so that dozens of polls fall inside it), BENCH_POLL_PATHS (comma list of admin paths).
// Target: ≤ 5% more server CPU per event with the polling than without (median of the rounds).
import { acquireServer, createScratchDatabase, dropScratchDatabase } from './lib/pg.mjs';
import { fmtNumber, isMain, log, writeResult } from './lib/report.mjs';
import { measureService } from './ingest.mjs';
import { fillBacklogs, trial } from './drain.mjs';

const ADMIN_KEY = 'bench-admin-key-0123456789';
// The overview screen's reads (queue-stats every 5 s, alerts and health every 10 s), the events screen's list and the
// figures route: five routes, every second, five to ten times what an open UI asks.
export const POLL_PATHS = (
  process.env.BENCH_POLL_PATHS ??
  '/dashboard/metrics,/dashboard/queue-stats?hours=24,/dashboard/alerts?status=open&limit=20,/dashboard/recent-events?limit=50,/health'
).split(',');
const API_ENV = { ADMIN_API_KEYS: ADMIN_KEY, RATE_LIMIT_READS_PER_MINUTE: '1000000' };

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runPolling() {
  const quick = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');
  const rounds = Number(process.env.BENCH_POLL_RUNS ?? (quick ? 1 : 4));
  const durationS = Number(process.env.BENCH_POLL_DURATION_S ?? (quick ? 4 : 10));
  const n = Number(process.env.BENCH_POLL_DRAIN_EVENTS ?? (quick ? 5000 : 100000));
  const poll = { paths: POLL_PATHS, key: ADMIN_KEY, intervalMs: 1000 };
  const server = await acquireServer({ log });
  const result = { ingest: { without: [], with: [], polled: 0 }, drain: { without: [], with: [], polled: 0 }, errors: [] };
  log(
    `polling: ${POLL_PATHS.length} admin routes once a second; ${rounds} interleaved round(s) of ingest (${durationS} s) and drain (${n} contacts)`,
  );

  for (let r = 0; r < rounds; r++) {
    for (const withPoll of r % 2 ? [true, false] : [false, true]) {
      const key = withPoll ? 'with' : 'without';
      try {
        const d = await measureService({
          serverUrl: server.url,
          role: 'api',
          durationS,
          connections: 64,
          warmupS: 2,
          probeHealth: false,
          env: API_ENV,
          poll: withPoll ? poll : undefined,
        });
        result.ingest[key].push(d.cpuUsPerRequest);
        if (withPoll) result.ingest.polled += d.polled;
        log(
          `  ingest round ${r + 1} ${key} polling: ${fmtNumber(d.cpuUsPerRequest)} µs CPU/webhook, ${fmtNumber(d.acceptedPerS)} accepted/s`,
        );
      } catch (err) {
        result.errors.push(`ingest ${key}: ${err.message.split('\n')[0]}`);
      }
    }
  }

  const db = await createScratchDatabase(server.url, 'polling_drain');
  try {
    await fillBacklogs(db.url, ['contacts'], n, 64);
    for (let r = 0; r < rounds; r++) {
      for (const withPoll of r % 2 ? [true, false] : [false, true]) {
        const key = withPoll ? 'with' : 'without';
        try {
          const t = await trial({
            databaseUrl: db.url,
            kindName: 'contacts',
            config: { name: '1x4', processes: 1, concurrency: 4 },
            n,
            api: API_ENV,
            poll: withPoll ? poll : undefined,
          });
          if (!t.verified) throw new Error(t.problems.join('; '));
          result.drain[key].push(t.workerCpuUsPerEvent);
          if (withPoll) result.drain.polled += t.polled;
          log(
            `  drain round ${r + 1} ${key} polling: ${fmtNumber(t.workerCpuUsPerEvent)} µs CPU/event (worker + API), ${fmtNumber(t.eventsPerS)} events/s`,
          );
        } catch (err) {
          result.errors.push(`drain ${key}: ${err.message.split('\n')[0]}`);
        }
      }
    }
  } finally {
    await dropScratchDatabase(server.url, db.name);
  }

  for (const part of ['ingest', 'drain']) {
    const p = result[part];
    p.withoutMedian = median(p.without);
    p.withMedian = median(p.with);
    p.overheadPct = p.withoutMedian && p.withMedian ? (p.withMedian / p.withoutMedian - 1) * 100 : undefined;
    console.log(
      `${part}: ${fmtNumber(p.withoutMedian)} µs/event without, ${fmtNumber(p.withMedian)} with the polling (${p.polled} polls answered): ` +
        `${p.overheadPct === undefined ? 'n/a' : `${p.overheadPct >= 0 ? '+' : ''}${p.overheadPct.toFixed(1)}%`} (target ≤ 5%): ` +
        `${p.overheadPct !== undefined && p.overheadPct <= 5 ? 'PASS' : 'MISS'}`,
    );
  }
  writeResult('polling', { at: new Date().toISOString(), paths: POLL_PATHS, rounds, durationS, n, ...result });
  return result;
}

if (isMain(import.meta.url)) {
  runPolling()
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
