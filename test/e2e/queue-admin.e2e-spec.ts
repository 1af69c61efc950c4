import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'admin-e2e-webhook-key';
const ADMIN = 'admin-key-0123456789';

describe('operator API (formerly /queue/*, now /dashboard): stats, event detail, manual retry (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: KEY, ADMIN_API_KEYS: `old-admin-key-1,${ADMIN}` });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('needs an admin key: 401 without one, 403 with a wrong one; Bearer and X-API-Key work too', async () => {
    const none = await request(t.server).get('/dashboard/queue-stats');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('ADMIN_KEY_REQUIRED');
    const wrong = await request(t.server).get('/dashboard/queue-stats').set('X-Admin-Key', 'nope');
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ code: 'ADMIN_AUTH_FAILED', message: 'Invalid admin key' });
    await request(t.server).get('/dashboard/queue-stats').set('Authorization', `Bearer ${ADMIN}`).expect(200);
    await request(t.server).get('/dashboard/queue-stats').set('X-API-Key', ADMIN).expect(200);
  });

  it('a dead-lettered event is visible with its attempts and can be retried to success', async () => {
    const bad = await request(t.server)
      .post('/webhooks/invoices')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send('{"invoice":{"invoice_id":"880001","total":"not-a-number","last_modified_time":"2026-11-28T10:00:00+0300"}}')
      .expect(202);
    await t.app.get(QueueWorker).drainOnce();

    const stats = await request(t.server).get('/dashboard/queue-stats').set('X-Admin-Key', ADMIN).expect(200);
    expect(stats.body.totals.deadLetter.count).toBe(1);
    const detail = await request(t.server).get(`/dashboard/events/${bad.body.eventId}`).set('X-Admin-Key', ADMIN).expect(200);
    expect(detail.body).toMatchObject({ status: 'dead_letter', attempts: 1, lastErrorCode: 'INVALID_PAYLOAD', entityId: '880001' });
    expect(detail.body.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'dead_letter', error: expect.stringMatching(/invoice\.total/) }),
    ]);

    // Retrying a completed or unknown event is refused clearly.
    await request(t.server).post('/dashboard/dead-letter/999999/retry').set('X-Admin-Key', ADMIN).expect(404);
    await request(t.server).post('/dashboard/dead-letter/abc/retry').set('X-Admin-Key', ADMIN).expect(400);
    // the interim routes are gone (one implementation)
    await request(t.server).get('/queue/stats').set('X-Admin-Key', ADMIN).expect(404);
    await request(t.server).post(`/queue/events/${bad.body.eventId}/retry`).set('X-Admin-Key', ADMIN).expect(404);

    // Fix the data the way an operator would (here: the stored record), then retry.
    await db.query(`UPDATE tds.events SET payload = jsonb_set(payload, '{total}', '"125.50"') WHERE id = $1`, [bad.body.eventId]);
    await request(t.server).post(`/dashboard/dead-letter/${bad.body.eventId}/retry`).set('X-Admin-Key', ADMIN).expect(202);
    await t.app.get(QueueWorker).drainOnce();
    const after = await request(t.server).get(`/dashboard/events/${bad.body.eventId}`).set('X-Admin-Key', ADMIN).expect(200);
    expect(after.body).toMatchObject({ status: 'completed', outcome: 'applied' });
    expect((await db.query(`SELECT total::text FROM erp.invoices WHERE zoho_invoice_id = '880001'`))[0]).toEqual({ total: '125.50' });
    const again = await request(t.server).post(`/dashboard/dead-letter/${bad.body.eventId}/retry`).set('X-Admin-Key', ADMIN);
    expect(again.status).toBe(409);
  });
});

describe('operator API without ADMIN_API_KEYS (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('is closed, not open', async () => {
    for (const [method, path] of [
      ['get', '/dashboard/queue-stats'],
      ['get', '/dashboard/recent-events'],
      ['post', '/dashboard/dead-letter/retry'],
      ['get', '/dashboard/audit'],
    ] as const) {
      const res = await request(t.server)[method](path).set('X-Admin-Key', 'anything');
      expect(res.status, path).toBe(403);
      expect(res.body.message).toMatch(/ADMIN_API_KEYS/);
    }
  });
});
