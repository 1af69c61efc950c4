import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitoringService } from '../../src/modules/monitoring/monitoring.service';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'dash-metrics-webhook-key';
const ADMIN = 'dash-metrics-admin-key-0123';

/** GET /dashboard/metrics (live queue + the newest snapshot) and the snapshot series of GET /dashboard/queue-stats. */
describe('dashboard metrics and the queue time series (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const get = (path: string) => request(t.server).get(path).set('Authorization', `Bearer ${ADMIN}`);
  const post = (path: string, body: string) =>
    request(t.server).post(path).set('Content-Type', 'application/json').set('X-Webhook-Key', KEY).send(body).expect(202);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: KEY, ADMIN_API_KEYS: ADMIN });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('before any snapshot: the live queue, and null figures that say so', async () => {
    await post(
      '/webhooks/contacts',
      '{"contact":{"contact_id":"91001","contact_name":"Zaid","last_modified_time":"2026-11-30T10:00:00+0300"}}',
    );
    const res = await get('/dashboard/metrics').expect(200);
    expect(res.body.queue.pending.count).toBe(1);
    expect(res.body).toMatchObject({ snapshotAt: null, window: null, freshness: [], liveWorkers: null, database: null });
    expect((await request(t.server).get('/dashboard/metrics')).status).toBe(401);
  });

  it('after a monitoring run: throughput, latency, freshness, alerts, workers and database from the snapshot; the series grows', async () => {
    await post('/webhooks/invoices', '{"invoice":{"invoice_id":"91002","total":"bad","last_modified_time":"2026-11-30T10:00:00+0300"}}');
    await t.app.get(QueueWorker).drainOnce();
    const monitoring = t.app.get(MonitoringService);
    await monitoring.runOnce();

    const res = await get('/dashboard/metrics').expect(200);
    expect(res.body.queue).toMatchObject({ pending: { count: 0 }, deadLetter: { count: 1 } });
    expect(res.body.snapshotAgeSeconds).toBeLessThan(60);
    expect(res.body.window).toMatchObject({ minutes: 15, attempts: 2, failedAttempts: 1, failureRate: 0.5 });
    expect(res.body.window.throughputPerMinute).toBeGreaterThan(0);
    expect(res.body.freshness).toEqual([expect.objectContaining({ entityType: 'contact', lastAppliedAt: expect.any(String) })]);
    expect(res.body.openAlerts).toEqual(expect.objectContaining({ critical: expect.any(Number), warning: expect.any(Number) }));
    expect(res.body.database.connectionsMax).toBeGreaterThan(0);

    await monitoring.runOnce();
    const stats = await get('/dashboard/queue-stats?hours=1').expect(200);
    expect(stats.body.series).toHaveLength(2);
    expect(stats.body.series[1]).toMatchObject({ pending: 0, deadLetter: 1, failureRate: 0.5 });
    expect(new Date(stats.body.series[0].takenAt).getTime()).toBeLessThanOrEqual(new Date(stats.body.series[1].takenAt).getTime());
    // Snapshots older than the window asked for are left out.
    await db.query(
      `UPDATE tds.metrics_snapshots SET taken_at = taken_at - interval '3 hours' WHERE id = (SELECT min(id) FROM tds.metrics_snapshots)`,
    );
    expect((await get('/dashboard/queue-stats?hours=2').expect(200)).body.series).toHaveLength(1);
    expect((await get('/dashboard/queue-stats').expect(200)).body.series).toHaveLength(2);
  });

  it('a malformed hours is a 400 naming it', async () => {
    for (const bad of ['0', '721', 'abc', '1.5']) {
      const res = await get(`/dashboard/queue-stats?hours=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.message).toMatch(/hours/);
    }
  });
});
