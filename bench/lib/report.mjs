// Statistics over repeated runs, a plain-text table printer, and the JSON result files in bench/results/.
import { mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './service.mjs';

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** { median, min, max, runs, values } of the finite numbers in values (undefined when there are none). */
export function summarize(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], runs: v.length, values };
}

export function fmtNumber(x, digits) {
  if (x === undefined || x === null || !Number.isFinite(x)) return '–';
  const d = digits ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** "6,712 (6,500–6,900)" or "6,712" for a single run. */
export function fmtStat(s, digits) {
  if (!s) return '–';
  if (s.runs === 1 || s.min === s.max) return fmtNumber(s.median, digits);
  return `${fmtNumber(s.median, digits)} (${fmtNumber(s.min, digits)}–${fmtNumber(s.max, digits)})`;
}

/** Prints rows (arrays of cells) under headers as an aligned text table; returns the text. */
export function formatTable(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map((c) => (c === undefined || c === null ? '' : String(c))));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r) =>
    r
      .map((c, i) => c + ' '.repeat(widths[i] - [...c].length))
      .join('  ')
      .trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function printTable(title, headers, rows) {
  const text = formatTable(headers, rows);
  console.log(`\n${title}\n${text}\n`);
  return text;
}

/** Markdown table for docs/PERFORMANCE.md. */
export function markdownTable(headers, rows) {
  const esc = (c) => String(c ?? '').replace(/\|/g, '\\|');
  return [
    `| ${headers.map(esc).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function timestamp(date = new Date()) {
  return date.toISOString().replace(/[:]/g, '').replace(/\..+$/, 'Z');
}

/** Writes bench/results/<name>-<timestamp>.json and returns its path. */
export function writeResult(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${timestamp()}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

/** The newest bench/results/<name>-*.json, parsed, or undefined. */
export function latestResult(name) {
  let files;
  try {
    files = readdirSync(RESULTS_DIR)
      .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.json'))
      .sort();
  } catch {
    return undefined;
  }
  if (!files.length) return undefined;
  const file = join(RESULTS_DIR, files[files.length - 1]);
  return { file, data: JSON.parse(readFileSync(file, 'utf8')) };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Benchmark settings from the environment; BENCH_QUICK=1 is a smoke test (1 run, 5 s, 5,000 events). */
export function settings() {
  const quick = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');
  const int = (name, dflt) => {
    const v = process.env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${v}: expected a positive number`);
    return Math.round(n);
  };
  return {
    quick,
    runs: int('BENCH_RUNS', quick ? 1 : 3),
    durationS: int('BENCH_DURATION_S', quick ? 5 : 20),
    drainEvents: int('BENCH_DRAIN_EVENTS', quick ? 5000 : 50_000),
    connections: int('BENCH_CONNECTIONS', 64),
  };
}

/** True when the module at metaUrl is the script node was started with. */
export function isMain(metaUrl) {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

export function log(message) {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}
