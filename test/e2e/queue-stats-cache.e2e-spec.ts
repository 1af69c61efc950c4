import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const OPS = 'ops-key-0123456789';
const HOOK = 'hook-key-0123456789';

/**
 * GET /dashboard/queue-stats under polling (issue 12): the 24-hour figures are counted at most once per
 * DASHBOARD_STATS_CACHE_S and shared by every caller; the unfinished figures stay live.
 */
describe('queue-stats: 24-hour figures shared by pollers (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const stats = async () =>
    (await request(t.server).get('/dashboard/queue-stats').set('Authorization', `Bearer ${OPS}`).expect(200)).body as {
      totals: { pending: { count: number } };
      retryHistogram: { attempts: number; count: number }[];
      last24hAsOf: string;
    };
  const histogramTotal = (s: Awaited<ReturnType<typeof stats>>) => s.retryHistogram.reduce((n, b) => n + b.count, 0);
  const webhook = (id: string) =>
    request(t.server)
      .post('/webhooks/contacts')
      .set('X-Webhook-Key', HOOK)
      .set('Content-Type', 'application/json')
      .send(`{"contact":{"contact_id":"${id}","contact_name":"Dar Al-Salam","last_modified_time":"2026-12-01T09:00:00+0300"}}`)
      .expect(202);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: HOOK, ADMIN_API_KEYS: `ops:${OPS}`, DASHBOARD_STATS_CACHE_S: '2' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('reuses one count for DASHBOARD_STATS_CACHE_S while the unfinished figures move at once', async () => {
    const first = await stats();
    expect(first.totals.pending.count).toBe(0);
    expect(histogramTotal(first)).toBe(0);

    await webhook('4600001');
    const second = await stats();
    expect(second.totals.pending.count).toBe(1); // live
    expect(histogramTotal(second)).toBe(0); // the shared count of a moment ago
    expect(second.last24hAsOf).toBe(first.last24hAsOf);

    const expires = Date.parse(first.last24hAsOf) + 2000;
    await new Promise((r) => setTimeout(r, Math.max(0, expires - Date.now()) + 50));
    // several pollers at once after expiry: one new count, shared by all
    const burst = await Promise.all([stats(), stats(), stats(), stats()]);
    expect(new Set(burst.map((b) => b.last24hAsOf)).size).toBe(1);
    expect(Date.parse(burst[0].last24hAsOf)).toBeGreaterThan(Date.parse(first.last24hAsOf));
    expect(burst.map(histogramTotal)).toEqual([1, 1, 1, 1]);
  });
});

/**
 * The live counts (by status on /dashboard/metrics, unfinished by type on /dashboard/queue-stats) read every waiting
 * event: during a backlog each count costs, so every caller shares one count per DASHBOARD_LIVE_CACHE_MS (issue 15).
 */
describe('live queue counts shared by pollers (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const LIVE_MS = 5000;
  const get = async (path: string) =>
    (await request(t.server).get(path).set('Authorization', `Bearer ${OPS}`).expect(200)).body as {
      totals?: { pending: { count: number } };
      queue?: { pending: { count: number } };
    };
  const pendingOnMetrics = async () => (await get('/dashboard/metrics')).queue!.pending.count;
  const pendingOnStats = async () => (await get('/dashboard/queue-stats')).totals!.pending.count;
  const webhook = (id: string) =>
    request(t.server)
      .post('/webhooks/contacts')
      .set('X-Webhook-Key', HOOK)
      .set('Content-Type', 'application/json')
      .send(`{"contact":{"contact_id":"${id}","contact_name":"Souq Al-Shorja","last_modified_time":"2026-12-01T09:00:00+0300"}}`)
      .expect(202);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: HOOK, ADMIN_API_KEYS: `ops:${OPS}`, DASHBOARD_LIVE_CACHE_MS: String(LIVE_MS) });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('both routes answer from one count for DASHBOARD_LIVE_CACHE_MS, then count again', async () => {
    const countedBefore = Date.now();
    expect(await pendingOnMetrics()).toBe(0);
    expect(await pendingOnStats()).toBe(0);
    await webhook('4600002');
    const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM tds.events WHERE status = 'pending'`);
    expect(Number(n)).toBe(1);
    // Within the period: the counts of a moment ago (checked when the requests above took < 4.5 s).
    if (Date.now() - countedBefore < LIVE_MS - 500) {
      expect(await pendingOnMetrics()).toBe(0);
      expect(await pendingOnStats()).toBe(0);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, countedBefore + LIVE_MS - Date.now()) + 100));
    expect(await pendingOnMetrics()).toBe(1);
    expect(await pendingOnStats()).toBe(1);
  });
});
