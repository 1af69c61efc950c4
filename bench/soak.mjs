#!/usr/bin/env node
// Soak benchmark (issue 15): a steady webhook rate for several minutes into one TDS_ROLE=all process, on a database
// the bench never analyzes, with autovacuum off for the queue tables (the case that collapsed the worker: a claim
// plan made while tds.events was empty, never replanned) and/or on. Every BENCH_SOAK_SAMPLE_S it samples applied
// events, the backlog (pending + failed) and the service's RSS; it prints applied events/s per minute, the backlog
// and RSS over time, then how long the backlog takes to reach 0 after the load stops.
//
// Usage: node scripts/build.mjs && node bench/soak.mjs
//   BENCH_SOAK_RATE (webhooks/s, default 300: half contacts, half invoices with 3 lines), BENCH_SOAK_MINUTES (5),
//   BENCH_SOAK_AUTOVACUUM (off | on | both, default both), BENCH_SOAK_SAMPLE_S (10), BENCH_SERVICE_ENV (JSON, e.g.
//   '{"TDS_QUEUE_ANALYZE_INTERVAL_S":"0"}' to see the service without its own statistics check).
// Targets: applied/s never below the offered rate for more than a minute; backlog back to 0 within a minute of the
// end; RSS flat (last minute's RSS within 20% of the second minute's).
import { acquireServer, createScratchDatabase, dropScratchDatabase, query, serverVersion, startEmbedded } from './lib/pg.mjs';
import { readMemory, startService } from './lib/service.mjs';
import { webhookLoad } from './lib/load.mjs';
import { makeIds } from './lib/payloads.mjs';
import { fmtNumber, isMain, log, sleep, writeResult } from './lib/report.mjs';

const rate = Number(process.env.BENCH_SOAK_RATE ?? 300);
const minutes = Number(process.env.BENCH_SOAK_MINUTES ?? (process.env.BENCH_QUICK ? 1 : 5));
const sampleS = Number(process.env.BENCH_SOAK_SAMPLE_S ?? 10);
const modes = { off: ['off'], on: ['on'], both: ['off', 'on'] }[process.env.BENCH_SOAK_AUTOVACUUM ?? 'both'];
if (!modes) throw new Error('BENCH_SOAK_AUTOVACUUM: off | on | both');

const COUNTS = `SELECT count(*) FILTER (WHERE status = 'completed')::int AS applied,
                       count(*) FILTER (WHERE status IN ('pending', 'failed'))::int AS backlog,
                       count(*) FILTER (WHERE status = 'dead_letter')::int AS dead
                FROM tds.events`;

async function soak(serverUrl, autovacuum) {
  const db = await createScratchDatabase(serverUrl, `soak_av_${autovacuum}`);
  let service;
  try {
    service = await startService({ databaseUrl: db.url, role: 'all', label: `soak-${autovacuum}` });
    // The service has migrated the database; the queue tables get the autovacuum switch of this run.
    for (const t of ['events', 'event_attempts']) {
      await query(db.url, `ALTER TABLE tds.${t} SET (autovacuum_enabled = ${autovacuum === 'on'})`);
    }
    const samples = [];
    const sample = async () => {
      const [{ applied, backlog, dead }] = (await query(db.url, COUNTS)).rows;
      const mem = readMemory(service.pid);
      samples.push({ t: Date.now(), applied, backlog, dead, rssMb: mem ? mem.rssKb / 1024 : undefined });
    };
    await sample();
    const t0 = Date.now();
    const sampler = setInterval(() => void sample(), sampleS * 1000);
    const ids = makeIds();
    const duration = minutes * 60;
    const [contacts, invoices] = await Promise.all([
      webhookLoad({ target: service.url, kind: 'contact', connections: 16, duration, overallRate: rate / 2, ids }),
      webhookLoad({ target: service.url, kind: 'invoice', lineCount: 3, connections: 16, duration, overallRate: rate / 2, ids }),
    ]);
    clearInterval(sampler);
    await sample();
    const loadEnd = Date.now();
    // After the load: how long until the backlog is 0 (at most 5 minutes).
    let drainedS;
    while (Date.now() - loadEnd < 300_000) {
      const [{ backlog }] = (await query(db.url, COUNTS)).rows;
      if (backlog === 0) {
        drainedS = (Date.now() - loadEnd) / 1000;
        break;
      }
      await sleep(500);
    }
    await sample();
    const accepted = contacts.digest.accepted + invoices.digest.accepted;
    const offered = accepted / duration;
    // Per minute: applied events/s, backlog and RSS at the minute's end.
    const perMinute = [];
    for (let m = 1; m <= minutes; m++) {
      const end = t0 + m * 60_000;
      const at = (time) => samples.reduce((best, s) => (Math.abs(s.t - time) < Math.abs(best.t - time) ? s : best));
      const a = at(end - 60_000);
      const b = at(end);
      perMinute.push({ minute: m, appliedPerS: (b.applied - a.applied) / ((b.t - a.t) / 1000 || 1), backlog: b.backlog, rssMb: b.rssMb });
    }
    const minutesBelow = perMinute.filter((p) => p.appliedPerS < offered * 0.95).length;
    const rssSecond = perMinute[Math.min(1, perMinute.length - 1)]?.rssMb;
    const rssLast = perMinute[perMinute.length - 1]?.rssMb;
    const stats = (
      await query(
        db.url,
        `SELECT relname, last_analyze, last_autoanalyze, analyze_count::int, autoanalyze_count::int FROM pg_stat_user_tables WHERE schemaname = 'tds' AND relname IN ('events', 'event_attempts') ORDER BY relname`,
      )
    ).rows;
    return {
      autovacuum,
      offeredPerS: offered,
      accepted,
      non2xx: contacts.digest.non2xx + invoices.digest.non2xx,
      perMinute,
      minutesBelowOffered: minutesBelow,
      drainedAfterEndS: drainedS ?? null,
      rssGrowthPct: rssSecond && rssLast ? ((rssLast - rssSecond) / rssSecond) * 100 : null,
      dead: samples[samples.length - 1].dead,
      analyzeStats: stats,
    };
  } finally {
    if (service) await service.stop().catch(() => undefined);
    await dropScratchDatabase(serverUrl, db.name);
  }
}

export async function runSoak() {
  const server = await acquireServer({ log });
  const results = [];
  try {
    log(`soak: ${rate} webhooks/s for ${minutes} min, autovacuum ${modes.join(' then ')}, PostgreSQL ${await serverVersion(server.url)}`);
    for (const mode of modes) {
      log(`soak with autovacuum ${mode} on the queue tables …`);
      // A table's autovacuum_enabled cannot switch autovacuum on where the server runs without it (this machine's
      // PostgreSQL has autovacuum = off): the "on" run then gets its own embedded server with autovacuum on.
      const serverAutovacuum = (await query(server.url, 'SHOW autovacuum')).rows[0].autovacuum;
      let own;
      if (mode === 'on' && serverAutovacuum !== 'on') {
        log('  the server runs with autovacuum = off: this run uses an embedded PostgreSQL with autovacuum = on');
        own = await startEmbedded(log, ['autovacuum=on']);
      }
      let r;
      try {
        r = await soak(own?.url ?? server.url, mode);
        r.server = own ? 'embedded PostgreSQL 15, autovacuum = on' : `the bench server (autovacuum = ${serverAutovacuum})`;
      } finally {
        await own?.stop();
      }
      results.push(r);
      console.log(
        `\nautovacuum ${mode} (${r.server}): offered ${fmtNumber(r.offeredPerS)} webhooks/s (${r.accepted} accepted, non-2xx ${r.non2xx})`,
      );
      console.log('minute  applied/s  backlog  RSS MB');
      for (const p of r.perMinute) {
        console.log(
          `${String(p.minute).padStart(6)}  ${fmtNumber(p.appliedPerS).padStart(9)}  ${String(p.backlog).padStart(7)}  ${fmtNumber(p.rssMb ?? 0).padStart(6)}`,
        );
      }
      const verdict = (ok) => (ok ? 'PASS' : 'MISS');
      console.log(
        `  applied below the offered rate for ${r.minutesBelowOffered} minute(s) (target ≤ 1): ${verdict(r.minutesBelowOffered <= 1)}`,
      );
      console.log(
        `  backlog at 0 ${r.drainedAfterEndS === null ? 'not within 5 min' : `${r.drainedAfterEndS.toFixed(1)} s`} after the end (target ≤ 60 s): ${verdict(r.drainedAfterEndS !== null && r.drainedAfterEndS <= 60)}`,
      );
      console.log(
        `  RSS last minute vs second: ${r.rssGrowthPct === null ? 'n/a' : `${r.rssGrowthPct.toFixed(1)}%`} (target within ±20%): ${verdict(r.rssGrowthPct !== null && Math.abs(r.rssGrowthPct) <= 20)}`,
      );
      console.log(
        `  dead letters: ${r.dead}; ANALYZE of the queue tables: ${r.analyzeStats.map((s) => `${s.relname} ${s.analyze_count} by the service, ${s.autoanalyze_count} by autovacuum`).join('; ')}`,
      );
    }
  } finally {
    await server.stop();
  }
  writeResult('soak', { rate, minutes, results });
  return results;
}

if (isMain(import.meta.url)) {
  runSoak().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
