import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startService, ServiceProcess } from '../support/service-process';

/**
 * What probes leave in the log (child process, info-level JSON logs as an operator's collector receives them): no
 * access line per probe, and a failing probe is logged when what fails changes, not on every probe.
 */
describe('health probes in the log (child process, e2e)', () => {
  let db: TestDatabase;
  let svc: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    // An API-only process with no worker anywhere: /health fails on "workers" until a heartbeat appears.
    svc = await startService({ DATABASE_URL: db.url, LOG_LEVEL: 'info', LOG_FORMAT: 'json', TDS_ROLE: 'api' });
  });
  afterAll(async () => {
    await svc?.stop();
    await db?.drop();
  });

  const lines = () =>
    svc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; req?: { url?: string } });
  const status = async (path: string) => (await fetch(`${svc.baseUrl}${path}`)).status;

  it('one warning when /health starts failing, one line when it recovers, nothing per probe', async () => {
    const before = lines().length;
    for (let i = 0; i < 6; i++) expect(await status('/health')).toBe(503);
    expect(await status('/health/live')).toBe(200);
    expect(await status('/ping')).toBe(200);
    expect(await status('/')).toBe(200); // an access-logged route, to know the log has caught up below
    await expect.poll(() => lines().some((l) => l.req?.url === '/'), { timeout: 5000 }).toBe(true);

    const probeLines = () =>
      lines()
        .slice(before)
        .filter((l) => /health|ping/i.test(JSON.stringify(l)));
    const failing = probeLines();
    expect(failing.map((l) => l.msg)).toEqual(['/health is failing (workers): workers: no worker heartbeat in the last 30s']);
    expect(failing[0].level).toBe(40);

    // A worker heartbeat appears: the next probe is healthy, and that is said once.
    await db.query(
      `INSERT INTO tds.workers (worker_id, role, hostname, pid, version, last_heartbeat_at)
       VALUES ('test-worker', 'worker', 'test', 0, 'test', now() + interval '1 hour')`,
    );
    // (seen within HEALTH_CHECK_CACHE_MS, 1 s, plus one check: the probes share their database checks)
    await expect.poll(() => status('/health'), { timeout: 4000, interval: 100 }).toBe(200);
    for (let i = 0; i < 3; i++) expect(await status('/health')).toBe(200);
    await expect.poll(() => probeLines().length, { timeout: 5000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(probeLines().map((l) => l.msg)).toEqual([
      '/health is failing (workers): workers: no worker heartbeat in the last 30s',
      '/health is healthy again (was failing: workers)',
    ]);
  });
});
