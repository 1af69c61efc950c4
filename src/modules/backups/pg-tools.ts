import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { childEnvironment } from '../../config/child-env';

export type PgToolName = 'pg_dump' | 'pg_restore';

export interface PgTool {
  name: PgToolName;
  path: string;
  major: number;
  /** `pg_dump (PostgreSQL) 15.10 (Debian 15.10-1.pgdg120+1)` */
  version: string;
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** What a tool needs to reach the database, as libpq variables (no secret ever goes on a command line). */
export function libpqEnvironment(url: string, ssl: boolean, database?: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = {};
  const host = u.searchParams.get('host') ?? decodeURIComponent(u.hostname);
  if (host) env.PGHOST = host;
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  env.PGDATABASE = database ?? (decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres');
  const sslmode = u.searchParams.get('sslmode') ?? (ssl ? 'require' : undefined);
  if (sslmode) env.PGSSLMODE = sslmode;
  env.PGAPPNAME = 'tds-core:backup';
  env.PGCONNECT_TIMEOUT = '10';
  return env;
}

const OUTPUT_LIMIT = 1024 * 1024;

/** Runs a tool to its end; stdout/stderr are kept up to 1 MiB each. `signal` ends the child (SIGTERM). */
export function runTool(path: string, args: string[], env: Record<string, string>, signal?: AbortSignal): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env: childEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < OUTPUT_LIMIT) stderr += d.toString('utf8');
    });
    const abort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (err) => {
      signal?.removeEventListener('abort', abort);
      reject(err);
    });
    child.once('close', (code, sig) => {
      signal?.removeEventListener('abort', abort);
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
}

/** The tool's path: in PG_BIN_DIR when set, else the first on PATH; undefined when there is none. */
export function findTool(name: PgToolName, binDir: string | null, searchPath: string): string | undefined {
  const dirs = binDir ? [binDir] : searchPath.split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The major version in a `--version` line (`pg_dump (PostgreSQL) 15.10 …` → 15; `… 9.6.24` → 9). */
export function parseToolVersion(line: string): number | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** What to install for a server of this major version, said the way an operator acts on it. */
export function installHint(serverMajor: number): string {
  return (
    `Install the PostgreSQL ${serverMajor} client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}, ` +
    `from the PGDG repository when the distribution lacks that version; the embedded PostgreSQL is ${serverMajor === 15 ? 'this one' : 'version 15'}) ` +
    `or set PG_BIN_DIR to the folder holding pg_dump and pg_restore of version ${serverMajor} or newer (e.g. /usr/lib/postgresql/${serverMajor}/bin).`
  );
}

/**
 * Finds pg_dump or pg_restore and checks that its major version is at least the server's (an older pg_dump refuses a
 * newer server; an older pg_restore cannot read a newer archive). Throws an error that says what to install.
 */
export async function resolveTool(name: PgToolName, binDir: string | null, searchPath: string, serverMajor: number): Promise<PgTool> {
  const path = findTool(name, binDir, searchPath);
  if (!path) {
    const where = binDir ? `in PG_BIN_DIR (${binDir})` : 'on PATH';
    throw new Error(`${name} not found ${where}. ${installHint(serverMajor)}`);
  }
  const result = await runTool(path, ['--version'], {});
  const version = result.stdout.trim();
  const major = parseToolVersion(version);
  if (result.code !== 0 || major === undefined) {
    throw new Error(
      `${path} --version did not answer with a PostgreSQL version (${(result.stderr || version).trim()}). ${installHint(serverMajor)}`,
    );
  }
  if (major < serverMajor) {
    throw new Error(`${path} is version ${major}, older than the server (${serverMajor}). ${installHint(serverMajor)}`);
  }
  return { name, path, major, version };
}
