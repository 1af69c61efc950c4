import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The monitoring job on its cron in two app instances sharing one database (each its own pools and job sessions):
 * one run — one snapshot — per scheduled time, recorded in tds.job_runs.
 */
describe('monitoring job schedule (integration, two instances)', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await db?.drop();
  });

  it('two instances on a every-second cron: exactly one monitoring run and one snapshot per scheduled time', async () => {
    const env = { TDS_MONITORING_ENABLED: 'true', TDS_MONITORING_CRON: '* * * * * *' };
    apps.push(await startTestApp(db.url, env), await startTestApp(db.url, env));
    const runs = () =>
      db.query<{ id: string; scheduled_at: Date; status: string; detail: string | null; error: string | null }>(
        `SELECT id::text, scheduled_at, status, detail, error FROM tds.job_runs WHERE job = 'monitoring.snapshot' AND status <> 'running' ORDER BY scheduled_at`,
      );
    await expect.poll(async () => (await runs()).length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(3);
    // The runs that ended while both instances were up must all have succeeded.
    const before = await runs();
    expect(before.filter((r) => r.status !== 'succeeded')).toEqual([]);
    for (const a of apps.splice(0)) await a.close();

    // A run in flight when its instance stops may end failed (its connection closed under it): only those may.
    const done = await runs();
    const ended = new Set(before.map((r) => r.id));
    const [{ running }] = await db.query<{ running: number }>(
      `SELECT count(*)::int AS running FROM tds.job_runs WHERE job = 'monitoring.snapshot' AND status = 'running'`,
    );
    expect(running).toBe(0);
    expect(done.filter((r) => ended.has(r.id) && r.status !== 'succeeded')).toEqual([]);
    const snapshots = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tds.metrics_snapshots');
    expect(new Set(done.map((r) => r.scheduled_at.getTime())).size).toBe(done.length);
    expect(snapshots[0].n).toBe(done.filter((r) => r.status === 'succeeded').length);
    expect(done[0].detail).toMatch(/^pending=0 dead_letter=0 live_workers=0 alerts critical=1 warning=0 in \d+ms$/);
  });
});
