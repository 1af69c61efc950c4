// Interleaved A/B comparison of the ingest path between builds (or settings): the way this machine can judge an
// overhead (throughput moves ±25% with load; server CPU per request, in rounds that alternate the variants, moves
// far less). Each round measures every variant once, in rotating order, on a fresh scratch database.
//
// Usage:
//   node bench/ab.mjs NAME=path/to/dist/src/main.js NAME2=other/dist/src/main.js [NAME3=...|NAME3=main.js+{"ENV":"v"}]
//   BENCH_RUNS (rounds, default 5), BENCH_DURATION_S (default 10), BENCH_CONNECTIONS (64), BENCH_AB_ROLE (api),
//   BENCH_AB_PARALLEL=1 (all variants at once: on a machine busy with other work, each sees the same contention)
// A variant may add service env as JSON after '+': base=../base/dist/src/main.js  mon=dist/src/main.js+{"TDS_MONITORING_CRON":"*/5 * * * * *"}
// and "__POLL__": "/dashboard/metrics,/dashboard/queue-stats" to poll admin routes every second during the load.
import { resolve } from 'node:path';
import { acquireServer } from './lib/pg.mjs';
import { fmtNumber, log } from './lib/report.mjs';
import { measureService } from './ingest.mjs';

const variants = process.argv.slice(2).map((arg) => {
  const eq = arg.indexOf('=');
  if (eq < 1) throw new Error(`variant "${arg}": expected NAME=path/to/main.js[+{json env}]`);
  const name = arg.slice(0, eq);
  const rest = arg.slice(eq + 1);
  const plus = rest.indexOf('+{');
  const main = resolve(plus < 0 ? rest : rest.slice(0, plus));
  const env = plus < 0 ? {} : JSON.parse(rest.slice(plus + 1));
  // "__POLL__": "/dashboard/metrics,/dashboard/queue-stats" polls those admin routes every second during the load.
  let poll;
  if (env.__POLL__) {
    poll = { paths: String(env.__POLL__).split(','), key: 'bench-admin-key-0123456789', intervalMs: 1000 };
    delete env.__POLL__;
  }
  // Every variant runs with the same admin key, so the only difference is the polling itself.
  env.ADMIN_API_KEYS ??= 'bench-admin-key-0123456789';
  return { name, main, env, poll, cpu: [], rate: [], p99: [] };
});
if (variants.length < 2) {
  console.error('usage: node bench/ab.mjs A=path/main.js B=path/main.js [...]');
  process.exit(2);
}
const rounds = Number(process.env.BENCH_RUNS ?? 5);
const durationS = Number(process.env.BENCH_DURATION_S ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const role = process.env.BENCH_AB_ROLE ?? 'api';
const parallel = /^(1|true|yes)$/i.test(process.env.BENCH_AB_PARALLEL ?? '');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

const server = await acquireServer({ log });
try {
  const measure = async (v, r) => {
    const d = await measureService({
      serverUrl: server.url,
      role,
      durationS,
      connections,
      warmupS: 2,
      probeHealth: false,
      main: v.main,
      env: v.env,
      poll: v.poll,
    });
    v.cpu.push(d.cpuUsPerRequest);
    v.rate.push(d.acceptedPerS);
    v.p99.push(d.latencyMs.p99);
    log(
      `round ${r + 1}/${rounds} ${v.name}: ${fmtNumber(d.acceptedPerS)} accepted/s, p99 ${d.latencyMs.p99} ms, ${fmtNumber(d.cpuUsPerRequest)} µs CPU/request` +
        (v.poll ? `, ${d.polled} dashboard polls answered` : ''),
    );
  };
  for (let r = 0; r < rounds; r++) {
    // BENCH_AB_PARALLEL=1: the variants run at the same time, under the same load from elsewhere (a busy machine).
    if (parallel) await Promise.all(variants.map((v) => measure(v, r)));
    else for (let i = 0; i < variants.length; i++) await measure(variants[(i + r) % variants.length], r);
  }
} finally {
  await server.stop();
}
const ref = median(variants[0].cpu);
console.log(
  `\nvariant            CPU µs/request (median; each round)                accepted/s (median)   p99 ms (median)   vs ${variants[0].name}`,
);
for (const v of variants) {
  const m = median(v.cpu);
  console.log(
    `${v.name.padEnd(18)} ${fmtNumber(m).padStart(6)}  (${v.cpu.map((x) => Math.round(x)).join(', ')})`.padEnd(70) +
      `${fmtNumber(median(v.rate)).padStart(8)}              ${String(median(v.p99)).padStart(6)}            ${(((m - ref) / ref) * 100).toFixed(1)}%`,
  );
}
