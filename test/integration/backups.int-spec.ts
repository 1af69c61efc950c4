import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppConfigService } from '../../src/config/app-config.service';
import { BackupRunRepository, BackupRunRow } from '../../src/modules/backups/backup-run.repository';
import { backupFileName } from '../../src/modules/backups/backup-files';
import { BackupFailedError, BackupsService } from '../../src/modules/backups/backups.service';
import { findTool } from '../../src/modules/backups/pg-tools';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { zohoBody, zohoContact, zohoInvoice, zohoItem } from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase, withDatabase } from '../support/test-database';
import { buildTestConfig, startTestApp, TestApp } from '../support/test-app';

/**
 * Backups on real PostgreSQL with the real pg_dump / pg_restore (issue #13): a backup restores with identical row
 * counts (also while ingest runs), a damaged archive fails verification and is recorded, the scratch database goes
 * even when a restore fails, retention keeps what it must, two instances make one backup per scheduled time, and a
 * restore refuses without --yes or under a running service.
 */
const KEY = 'backup-key-1';
const ADMIN = 'ops:backup-admin-key';
const CLI = join(__dirname, '../../dist/src/cli/tds-cli.js');
const DAY = 86_400_000;

const pgDump = findTool('pg_dump', null, process.env.PATH ?? '');
const pgRestore = findTool('pg_restore', null, process.env.PATH ?? '');
const toolsMissing = !pgDump || !pgRestore;
const requireTools = process.env.TDS_TEST_REQUIRE_TOOLS === '1';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ENVIRONMENT: 'test', LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function countsOf(url: string): Promise<Record<string, number>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (
      await c.query<{ t: string }>(
        `SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('tds', 'erp') AND c.relkind = 'r' ORDER BY 1`,
      )
    ).rows;
    const out: Record<string, number> = {};
    for (const { t } of tables) out[t] = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n;
    return out;
  } finally {
    await c.end();
  }
}

/** This file's scratch databases (other test runs on a shared server make their own). */
async function scratchDatabases(dbName: string): Promise<string[]> {
  const c = new Client({ connectionString: inject('adminUrl') });
  await c.connect();
  try {
    return (
      await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
        `tds_verify_${dbName.slice(0, 24).toLowerCase()}_%`,
      ])
    ).rows.map((r) => r.datname);
  } finally {
    await c.end();
  }
}

// Without the tools the suite is skipped with a line naming the missing one; TDS_TEST_REQUIRE_TOOLS=1 makes it fail.
if (toolsMissing) {
  const missing = [!pgDump && 'pg_dump', !pgRestore && 'pg_restore'].filter(Boolean).join(' and ');
  describe('backups (integration)', () => {
    if (requireTools) {
      it(`needs ${missing} (TDS_TEST_REQUIRE_TOOLS=1): install postgresql-client-15`, () => {
        expect.fail(`${missing} not found on PATH`);
      });
    } else {
      it.skip(`skipped: ${missing} not found on PATH (Debian: apt-get install postgresql-client-15)`, () => undefined);
    }
  });
}

// Each full verification is a restore: minutes under load on a shared 2-core machine, hence the timeouts.
describe.skipIf(toolsMissing)('backups (integration, real PostgreSQL, real pg_dump / pg_restore)', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let t: TestApp;
  let dir: string;
  let backups: BackupsService;

  const deliver = async (route: string, envelope: string, record: Record<string, unknown>) => {
    const res = await request(t.server)
      .post(`/webhooks/${route}?event=updated`)
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send(zohoBody(envelope, record));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  };
  /** A BackupsService over the same database with other settings (as another configuration of the service would have). */
  const serviceWith = (overrides: Record<string, string>) =>
    new BackupsService(new AppConfigService(buildTestConfig(db.url, { BACKUP_DIR: dir, ...overrides })), t.app.get(BackupRunRepository));

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'tds-backups-'));
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: KEY, ADMIN_API_KEYS: ADMIN, BACKUP_DIR: dir, BACKUP_ENABLED: 'false' });
    backups = t.app.get(BackupsService);
    // Events and the ERP rows they produced.
    for (let i = 0; i < 5; i++) await deliver('contacts', 'contact', zohoContact());
    for (let i = 0; i < 3; i++) await deliver('invoices', 'invoice', zohoInvoice());
    for (let i = 0; i < 2; i++) await deliver('products', 'item', zohoItem());
    const worker = t.app.get(QueueWorker);
    while ((await worker.drainOnce()) > 0);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a backup restores into a fresh database with identical row counts (counts taken in the dump snapshot while ingest runs)', async () => {
    // Ingest keeps writing during the dump: the counts must describe the snapshot pg_dump read, not the live table.
    let ingesting = true;
    const ingest = (async () => {
      while (ingesting) await deliver('contacts', 'contact', zohoContact());
    })();
    let run: BackupRunRow;
    try {
      run = await backups.runBackup({ trigger: 'manual' });
    } finally {
      ingesting = false;
      await ingest;
    }
    expect(run).toMatchObject({ status: 'succeeded', verified: true, verify_mode: 'full', error: null });
    expect(run.file).toMatch(/\/tds_backup_\d{8}_\d{6}_\d{3}\.dump$/);
    expect(Number(run.size_bytes)).toBe(statSync(run.file!).size);
    expect(statSync(run.file!).mode & 0o777).toBe(0o600);
    expect(run.row_counts!['erp.contacts']).toBeGreaterThanOrEqual(5);
    expect(run.row_counts!['erp.invoices']).toBe(3);
    expect(run.row_counts!['tds.events']).toBeGreaterThanOrEqual(10);
    expect(run.restored_counts).toEqual(run.row_counts);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(await scratchDatabases(db.name)).toEqual([]);

    // The restore command into a fresh, empty database (the same config loading as the service: DATABASE_URL).
    const fresh = `${db.name}_restored`;
    const admin = new Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${fresh}`);
    await admin.end();
    const freshUrl = withDatabase(inject('adminUrl'), fresh);
    try {
      const restored = await cli(['restore', run.file!, '--yes'], { DATABASE_URL: freshUrl });
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toContain('restored');
      expect(await countsOf(freshUrl)).toEqual(run.row_counts);
    } finally {
      const c = new Client({ connectionString: inject('adminUrl') });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`);
      await c.end();
    }

    // The dashboard lists it (admin key required).
    expect((await request(t.server).get('/dashboard/backups')).status).toBe(401);
    expect((await request(t.server).get('/dashboard/backups').set('X-Admin-Key', 'wrong-key')).status).toBe(403);
    const listed = await request(t.server).get('/dashboard/backups?limit=5').set('X-Admin-Key', 'backup-admin-key');
    expect(listed.status).toBe(200);
    expect(listed.body.runs[0]).toMatchObject({
      id: run.id,
      status: 'succeeded',
      verified: true,
      file: run.file,
      sizeBytes: Number(run.size_bytes),
    });
    expect(listed.body.status).toMatchObject({ enabled: false, lastRunFailed: false, verifiedBackupOverdue: false });
    for (const limit of ['0', '1e1', '501']) {
      const bad = await request(t.server).get(`/dashboard/backups?limit=${limit}`).set('X-Admin-Key', 'backup-admin-key');
      expect(bad.status).toBe(400);
      expect(bad.body.message).toBe('limit must be an integer between 1 and 500');
    }
  });

  it('a truncated archive fails verification: the command exits non-zero, the run is recorded failed and the status reports it', async () => {
    const good = await backups.runBackup({ trigger: 'manual' });
    const damaged = join(dir, 'damaged-copy.dump');
    copyFileSync(good.file!, damaged);
    truncateSync(damaged, Math.floor(statSync(damaged).size * 0.7));

    const result = await cli(['verify', damaged], { DATABASE_URL: db.url, BACKUP_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed: the archive/);
    const [row] = await db.query<{ trigger: string; status: string; verified: boolean; error: string; file: string }>(
      `SELECT trigger, status, verified, error, file FROM tds.backup_runs ORDER BY id DESC LIMIT 1`,
    );
    expect(row).toMatchObject({ trigger: 'verify', status: 'failed', verified: false, file: damaged });
    expect(row.error).toMatch(/archive/);
    const status = await backups.status();
    expect(status).toMatchObject({ lastRunFailed: true, lastError: row.error });
    expect(status.lastVerifiedFile).toBe(good.file);

    // The intact file verifies (exit 0), against the counts stored when it was made.
    const ok = await cli(['verify', good.file!], { DATABASE_URL: db.url, BACKUP_DIR: dir });
    expect(ok.code, ok.stderr).toBe(0);
    const [okRow] = await db.query<{ status: string; restored_counts: unknown; row_counts: unknown }>(
      `SELECT status, restored_counts, row_counts FROM tds.backup_runs ORDER BY id DESC LIMIT 1`,
    );
    expect(okRow.status).toBe('succeeded');
    expect(okRow.restored_counts).toEqual(good.row_counts);
    expect(await scratchDatabases(db.name)).toEqual([]);
  });

  it('the scratch database is dropped when the restore into it fails', async () => {
    // pg_restore that restores, then fails (exit 1) for a database target; everything else is the real tool.
    const bin = mkdtempSync(join(tmpdir(), 'tds-pgbin-'));
    symlinkSync(pgDump!, join(bin, 'pg_dump'));
    writeFileSync(
      join(bin, 'pg_restore'),
      `#!/bin/sh\ncase "$*" in *--dbname=*) "${pgRestore}" "$@"; echo "pg_restore: error: simulated failure" >&2; exit 1;; esac\nexec "${pgRestore}" "$@"\n`,
    );
    chmodSync(join(bin, 'pg_restore'), 0o755);
    try {
      const failing = serviceWith({ PG_BIN_DIR: bin });
      const err = await failing.runBackup({ trigger: 'manual' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackupFailedError);
      expect((err as BackupFailedError).run).toMatchObject({ status: 'failed', verified: false });
      expect((err as BackupFailedError).run.error).toMatch(/does not restore: .*simulated failure/);
      expect(await scratchDatabases(db.name)).toEqual([]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('retention: old files go only after a new verified backup (the newest verified one, which stays), other files never', async () => {
    const now = Date.now();
    const fake = (daysAgo: number) => {
      const path = join(dir, backupFileName(new Date(now - daysAgo * DAY)));
      writeFileSync(path, 'old archive');
      return path;
    };
    const old45 = fake(45);
    const old31 = fake(31);
    const recent10 = fake(10);
    const foreign = join(dir, 'operator-notes.txt');
    writeFileSync(foreign, 'not a backup');
    const staleTmp = join(dir, `${backupFileName(new Date(now - 3 * DAY))}.partial`);
    writeFileSync(staleTmp, 'cut off');
    const old = new Date(now - 3 * DAY);
    const { utimesSync } = await import('node:fs');
    utimesSync(staleTmp, old, old);

    // A failed backup removes nothing.
    await expect(serviceWith({ PG_BIN_DIR: join(dir, 'no-such-bin') }).runBackup({ trigger: 'manual' })).rejects.toThrow(
      /pg_dump not found in PG_BIN_DIR .*postgresql-client-15/,
    );
    for (const f of [old45, old31, recent10, staleTmp]) expect(statSync(f).isFile()).toBe(true);

    // The older verified backup is recorded as verified 31 days ago: while it was the newest verified one it had to
    // stay; once a new verified backup exists it goes like any file past BACKUP_RETENTION_DAYS.
    await db.query(
      `INSERT INTO tds.backup_runs (trigger, status, file, verified, verified_at, started_at)
       VALUES ('manual', 'succeeded', $1, true, now() - interval '31 days', now() - interval '31 days')`,
      [old31],
    );
    const run = await serviceWith({ BACKUP_VERIFY: 'archive' }).runBackup({ trigger: 'manual' });
    const left = readdirSync(dir).sort();
    expect(left).toContain('operator-notes.txt');
    expect(left).toContain(recent10.split('/').pop());
    expect(left).toContain(run.file!.split('/').pop());
    expect(left).not.toContain(old45.split('/').pop());
    expect(left).not.toContain(old31.split('/').pop());
    expect(left).not.toContain(staleTmp.split('/').pop());
    const [removed] = await db.query<{ removed_at: Date | null }>(`SELECT removed_at FROM tds.backup_runs WHERE file = $1`, [old31]);
    expect(removed.removed_at).toBeInstanceOf(Date);
  });

  it('the commands use the embedded PostgreSQL when DATABASE_URL is unset: restore into it, then a verified backup of it', async () => {
    const run = await backups.runBackup({ trigger: 'manual' });
    // Under /tmp, traversable: as root the embedded cluster runs as OS user postgres.
    const dataDir = mkdtempSync(join(tmpdir(), 'tds-embedded-'));
    chmodSync(dataDir, 0o755);
    try {
      const env = { TDS_DATA_DIR: dataDir, BACKUP_DIR: join(dataDir, 'backups') };
      const none = await cli(['backup'], env);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/no embedded PostgreSQL in .* yet \(start the service once\)/);

      const restored = await cli(['restore', run.file!, '--yes'], env);
      expect(restored.code, restored.stderr + restored.stdout).toBe(0);
      expect(restored.stderr).toContain('starting the embedded PostgreSQL');
      const backedUp = await cli(['backup'], env);
      expect(backedUp.code, backedUp.stderr + backedUp.stdout).toBe(0);
      const file = /backup (\S+\.dump) /.exec(backedUp.stdout)?.[1];
      expect(file).toMatch(new RegExp(`^${join(dataDir, 'backups')}/tds_backup_`));
      // The embedded copy holds the archive's rows (plus the run rows the commands added to tds.backup_runs).
      const status = await cli(['status'], env);
      expect(status.code).toBe(0);
      const parsed = JSON.parse(status.stdout) as Record<string, unknown>;
      expect(parsed).toMatchObject({ lastRunFailed: false, lastVerifiedFile: file });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('restore refuses without --yes (saying to stop the workers first), and while a process of the service is alive', async () => {
    const run = await serviceWith({ BACKUP_VERIFY: 'archive' }).runBackup({ trigger: 'manual' });
    const before = await countsOf(db.url);
    const refused = await cli(['restore', run.file!], { DATABASE_URL: db.url });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Stop the workers first/);
    expect(refused.stderr).toMatch(/--yes/);
    // The test app is a live process of the service (its heartbeat is fresh): the restore is refused. A process of this
    // machine that is gone does not count, however fresh its heartbeat (stopped by Ctrl-C before it could say so).
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await db.query(
      `INSERT INTO tds.workers (worker_id, role, hostname, pid, version, last_heartbeat_at) VALUES ('gone', 'all', $1, $2, 'test', now())`,
      [hostname(), gone],
    );
    const live = await cli(['restore', run.file!, '--yes'], { DATABASE_URL: db.url });
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(/Stop the service's processes \(API and workers\) first: 1 alive/);
    await db.query(`DELETE FROM tds.workers WHERE worker_id = 'gone'`);
    expect(await countsOf(db.url)).toEqual(before);
  });
});

describe.skipIf(toolsMissing)('backups: two instances, one backup per scheduled time (integration)', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'tds-backups-2-'));
  });
  afterAll(async () => {
    for (const a of apps.splice(0)) await a.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every 4 seconds in two app instances: each scheduled time has exactly one backup run and one file', async () => {
    const env = {
      BACKUP_ENABLED: 'true',
      BACKUP_CRON: '*/4 * * * * *',
      BACKUP_VERIFY: 'archive',
      BACKUP_DIR: dir,
      TDS_RETENTION_ENABLED: 'false',
    };
    apps.push(await startTestApp(db.url, env), await startTestApp(db.url, env));
    const schedules = () =>
      db.query<{ scheduled_at: Date; n: number }>(
        `SELECT scheduled_at, count(*)::int AS n FROM tds.backup_runs WHERE trigger = 'schedule' AND status = 'succeeded' GROUP BY 1 ORDER BY 1`,
      );
    const deadline = Date.now() + 45_000;
    while ((await schedules()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    for (const a of apps.splice(0)) await a.close();
    const runs = await schedules();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.n === 1)).toBe(true);
    const all = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tds.backup_runs WHERE trigger = 'schedule'`);
    const files = readdirSync(dir).filter((f) => f.endsWith('.dump'));
    expect(files.length).toBe(all[0].n);
    const jobRuns = await db.query<{ scheduled_at: Date }>(`SELECT scheduled_at FROM tds.job_runs WHERE job = 'tds.backup' ORDER BY 1`);
    expect(jobRuns.map((r) => r.scheduled_at.toISOString())).toEqual(
      (await db.query<{ scheduled_at: Date }>(`SELECT scheduled_at FROM tds.backup_runs WHERE trigger = 'schedule' ORDER BY 1`)).map((r) =>
        r.scheduled_at.toISOString(),
      ),
    );
  });
});
