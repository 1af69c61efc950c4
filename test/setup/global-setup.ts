import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, RunningEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/prepare-database';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}

let embedded: RunningEmbeddedPostgres | undefined;
let tmp: string | undefined;
let adminUrl: string;
let templateDb: string;

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Real PostgreSQL for every integration/e2e test: TEST_DATABASE_URL (or DATABASE_URL) when set, else an embedded
 * cluster in a temporary folder. Migrations run once into a template database; each test file clones it.
 * dist/ is built too, for tests that start the service as a child process.
 */
export default async function setup(project: TestProject) {
  const root = resolve(__dirname, '../..');
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  const external = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (external) {
    adminUrl = external;
  } else {
    // Under /tmp (traversable by the postgres OS user when the suite runs as root).
    tmp = mkdtempSync(join(tmpdir(), 'tds-test-pg-'));
    chmodSync(tmp, 0o755);
    embedded = await startEmbeddedPostgres({ databaseDir: join(tmp, 'postgres'), fastUnsafe: true });
    adminUrl = withDb(embedded.url, 'postgres');
  }
  templateDb = `tds_tpl_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${templateDb}`);
  await admin.end();
  await runMigrations(withDb(adminUrl, templateDb));
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    // Drop what this run created (test files drop their own; this catches leftovers from failed files).
    const { rows } = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [
      `${templateDb.replace('tpl', 't')}%`,
      templateDb,
    ]);
    for (const r of rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`).catch(() => undefined);
    await c.end();
    if (embedded) await embedded.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
}
