import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MonitoringService } from '../../src/modules/monitoring/monitoring.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const ADMIN = 'alerts-admin-key-0123456789';

describe('alert routes and /health (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;

  const insertAlert = async (rule: string, status: 'open' | 'acknowledged' | 'resolved', severity = 'warning') =>
    (
      await db.query<{ id: string }>(
        `INSERT INTO tds.alerts (rule, title, severity, status, value, threshold, unit, summary, resolved_at)
         VALUES ($1, 'Pending queue above 500 events', $3, $2, 600, 500, 'events', 'Pending queue is 600 events',
                 CASE WHEN $2 = 'resolved' THEN now() END)
         RETURNING id::text`,
        [rule, status, severity],
      )
    )[0].id;
  const admin = (req: request.Test) => req.set('Authorization', `Bearer ${ADMIN}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      ADMIN_API_KEYS: `ops:${ADMIN}`,
      HEALTH_REQUIRE_WORKER: 'true',
      TDS_WORKER_HEARTBEAT_TIMEOUT_S: '60',
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.alerts, tds.workers');
  });

  it('needs an admin key: 401 without one, 403 with a wrong one', async () => {
    const none = await request(t.server).get('/dashboard/alerts');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('ADMIN_KEY_REQUIRED');
    await request(t.server).get('/dashboard/alerts').set('X-API-Key', 'wrong').expect(403);
    await request(t.server).post('/dashboard/alerts/1/acknowledge').expect(401);
    await request(t.server).post('/dashboard/alerts/1/acknowledge').set('X-Admin-Key', 'wrong').expect(403);
    await request(t.server).get('/dashboard/alerts').set('X-API-Key', ADMIN).expect(200);
  });

  it('lists alerts newest first, filtered by status; a bad status or limit is a 400 naming it', async () => {
    const a = await insertAlert('queue_backlog', 'resolved');
    const b = await insertAlert('dead_letter_queue', 'acknowledged');
    const c = await insertAlert('queue_backlog', 'open', 'critical');
    const all = await admin(request(t.server).get('/dashboard/alerts')).expect(200);
    expect(all.body.alerts.map((x: { id: string }) => x.id)).toEqual([c, b, a]);
    expect(all.body.alerts[0]).toMatchObject({
      id: c,
      rule: 'queue_backlog',
      severity: 'critical',
      status: 'open',
      value: 600,
      threshold: 500,
      unit: 'events',
      occurrences: 1,
      action: expect.stringContaining('workers'),
      acknowledgedBy: null,
      resolvedAt: null,
    });
    for (const [status, id] of [
      ['open', c],
      ['acknowledged', b],
      ['resolved', a],
    ]) {
      const res = await admin(request(t.server).get(`/dashboard/alerts?status=${status}`)).expect(200);
      expect(res.body.alerts.map((x: { id: string }) => x.id)).toEqual([id]);
    }
    expect((await admin(request(t.server).get('/dashboard/alerts?limit=2')).expect(200)).body.alerts).toHaveLength(2);

    const bad = await admin(request(t.server).get('/dashboard/alerts?status=closed')).expect(400);
    expect(bad.body).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/status must be one of: open, acknowledged, resolved/),
    });
    expect(bad.body.requestId).toBeTruthy();
    const badLimit = await admin(request(t.server).get('/dashboard/alerts?limit=0')).expect(400);
    expect(badLimit.body.message).toMatch(/limit/);
    await admin(request(t.server).get('/dashboard/alerts?color=red')).expect(400);
  });

  it('acknowledges an open alert once (who and when recorded); 404 for an unknown id, 409 for a resolved one', async () => {
    const open = await insertAlert('queue_backlog', 'open');
    const res = await admin(request(t.server).post(`/dashboard/alerts/${open}/acknowledge`))
      .send({ note: 'scaling workers' })
      .expect(200);
    expect(res.body).toMatchObject({ id: open, status: 'acknowledged', acknowledgedBy: 'ops', acknowledgeNote: 'scaling workers' });
    expect(new Date(res.body.acknowledgedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [row] = await db.query<{ status: string; acknowledged_by: string; acknowledge_note: string }>(
      'SELECT status, acknowledged_by, acknowledge_note FROM tds.alerts WHERE id = $1',
      [open],
    );
    expect(row).toEqual({ status: 'acknowledged', acknowledged_by: 'ops', acknowledge_note: 'scaling workers' });

    // Again (even without a body): answered as it is, the first acknowledgement kept.
    const again = await admin(request(t.server).post(`/dashboard/alerts/${open}/acknowledge`)).expect(200);
    expect(again.body).toMatchObject({
      status: 'acknowledged',
      acknowledgeNote: 'scaling workers',
      acknowledgedAt: res.body.acknowledgedAt,
    });

    // Each acknowledgement is an audited admin action: key name, target, result (never the key).
    const audit = await db.query<{ key_name: string; action: string; target: string; status_code: number; result: string }>(
      `SELECT key_name, action, target, status_code, result FROM tds.admin_audit WHERE action = 'alert.acknowledge' ORDER BY id`,
    );
    expect(audit).toEqual([
      { key_name: 'ops', action: 'alert.acknowledge', target: open, status_code: 200, result: 'succeeded' },
      { key_name: 'ops', action: 'alert.acknowledge', target: open, status_code: 200, result: 'succeeded' },
    ]);

    const resolved = await insertAlert('dead_letter_queue', 'resolved');
    const conflict = await admin(request(t.server).post(`/dashboard/alerts/${resolved}/acknowledge`)).expect(409);
    expect(conflict.body).toMatchObject({
      code: 'ALERT_ALREADY_RESOLVED',
      message: `Alert ${resolved} is already resolved; nothing to acknowledge`,
    });

    for (const id of ['999999', '0']) {
      const nf = await admin(request(t.server).post(`/dashboard/alerts/${id}/acknowledge`)).expect(404);
      expect(nf.body.code).toBe('ALERT_NOT_FOUND');
    }
    // A malformed id is a malformed parameter, as on the event routes (decision 0020).
    for (const id of ['abc', '1e3', '-1', '99999999999999999999']) {
      const bad = await admin(request(t.server).post(`/dashboard/alerts/${id}/acknowledge`)).expect(400);
      expect(bad.body).toMatchObject({ code: 'INVALID_PARAMETER', requestId: expect.any(String) });
      expect(bad.body.message).toMatch(/^Parameter "id" must be an alert id/);
    }
    const nulNote = await admin(request(t.server).post(`/dashboard/alerts/${open}/acknowledge`))
      .send({ note: 'a\u0000b' })
      .expect(400);
    expect(nulNote.body.message).toMatch(/^note must not contain a NUL character/);
    const badNote = await admin(request(t.server).post(`/dashboard/alerts/${open}/acknowledge`))
      .send({ note: 42 })
      .expect(400);
    expect(badNote.body.message).toMatch(/note must be a string/);
  });

  // /health's database checks are shared by probes for HEALTH_CHECK_CACHE_MS (1 s; decision 0025): a change in the
  // tables shows within two of those plus the check itself.
  const healthBecomes = (status: number) =>
    expect.poll(async () => (await request(t.server).get('/health')).status, { timeout: 4000, interval: 100 }).toBe(status);

  it('/health reports the workers down after TDS_WORKER_HEARTBEAT_TIMEOUT_S without a beat, /health/ready stays up', async () => {
    await healthBecomes(503);
    const down = await request(t.server).get('/health');
    expect(down.status).toBe(503);
    expect(down.body.error.workers.status).toBe('down');
    expect(down.body.error.workers.message).toMatch(/no worker heartbeat in the last 60s/);
    await request(t.server).get('/health/ready').expect(200);

    // 45 s since the last beat: live under a 60 s timeout (three 10 s intervals would have said down).
    await db.query(
      `INSERT INTO tds.workers (worker_id, role, hostname, pid, version, last_heartbeat_at)
       VALUES ('w1', 'worker', 'h', 1, 'v', now() - interval '45 seconds')`,
    );
    await healthBecomes(200);
    const up = await request(t.server).get('/health').expect(200);
    expect(up.body.details.workers).toMatchObject({ status: 'up', live: 1 });
    await db.query(`UPDATE tds.workers SET last_heartbeat_at = now() - interval '61 seconds'`);
    await healthBecomes(503);
    await request(t.server).get('/health/ready').expect(200);
  });

  it('/health shows the open alerts by severity of the newest snapshot, from memory', async () => {
    await db.query(
      `INSERT INTO tds.workers (worker_id, role, hostname, pid, version) VALUES ('w1', 'worker', 'h', 1, 'v')
       ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat_at = now()`,
    );
    await insertAlert('dead_letter_queue', 'open', 'critical'); // 60 dead letters: de-escalated to warning by the run
    await db.query(
      `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, content_type, body, payload, status)
       SELECT 'k' || g, 'contact', 'contact', 'c' || g, 'created', 'application/json', '\\x7b7d', '{}', 'dead_letter'
       FROM generate_series(1, 60) g`,
    );
    await t.app.get(MonitoringService).runOnce();
    await healthBecomes(200); // the worker row above
    const res = await request(t.server).get('/health').expect(200);
    expect(res.body.details.alerts).toMatchObject({ status: 'up', open: { critical: 0, warning: 1, info: 0 } });
    expect(new Date(res.body.details.alerts.snapshotAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const list = await admin(request(t.server).get('/dashboard/alerts')).expect(200);
    expect(list.body.alerts).toEqual([
      expect.objectContaining({ rule: 'dead_letter_queue', status: 'open', severity: 'warning', value: 60, threshold: 50, occurrences: 2 }),
    ]);
  });
});
