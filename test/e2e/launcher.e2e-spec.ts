import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService, ServiceProcess } from '../support/service-process';

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
});
