import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startService, ServiceProcess } from '../support/service-process';

const ROOT = resolve(__dirname, '../..');
const requireTools = process.env.TDS_TEST_REQUIRE_TOOLS === '1';
const hasPsql = spawnSync('psql', ['--version']).status === 0;
/** Skipped tests say why in their name; under TDS_TEST_REQUIRE_TOOLS=1 (.ci/run) a missing psql fails them instead. */
const needsPsql = hasPsql ? '' : ' [skipped: psql not installed, apt-get install postgresql-client-15]';

/** `npm run db:psql -- <args>` as an operator runs it, from the checkout, with only these variables set. */
function dbPsql(env: Record<string, string>, args: string[], path = process.env.PATH ?? '') {
  const res = spawnSync('npm', ['run', '--silent', 'db:psql', '--', ...args], {
    cwd: ROOT,
    env: { PATH: path, HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('embedded PostgreSQL: a stable port, and npm run db:psql on whichever database the service uses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tds-db-psql-'));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const embeddedEnv = { TDS_DATA_DIR: dataDir, DATABASE_URL: '', TDS_ROLE: 'api', HEALTH_REQUIRE_WORKER: 'false' };
  const running: ServiceProcess[] = [];
  let db: TestDatabase;
  let blocker: Server | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const s of running) await s.stop();
    blocker?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const portFile = join(dataDir, 'embedded-postgres.port');

  it('the port is remembered under the data folder and reused; when another process holds it a new one is picked and remembered', async () => {
    const first = await startService(embeddedEnv);
    running.push(first);
    const port = Number(readFileSync(portFile, 'utf8'));
    expect(port).toBeGreaterThan(0);
    expect(await first.stop()).toBe(0);

    const second = await startService(embeddedEnv);
    running.push(second);
    expect(JSON.parse(readFileSync(join(dataDir, 'embedded-postgres.json'), 'utf8')).port).toBe(port);
    expect(await second.stop()).toBe(0);

    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(port, '127.0.0.1', () => r()));
    const third = await startService(embeddedEnv);
    running.push(third);
    const moved = Number(readFileSync(portFile, 'utf8'));
    expect(moved).not.toBe(port);
    expect(JSON.parse(readFileSync(join(dataDir, 'embedded-postgres.json'), 'utf8')).port).toBe(moved);
    await new Promise((r) => blocker!.close(r));
    blocker = undefined;
    // `third` keeps running for the psql test below.
  }, 180_000);

  it.skipIf(!hasPsql && !requireTools)(
    `db:psql reaches the running embedded cluster (port and password from the data folder)${needsPsql}`,
    async () => {
      const svc = running[running.length - 1]; // the last service of the test above, still running
      expect(svc.proc.exitCode).toBeNull();
      const port = Number(readFileSync(portFile, 'utf8'));
      const res = dbPsql({ TDS_DATA_DIR: dataDir }, [
        '-XAtc',
        "SELECT current_database() || ' ' || inet_server_port() || ' ' || count(*) FROM tds.events",
      ]);
      expect(res.stderr).toContain(`(embedded PostgreSQL in ${dataDir})`);
      expect(res.stdout.trim(), res.stderr).toBe(`tds ${port} 0`);
      expect(res.status).toBe(0);
      // The password is in PGPASSWORD, not on psql's command line (ps would show it).
      expect(res.stderr).not.toContain(readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim());
      expect(await svc.stop()).toBe(0);

      const stopped = dbPsql({ TDS_DATA_DIR: dataDir }, ['-XAtc', 'SELECT 1']);
      expect(stopped.status).toBe(1);
      expect(stopped.stderr).toContain('is not running: start the service (npm start) first, or set DATABASE_URL');
    },
  );

  it.skipIf(!hasPsql && !requireTools)(`db:psql uses DATABASE_URL when set, psql's exit code is the command's${needsPsql}`, async () => {
    const url = new URL(db.url);
    const res = dbPsql({ DATABASE_URL: db.url }, ['-XAtc', 'SELECT current_database()']);
    expect(res.stdout.trim(), res.stderr).toBe(url.pathname.slice(1));
    expect(res.stderr).toContain('(DATABASE_URL)');
    const bad = dbPsql({ DATABASE_URL: db.url }, ['-XAtc', 'SELECT * FROM no_such_table']);
    expect(bad.status).not.toBe(0);
  });

  it('without psql on PATH: a clear message naming postgresql-client, exit 127', async () => {
    // PATH holds only node (npm is run by its absolute path): psql cannot be found.
    const nodeOnly = join(dir, 'node-only');
    mkdirSync(nodeOnly, { recursive: true });
    if (!existsSync(join(nodeOnly, 'node'))) symlinkSync(process.execPath, join(nodeOnly, 'node'));
    const res = spawnSync(process.execPath, [join(ROOT, 'scripts/db-psql.mjs'), '-c', 'SELECT 1'], {
      cwd: ROOT,
      env: { PATH: nodeOnly, HOME: process.env.HOME ?? '/tmp', DATABASE_URL: db.url },
      encoding: 'utf8',
    });
    expect(res.stderr).toContain('psql is not installed');
    expect(res.stderr).toContain('postgresql-client-15');
    expect(res.status).toBe(127);
  });
});
