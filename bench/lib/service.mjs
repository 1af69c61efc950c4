// Starts the real service (dist/src/main.js) as a child process, waits until it is ready, samples its memory, stops it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// BENCH_MAIN points at another build of the service (e.g. one compiled to a private folder while dist/ is in use).
export const MAIN = process.env.BENCH_MAIN ? resolve(process.env.BENCH_MAIN) : join(ROOT, 'dist', 'src', 'main.js');

export const WEBHOOK_KEY = 'bench-webhook-key-0123456789abcdef';
export const ZOHO_SECRET = 'benchZohoSecret0123456789';
export const ORGANIZATION_ID = '20099887766';

/** node flags for a CPU profile of a service process when BENCH_CPU_PROF=1 (written to bench/results/profiles/). */
export function cpuProfArgs(label) {
  if (!/^(1|true|yes)$/i.test(process.env.BENCH_CPU_PROF ?? '')) return [];
  const dir = join(ROOT, 'bench', 'results', 'profiles', label);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir];
}

/** VmRSS and VmHWM (peak RSS) of a process, in kB; undefined once it is gone. */
export function readMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { rssKb: rss ? Number(rss[1]) : 0, hwmKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in seconds; undefined once it is gone. */
export function readCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime (14), stime (15)
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Samples a process every intervalMs; peakMb() is the highest of VmHWM and the sampled VmRSS. */
export function memorySampler(pid, intervalMs = 200) {
  let peakKb = 0;
  let lastKb = 0;
  const sample = () => {
    const m = readMemory(pid);
    if (!m) return;
    lastKb = m.rssKb;
    peakKb = Math.max(peakKb, m.hwmKb, m.rssKb);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    sample,
    cpuSeconds: () => readCpuSeconds(pid),
    peakMb: () => peakKb / 1024,
    lastMb: () => lastKb / 1024,
    stop() {
      sample();
      clearInterval(timer);
      return peakKb / 1024;
    },
  };
}

export function assertBuilt() {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: build first (node scripts/build.mjs, or run the benchmark with npm run bench)`);
  }
}

/**
 * Spawns the service. role: all | api | worker. Resolves once /health/ready answers 200 (api, all) or the worker
 * says it started (worker). Returns { pid, port, url, memory, stop(), output() }.
 */
export async function startService({
  databaseUrl,
  role = 'all',
  label = role,
  env = {},
  readyTimeoutMs = 60_000,
  nodeArgs = [],
  main = MAIN,
} = {}) {
  if (main === MAIN) assertBuilt();
  const port = role === 'worker' ? 0 : await freePort();
  const cwd = mkdtempSync(join(tmpdir(), `tds-bench-${label}-`)); // no stray .env, own data folder
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ENVIRONMENT: 'production',
    DATABASE_URL: databaseUrl,
    TDS_ROLE: role,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    WEBHOOK_API_KEYS: WEBHOOK_KEY,
    ZOHO_WEBHOOK_SECRETS: ZOHO_SECRET,
    TDS_DATA_DIR: join(cwd, 'data'),
    // The load comes from one address: the per-IP webhook limit (60,000/min by default) would answer 429 in a 20 s run
    // on a fast machine. The limiter still runs on every request (its cost is part of the figures).
    RATE_LIMIT_WEBHOOKS_PER_MINUTE: '100000000',
    // BENCH_SERVICE_ENV='{"WEBHOOK_INGEST_MAX_INFLIGHT":"2"}' tries a setting without editing code
    ...JSON.parse(process.env.BENCH_SERVICE_ENV || '{}'),
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, [...nodeArgs, main], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let workerStarted = false;
  let exited = null;
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line) continue;
      if (/worker started/i.test(line)) workerStarted = true;
      lines.push(line);
      if (lines.length > 400) lines.splice(0, lines.length - 400);
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exitPromise = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  const memory = memorySampler(child.pid);
  const url = `http://127.0.0.1:${port}`;
  const output = () => lines.join('\n');

  const stop = async (timeoutMs = 30_000) => {
    const peak = memory.stop();
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exitPromise;
      clearTimeout(timer);
    }
    rmSync(cwd, { recursive: true, force: true });
    return { peakRssMb: peak, exit: exited };
  };

  const deadline = Date.now() + readyTimeoutMs;
  const started = Date.now();
  while (true) {
    if (exited) {
      rmSync(cwd, { recursive: true, force: true });
      throw new Error(`service (${label}) exited during start (${JSON.stringify(exited)}):\n${output().slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      await stop(5000);
      throw new Error(`service (${label}) not ready after ${readyTimeoutMs} ms:\n${output().slice(-4000)}`);
    }
    if (role === 'worker') {
      if (workerStarted) break;
    } else {
      try {
        const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) break;
      } catch {
        /* not listening yet */
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: child.pid, port, url, memory, stop, output, bootMs: Date.now() - started, exited: () => exited };
}

/**
 * Checks that the webhook route exists and accepts a signed body. Throws a clear error when the route is missing
 * (404) or refuses the credentials, so a half-finished service does not produce a table of zeros.
 */
export async function probeWebhook(baseUrl, { entity = 'contacts', body, query, headers }) {
  const res = await fetch(`${baseUrl}/webhooks/${entity}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status === 404) {
    throw new Error(`POST /webhooks/${entity} answered 404: the webhook receiver is not in this build yet (${text.slice(0, 200)})`);
  }
  if (res.status !== 202) {
    throw new Error(`POST /webhooks/${entity} answered ${res.status} instead of 202: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text);
}
