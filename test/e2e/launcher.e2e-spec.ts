import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/test-database';
import { freePort } from '../../src/common/net/free-port';
import { startService, ServiceProcess } from '../support/service-process';

/** Connects to the embedded cluster a service left in `dataDir` (while that cluster runs). */
async function embeddedClient(dataDir: string): Promise<Client> {
  const { port } = JSON.parse(readFileSync(join(dataDir, 'embedded-postgres.json'), 'utf8')) as { port: number };
  const password = readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim();
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'tds' });
  await client.connect();
  return client;
}

/** Postgres processes whose command line mentions this data folder. */
function postgresProcessesFor(dir: string): string[] {
  try {
    return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('postgres') && l.includes(dir));
  } catch {
    return [];
  }
}

describe('launcher: one command on a fresh machine (child process, embedded PostgreSQL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tds-launcher-'));
  chmodSync(dir, 0o755);
  const running: ServiceProcess[] = [];
  const env = { TDS_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', TDS_ROLE: 'all', HEALTH_REQUIRE_WORKER: 'true' };

  afterAll(async () => {
    for (const s of running) await s.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts API + worker on an embedded PostgreSQL, serves /health and /docs, prints a generated key; SIGTERM exits 0 leaving no postgres', async () => {
    const svc = await startService(env, { path: '/health' });
    running.push(svc);
    const health = await fetch(`${svc.baseUrl}/health`);
    expect(health.status, `${await health.clone().text()}\n${svc.output()}`).toBe(200);
    const body = (await health.json()) as { details: Record<string, { status: string }> };
    expect(Object.keys(body.details)).toEqual(expect.arrayContaining(['database', 'queue', 'workers']));
    expect((await fetch(`${svc.baseUrl}/docs`)).status).toBe(200);
    const key = readFileSync(join(dir, 'data', 'webhook-api-key'), 'utf8').trim();
    expect(svc.output()).toContain(`X-Webhook-Key: ${key}`);
    // No ADMIN_API_KEYS outside production: an admin key is generated, kept, printed with the UI's URL, and works.
    const adminKey = readFileSync(join(dir, 'data', 'admin-api-key'), 'utf8').trim();
    expect(adminKey.length).toBeGreaterThanOrEqual(32);
    expect(svc.output()).toContain(`admin key: ${adminKey}`);
    // The same address as the `operator web UI:` line, with its slash (the one the UI's links are relative to).
    expect(svc.output()).toContain(`web UI:    ${svc.baseUrl}/ui/`);
    expect((await fetch(`${svc.baseUrl}/dashboard/queue-stats`, { headers: { Authorization: `Bearer ${adminKey}` } })).status).toBe(200);
    expect((await fetch(`${svc.baseUrl}/dashboard/queue-stats`)).status).toBe(401);

    // The printed curl works: the event is accepted and applied by the in-process worker.
    const res = await fetch(`${svc.baseUrl}/webhooks/contacts?event=created`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Webhook-Key': key },
      body: '{"contact":{"contact_id":"460000000026049","contact_name":"Bagdad Trading","contact_type":"customer","last_modified_time":"2026-11-28T10:00:00+0300"}}',
    });
    expect(res.status, svc.output()).toBe(202);

    expect(postgresProcessesFor(join(dir, 'data'))).not.toHaveLength(0);
    expect(await svc.stop(), svc.output()).toBe(0);
    expect(postgresProcessesFor(join(dir, 'data'))).toHaveLength(0);
    expect(existsSync(join(dir, 'data', 'postgres', 'PG_VERSION'))).toBe(true);
  });

  it('a second start reuses the data (the event applied before is still there) and survives an earlier SIGKILL', async () => {
    const svc = await startService(env);
    running.push(svc);
    await svc.kill9(); // leaves an orphaned postmaster behind
    const again = await startService(env);
    running.push(again);
    const key = readFileSync(join(dir, 'data', 'webhook-api-key'), 'utf8').trim();
    const dup = await fetch(`${again.baseUrl}/webhooks/contacts?event=created`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Webhook-Key': key },
      body: '{"contact":{"contact_id":"460000000026049","contact_name":"Bagdad Trading","contact_type":"customer","last_modified_time":"2026-11-28T10:00:00+0300"}}',
    });
    expect(((await dup.json()) as { status: string }).status).toBe('duplicate');
    expect(await again.stop(), again.output()).toBe(0);
    expect(postgresProcessesFor(join(dir, 'data'))).toHaveLength(0);
  });

  it('SIGTERM while a request is still arriving: the request is cut after HTTP_REQUEST_TIMEOUT_MS, the stop is recorded in tds.workers, exit 0', async () => {
    // embedded-postgres used to stop the cluster and exit 143 on its own SIGTERM handler while the app was still
    // closing (here: waiting for the in-flight request), so the worker row was never marked stopped.
    const svc = await startService({ ...env, HTTP_REQUEST_TIMEOUT_MS: '3000' });
    running.push(svc);
    const key = readFileSync(join(dir, 'data', 'webhook-api-key'), 'utf8').trim();
    const sock = connect(svc.port, '127.0.0.1');
    let answer = '';
    sock.on('data', (d) => (answer += d.toString()));
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      `POST /webhooks/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Webhook-Key: ${key}\r\nContent-Length: 100\r\n\r\n{"contact":`,
    );
    await new Promise((r) => setTimeout(r, 200));
    svc.proc.kill('SIGTERM');
    const started = Date.now();
    const code = await Promise.race([svc.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    sock.destroy();
    expect(code, svc.output()).toBe(0);
    expect(Date.now() - started, 'the app waited for the request (HTTP_REQUEST_TIMEOUT_MS)').toBeGreaterThan(1500);
    expect(answer, 'never accepted').not.toMatch(/^HTTP\/1\.1 202/);
    expect(svc.output()).toContain('stopped');
    expect(postgresProcessesFor(join(dir, 'data'))).toHaveLength(0);

    // After a restart the stopped process is not counted as a live worker.
    const again = await startService(env, { path: '/health' });
    running.push(again);
    const pg = await embeddedClient(join(dir, 'data'));
    try {
      const { rows } = await pg.query<{ stopped: boolean }>('SELECT stopped_at IS NOT NULL AS stopped FROM tds.workers WHERE pid = $1', [
        svc.proc.pid,
      ]);
      expect(rows, svc.output()).toEqual([{ stopped: true }]);
    } finally {
      await pg.end();
    }
    expect(await again.stop(), again.output()).toBe(0);
  });

  it('a second process on the same embedded PostgreSQL (npm run start:worker beside start:api) stops with one line, no stack trace', async () => {
    const first = await startService(env, { path: '/health' });
    running.push(first);
    try {
      const second = await startService({ ...env, TDS_ROLE: 'worker' }, { waitReady: false });
      running.push(second);
      expect(await second.exited).toBe(1);
      const out = second.output();
      expect(out).toMatch(/startup failed: The embedded PostgreSQL in .* is in use by another TDS process/);
      expect(out).toContain('DATABASE_URL');
      expect(out, 'no stack trace').not.toMatch(/\n\s+at /);
      // The first one is untouched.
      expect((await fetch(`${first.baseUrl}/health`)).status).toBe(200);
    } finally {
      await first.stop();
    }
  });

  it('a port already in use stops the start with one line naming the port and API_PORT, before anything claims to have started', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    try {
      const svc = await startService({ ...env, API_PORT: String(port) }, { waitReady: false });
      running.push(svc);
      expect(await svc.exited).toBe(1);
      const out = svc.output();
      expect(out).toContain(`port ${port} is already in use`);
      expect(out).toContain('API_PORT');
      expect(out).not.toMatch(/started|listening on http|embedded PostgreSQL listening/i);
      expect(out, 'no stack trace').not.toMatch(/\n\s+at /);
    } finally {
      squatter.close();
    }
  });

  it('with API_BASE_PATH=/tds the printed URLs answer', async () => {
    const db = await createTestDatabase();
    try {
      const svc = await startService({
        DATABASE_URL: db.url,
        WEBHOOK_API_KEYS: 'printed-url-key',
        API_BASE_PATH: '/tds',
        HEALTH_REQUIRE_WORKER: 'false',
      });
      running.push(svc);
      const printed = /API listening on (http:\/\/\S+)(?: \(docs: (\S+)\))?/.exec(svc.output());
      expect(printed, svc.output()).not.toBeNull();
      const url = new URL(printed![1]);
      expect(url.pathname).toBe('/tds');
      const root = await fetch(`http://127.0.0.1:${url.port}${url.pathname}`);
      expect(root.status).toBe(200);
      expect(await root.json()).toEqual({ status: 'up' });
      expect((await fetch(`http://127.0.0.1:${url.port}${printed![2]}`)).status).toBe(200);
      // the web UI's printed URL opens the built page, with its assets resolved under the prefix
      const ui = /operator web UI: (http:\/\/\S+)/.exec(svc.output());
      expect(ui, svc.output()).not.toBeNull();
      expect(ui![1]).toBe(`http://127.0.0.1:${url.port}/tds/ui/`);
      const page = await fetch(ui![1]);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<base href="/tds/ui/" />');
      expect(await svc.stop()).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('one log format from the first line to the last: every line is pino JSON, and Nest wiring is not at info', async () => {
    const db = await createTestDatabase();
    try {
      const svc = await startService({
        DATABASE_URL: db.url,
        WEBHOOK_API_KEYS: 'k',
        LOG_LEVEL: 'info',
        TDS_ROLE: 'all',
        HEALTH_REQUIRE_WORKER: 'false',
      });
      running.push(svc);
      expect(await svc.stop()).toBe(0);
      const lines = svc
        .output()
        .split('\n')
        .filter((l) => l.trim());
      const parsed = lines.map((l) => {
        try {
          return JSON.parse(l) as { level: number; context?: string; msg: string };
        } catch {
          throw new Error(`not a JSON log line: ${l}\n${svc.output()}`);
        }
      });
      const launcher = parsed.filter((l) => l.context === 'Launcher').map((l) => l.msg);
      expect(launcher[0]).toMatch(/starting \(role=all/);
      expect(launcher).toEqual(expect.arrayContaining([expect.stringMatching(/^API listening on/), 'stopped']));
      expect(
        parsed.filter((l) =>
          ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication'].includes(l.context ?? ''),
        ),
        svc.output(),
      ).toEqual([]);
      expect(lines.length, svc.output()).toBeLessThan(20);
    } finally {
      await db.drop();
    }
  });

  it('a bad configuration stops the start with one message listing every bad key', async () => {
    const svc = await startService(
      { ...env, API_PORT: '99999', TDS_BATCH_SIZE: 'lots', LOG_FORMAT: 'xml', DATABASE_URL: 'mysql://x' },
      { waitReady: false },
    );
    running.push(svc);
    const code = await svc.exited;
    expect(code).toBe(78);
    const out = svc.output();
    expect(out).toMatch(/Invalid configuration \(4 problems\)/);
    for (const key of ['API_PORT', 'TDS_BATCH_SIZE', 'LOG_FORMAT', 'DATABASE_URL']) expect(out).toContain(`${key}=`);
  });

  it('production refuses to start without webhook credentials', async () => {
    const svc = await startService({ ...env, ENVIRONMENT: 'production' }, { waitReady: false });
    running.push(svc);
    expect(await svc.exited).toBe(78);
    expect(svc.output()).toMatch(/WEBHOOK_API_KEYS or ZOHO_WEBHOOK_SECRETS must be set in production/);
  });

  it('production without ADMIN_API_KEYS generates no admin key: the admin routes answer 403', async () => {
    const db = await createTestDatabase();
    const prodDir = join(dir, 'prod-data');
    try {
      const svc = await startService({
        ENVIRONMENT: 'production',
        TDS_DATA_DIR: prodDir,
        DATABASE_URL: db.url,
        WEBHOOK_API_KEYS: 'prod-hook-key',
        TDS_ROLE: 'api',
        HEALTH_REQUIRE_WORKER: 'false',
      });
      running.push(svc);
      const res = await fetch(`${svc.baseUrl}/dashboard/queue-stats`, { headers: { 'X-Admin-Key': 'anything' } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('ADMIN_API_DISABLED');
      expect(existsSync(join(prodDir, 'admin-api-key'))).toBe(false);
      expect(svc.output()).not.toMatch(/admin key:/);
      expect(await svc.stop()).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
