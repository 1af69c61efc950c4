import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/**
 * Creates the target database when it is missing and the role may create it; otherwise explains what to do.
 * Several processes may start at once: a concurrent CREATE DATABASE that loses the race is fine.
 */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 10000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err; // 3D000 = invalid_catalog_name
  } finally {
    await probe.end().catch(() => undefined);
  }
  const name = databaseName(url);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 10000 });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P04') return; // duplicate_database: another process created it first
    if (code === '42501') {
      throw new Error(
        `Database "${name}" does not exist and this role may not create it. Create it as a superuser: ` +
          `createdb -O <role> ${name}  (or CREATE DATABASE "${name}" OWNER <role>;), then start again.`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

const MIGRATION_LOCK_KEY = 7_315_001; // arbitrary, constant: serialises migration runs across processes

/** Applies pending migrations under an advisory lock, so several processes starting together migrate once. */
export async function runMigrations(url: string, log: (m: string) => void = () => undefined): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const ds = new DataSource(buildDataSourceOptions({ url, poolSize: 1, applicationName: 'tds-migrations' }));
    await ds.initialize();
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      for (const m of applied) log(`applied migration ${m.name}`);
      return applied.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}
