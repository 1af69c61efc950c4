import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { loadEnvironment } from '../config/load-env';
import { databaseUrlFrom } from '../config/database-url';
import { ConfigValidationError, EnvironmentVariables } from '../config/env.validation';
import { readRunningEmbeddedUrl } from '../database/embedded-postgres';

/**
 * `npm run db:psql [-- psql arguments]`: psql on the database the service uses — DATABASE_URL (or DATABASE_HOST/...)
 * when set, else the embedded PostgreSQL of TDS_DATA_DIR (its port and password are read from the data folder).
 * The password goes to psql in PGPASSWORD, never on its command line. docs/decisions/0018-processes-and-deployment-kit.md
 */

export type PsqlTarget = { env: Record<string, string>; describe: string } | { problem: string };

/** psql's connection variables for the service's database, or why there is none to connect to. */
export function psqlTarget(env: EnvironmentVariables): PsqlTarget {
  const configured = databaseUrlFrom(env);
  const url = configured ?? readRunningEmbeddedUrl(env.TDS_DATA_DIR);
  if (!url) {
    return {
      problem:
        `DATABASE_URL is not set and the embedded PostgreSQL of ${resolve(env.TDS_DATA_DIR)} is not running: ` +
        'start the service (npm start) first, or set DATABASE_URL (or TDS_DATA_DIR to the data folder the service uses).',
    };
  }
  const u = new URL(url);
  const vars: Record<string, string> = {
    PGHOST: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')),
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username || 'postgres'),
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  if (u.password) vars.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode') ?? (env.DATABASE_SSL ? 'require' : undefined);
  if (sslmode) vars.PGSSLMODE = sslmode;
  const where = `${vars.PGUSER}@${vars.PGHOST}:${vars.PGPORT}/${vars.PGDATABASE}`;
  return { env: vars, describe: configured ? `${where} (DATABASE_URL)` : `${where} (embedded PostgreSQL in ${resolve(env.TDS_DATA_DIR)})` };
}

export function main(args: string[]): number {
  let env: EnvironmentVariables;
  try {
    env = loadEnvironment();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const target = psqlTarget(env);
  if ('problem' in target) {
    process.stderr.write(`${target.problem}\n`);
    return 1;
  }
  process.stderr.write(`psql on ${target.describe}\n`);
  // psql owns the terminal meanwhile: Ctrl-C cancels its query, it must not end this wrapper.
  process.on('SIGINT', () => undefined);
  const psql = spawnSync('psql', args, { stdio: 'inherit', env: { ...process.env, ...target.env } });
  if ((psql.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    process.stderr.write(
      'psql is not installed (or not on PATH). On Debian/Ubuntu: sudo apt-get install -y postgresql-client-15 ' +
        '(the PostgreSQL client; any version >= the server works).\n',
    );
    return 127;
  }
  if (psql.error) throw psql.error;
  return psql.status ?? 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
