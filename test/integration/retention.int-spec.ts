import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { RetentionService } from '../../src/modules/retention/retention.service';
import { Json, zohoBody, zohoContact, zohoId, zohoPriceBook } from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Retention of tds.events (issue #13, docs/decisions/0017): exactly the policy's rows go, in windows smaller than the
 * data, nothing unfinished or dead-lettered is touched, and dedup still holds for what Zoho may redeliver.
 */
const KEY = 'retention-key-1';

interface Row {
  id: string;
  status: string;
  has_body: boolean;
  has_payload: boolean;
  attempts: number;
}

describe('retention of tds.events (integration, real PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: QueueWorker;
  let retention: RetentionService;

  const deliver = async (route: string, envelope: string, record: Json, event = 'updated') => {
    const res = await request(t.server)
      .post(`/webhooks/${route}?event=${event}`)
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send(zohoBody(envelope, record));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body as { eventId: string; status: 'queued' | 'duplicate' };
  };
  /** Moves an event's life `days` into the past (the clock is what the test shortens, not the rule). */
  const age = (id: string, days: number) =>
    db.query(
      `UPDATE tds.events SET received_at = now() - make_interval(days => $2), completed_at = CASE WHEN completed_at IS NOT NULL
         THEN now() - make_interval(days => $2) + interval '1 second' END WHERE id = $1`,
      [id, days],
    );
  const rows = () =>
    db.query<Row>(
      `SELECT e.id::text AS id, e.status, e.body IS NOT NULL AS has_body, e.payload IS NOT NULL AS has_payload,
              (SELECT count(*)::int FROM tds.event_attempts a WHERE a.event_id = e.id) AS attempts
       FROM tds.events e ORDER BY e.id`,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      WEBHOOK_API_KEYS: KEY,
      TDS_RETENTION_BATCH_SIZE: '10', // windows much smaller than the data: the walk crosses many of them
      TDS_INBOX_RETENTION_DAYS: '7',
      TDS_EVENT_RETENTION_DAYS: '90',
    });
    worker = t.app.get(QueueWorker);
    retention = t.app.get(RetentionService);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events, tds.event_attempts');
  });

  it('removes exactly what the policy says: old completed events and their attempts, old bodies; never dead letters or unfinished events', async () => {
    // 45 timed contacts, processed, then spread over ages; a few then become dead letters / failed / pending again.
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) ids.push((await deliver('contacts', 'contact', zohoContact())).eventId);
    while ((await worker.drainOnce()) > 0);
    const ages = [200, 120, 91, 89, 30, 8, 6, 1, 0];
    for (let i = 0; i < ids.length; i++) await age(ids[i], ages[i % ages.length]);
    // Unfinished and dead-lettered rows of every age (their attempts too) must stay whole.
    const dead = [ids[0], ids[4], ids[10]]; // 200, 30, 120 days
    const failed = ids[9]; // 200 days
    const pending = ids[18]; // 200 days
    await db.query(`UPDATE tds.events SET status = 'dead_letter', outcome = NULL, completed_at = NULL WHERE id = ANY($1::bigint[])`, [
      dead,
    ]);
    await db.query(
      `UPDATE tds.events SET status = 'failed', outcome = NULL, completed_at = NULL, next_attempt_at = now() + interval '1 day' WHERE id = $1`,
      [failed],
    );
    await db.query(
      `UPDATE tds.events SET status = 'pending', outcome = NULL, completed_at = NULL, next_attempt_at = now() + interval '1 day' WHERE id = $1`,
      [pending],
    );

    const before = await rows();
    const ageOf = (id: string) => ages[ids.indexOf(id) % ages.length];
    const expected = before
      .filter((r) => !(r.status === 'completed' && ageOf(r.id) > 90))
      .map((r) => (r.status === 'completed' && ageOf(r.id) > 7 ? { ...r, has_body: false, has_payload: false } : r));

    const result = await retention.prune();
    const after = await rows();
    expect(after).toEqual(expected);
    const deletedCount = before.length - expected.length;
    expect(deletedCount).toBeGreaterThan(5);
    expect(result.deleted.rows).toBe(deletedCount);
    expect(result.deleted.attemptsDeleted).toBe(deletedCount); // one attempt each
    expect(result.cleared.rows).toBe(expected.filter((r) => !r.has_body).length);
    expect(result.deleted.batches).toBeGreaterThan(2);
    // No attempt row is left without its event.
    expect(
      await db.query(`SELECT a.event_id FROM tds.event_attempts a LEFT JOIN tds.events e ON e.id = a.event_id WHERE e.id IS NULL`),
    ).toEqual([]);
    // Dead letters keep everything, including their bodies.
    for (const id of dead)
      expect(after.find((r) => r.id === id)).toMatchObject({ status: 'dead_letter', has_body: true, has_payload: true, attempts: 1 });
    // A second run finds nothing more; the worker never claims a pruned event.
    const again = await retention.prune();
    expect([again.deleted.rows, again.cleared.rows]).toEqual([0, 0]);
    expect(await worker.drainOnce()).toBe(0);
  });

  it('a redelivery inside the dedup window is still a duplicate, after its body was cleared', async () => {
    const contact = zohoContact({ contact_id: zohoId() });
    const first = await deliver('contacts', 'contact', contact);
    expect(first.status).toBe('queued');
    await worker.drainOnce();
    await age(first.eventId, 60); // past the inbox window (7 d), inside the event window (90 d)
    const r = await retention.prune();
    expect(r.cleared.rows).toBe(1);
    expect(await rows()).toEqual([{ id: first.eventId, status: 'completed', has_body: false, has_payload: false, attempts: 1 }]);

    const again = await deliver('contacts', 'contact', contact);
    expect(again).toEqual({ ...again, status: 'duplicate' });
    expect((await rows()).length).toBe(1);
    expect(await worker.drainOnce()).toBe(0);
  });

  it('records without a timestamp: the newest event of a record stays (row and payload), so its redelivery stays a duplicate at any age', async () => {
    const id = zohoId();
    const v1 = zohoPriceBook({ pricebook_id: id, name: 'v1' });
    const v2 = zohoPriceBook({ pricebook_id: id, name: 'v2' });
    const other = zohoPriceBook({ name: 'another list' });
    const e1 = await deliver('prices', 'pricebook', v1);
    await worker.drainOnce();
    const e2 = await deliver('prices', 'pricebook', v2);
    const e3 = await deliver('prices', 'pricebook', other);
    await worker.drainOnce();
    for (const e of [e1, e2, e3]) await age(e.eventId, 200); // far past both windows

    const r = await retention.prune();
    expect(r.deleted.rows).toBe(1); // v1 only: v2 and the other list are their records' newest events
    expect(await rows()).toEqual([
      { id: e2.eventId, status: 'completed', has_body: false, has_payload: true, attempts: 1 },
      { id: e3.eventId, status: 'completed', has_body: false, has_payload: true, attempts: 1 },
    ]);

    // v2 again: equal to the record's newest accepted event → duplicate, answered with that event's id.
    const dup = await deliver('prices', 'pricebook', v2);
    expect(dup).toMatchObject({ status: 'duplicate', eventId: e2.eventId });
    // v1 again (an older version after a newer one) is a new event, exactly as before pruning (decision 0007).
    const back = await deliver('prices', 'pricebook', v1);
    expect(back.status).toBe('queued');
  });
});
