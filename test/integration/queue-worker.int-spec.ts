import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { QueueService } from '../../src/modules/queue/queue.service';
import { SyncService } from '../../src/modules/sync/sync.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'queue-test-key-1';

const contact = (id: string, name: string, modified: string) =>
  JSON.stringify({ contact: { contact_id: id, contact_name: name, contact_type: 'customer', last_modified_time: modified } });

describe('queue worker (integration, real PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: QueueWorker;

  const send = (route: string, body: string, query = '') =>
    request(t.server).post(`/webhooks/${route}${query}`).set('Content-Type', 'application/json').set('X-Webhook-Key', KEY).send(body);
  const statuses = async () =>
    Object.fromEntries(
      (await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM tds.events GROUP BY status')).map((r) => [
        r.status,
        Number(r.n),
      ]),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    // Role api: the worker is driven by hand here (drainOnce), so every step is deterministic.
    t = await startTestApp(db.url, {
      WEBHOOK_API_KEYS: KEY,
      TDS_MAX_RETRY_ATTEMPTS: '3',
      TDS_RETRY_BACKOFF_BASE_MS: '1',
      TDS_RETRY_BACKOFF_MAX_MS: '2',
      TDS_LOCK_TIMEOUT_SECONDS: '1',
    });
    worker = t.app.get(QueueWorker);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events, tds.event_attempts, erp.contacts');
  });
  afterEach(() => vi.restoreAllMocks());

  it('applies queued events to the ERP tables and records each attempt', async () => {
    const a = await send('contacts', contact('1001', 'Alpha', '2026-11-28T10:00:00+0300'), '?event=created').expect(202);
    await send('customers', contact('1002', 'Beta', '2026-11-28T10:00:00+0300')).expect(202);
    expect(await worker.drainOnce()).toBe(2);
    const rows = await db.query<{ zoho_contact_id: string; contact_name: string }>(
      'SELECT zoho_contact_id, contact_name FROM erp.contacts ORDER BY 1',
    );
    expect(rows).toEqual([
      { zoho_contact_id: '1001', contact_name: 'Alpha' },
      { zoho_contact_id: '1002', contact_name: 'Beta' },
    ]);
    expect(await statuses()).toEqual({ completed: 2 });
    const attempts = await db.query<{ outcome: string; attempt: number }>(
      'SELECT outcome, attempt FROM tds.event_attempts WHERE event_id = $1',
      [a.body.eventId],
    );
    expect(attempts).toEqual([{ outcome: 'applied', attempt: 1 }]);
    // One clock (PostgreSQL's): the try starts with its batch transaction and finishes when it is recorded.
    const [times] = await db.query<{ ordered: boolean }>(
      `SELECT a.started_at <= a.finished_at AND a.started_at <= e.completed_at AND e.received_at <= a.started_at AS ordered
       FROM tds.event_attempts a JOIN tds.events e ON e.id = a.event_id WHERE a.event_id = $1`,
      [a.body.eventId],
    );
    expect(times.ordered).toBe(true);
  });

  it('per record: versions apply in arrival order, an older version arriving later is skipped_stale', async () => {
    await send('contacts', contact('2001', 'v1', '2026-11-28T10:00:00+0300')).expect(202);
    await send('contacts', contact('2001', 'v3', '2026-11-28T12:00:00+0300')).expect(202);
    await send('contacts', contact('2001', 'v2 (late)', '2026-11-28T11:00:00+0300')).expect(202);
    // The chain rule lets only the oldest unfinished event of a record be claimed: three rounds for three versions.
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0);
    const [row] = await db.query<{ contact_name: string }>(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = '2001'`);
    expect(row.contact_name).toBe('v3');
    const outcomes = await db.query<{ outcome: string }>('SELECT outcome FROM tds.events ORDER BY id');
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied', 'skipped_stale']);
  });

  it('a transient failure retries with backoff, then dead-letters after TDS_MAX_RETRY_ATTEMPTS with every error recorded; manual retry re-queues', async () => {
    const sync = t.app.get(SyncService);
    const real = sync.applyBatch.bind(sync);
    vi.spyOn(sync, 'applyBatch').mockImplementation(async (tx, events) => {
      if (events.some((e) => e.entityId === '3666')) throw new Error('simulated handler crash for 3666');
      return real(tx, events);
    });
    const poison = await send('contacts', contact('3666', 'Poison', '2026-11-28T10:00:00+0300')).expect(202);
    await send('contacts', contact('3001', 'Healthy', '2026-11-28T10:00:00+0300')).expect(202);

    for (let i = 0; i < 10; i++) {
      await worker.drainOnce();
      await new Promise((r) => setTimeout(r, 10)); // let the 1–2 ms backoff pass
    }
    const [ev] = await db.query<{ status: string; attempts: number; last_error: string }>(
      'SELECT status, attempts, last_error FROM tds.events WHERE id = $1',
      [poison.body.eventId],
    );
    expect(ev.status).toBe('dead_letter');
    expect(ev.attempts).toBe(3);
    expect(ev.last_error).toMatch(/simulated handler crash for 3666.*gave up after 3 attempts/);
    const attempts = await db.query<{ attempt: number; outcome: string; error: string }>(
      'SELECT attempt, outcome, error FROM tds.event_attempts WHERE event_id = $1 ORDER BY id',
      [poison.body.eventId],
    );
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'dead_letter'],
    ]);
    expect(attempts.every((a) => a.error.includes('simulated handler crash'))).toBe(true);
    // The healthy neighbour in the same batch was applied regardless.
    expect(await db.query(`SELECT 1 FROM erp.contacts WHERE zoho_contact_id = '3001'`)).toHaveLength(1);

    // A manual retry restarts the retry budget (3 more tries) but never the attempt numbers.
    await t.app.get(QueueService).retry(poison.body.eventId);
    for (let i = 0; i < 10; i++) {
      await worker.drainOnce();
      await new Promise((r) => setTimeout(r, 10));
    }
    vi.restoreAllMocks();
    await t.app.get(QueueService).retry(poison.body.eventId);
    await worker.drainOnce();
    expect(await db.query(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = '3666'`)).toEqual([{ contact_name: 'Poison' }]);
    const all = await db.query<{ attempt: number; outcome: string }>(
      'SELECT attempt, outcome FROM tds.event_attempts WHERE event_id = $1 ORDER BY id',
      [poison.body.eventId],
    );
    expect(all.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'dead_letter'],
      [4, 'retry'],
      [5, 'retry'],
      [6, 'dead_letter'],
      [7, 'applied'],
    ]);
    expect((await db.query('SELECT attempts FROM tds.events WHERE id = $1', [poison.body.eventId]))[0]).toEqual({ attempts: 7 });
  });

  it('a payload the database refuses goes to dead letter at once (permanent), without blocking others', async () => {
    const sync = t.app.get(SyncService);
    const real = sync.applyBatch.bind(sync);
    vi.spyOn(sync, 'applyBatch').mockImplementation(async (tx, events) => {
      // A real SQL data exception (22003 numeric out of range) for one record.
      if (events.some((e) => e.entityId === '4666')) await tx.query(`SELECT '1e400'::numeric::float8`);
      return real(tx, events);
    });
    const bad = await send('contacts', contact('4666', 'Overflow', '2026-11-28T10:00:00+0300')).expect(202);
    await send('contacts', contact('4001', 'Fine', '2026-11-28T10:00:00+0300')).expect(202);
    await worker.drainOnce();
    const [ev] = await db.query<{ status: string; attempts: number; last_error_code: string }>(
      'SELECT status, attempts, last_error_code FROM tds.events WHERE id = $1',
      [bad.body.eventId],
    );
    expect(ev).toEqual({ status: 'dead_letter', attempts: 1, last_error_code: '22003' });
    expect(await db.query(`SELECT 1 FROM erp.contacts WHERE zoho_contact_id = '4001'`)).toHaveLength(1);
  });

  it('claim cursor: events left below it (a retried head, its blocked successors) are still applied, in order per record', async () => {
    // The config is frozen: the worker gets a copy of its queue section with a small batch for this test.
    const internals = worker as unknown as { q: { batchSize: number } };
    const q = internals.q;
    internals.q = { ...q, batchSize: 2 }; // full batches move the cursor forward
    const sync = t.app.get(SyncService);
    const real = sync.applyBatch.bind(sync);
    let failedOnce = false;
    vi.spyOn(sync, 'applyBatch').mockImplementation(async (tx, events) => {
      // The first version of record 6001 fails once (transient): it stays behind the cursor with its successors.
      if (!failedOnce && events.some((e) => e.entityId === '6001')) {
        failedOnce = true;
        throw new Error('simulated transient failure');
      }
      return real(tx, events);
    });
    try {
      for (let v = 1; v <= 3; v++) {
        await send('contacts', contact('6001', `r1 v${v}`, `2026-11-28T1${v}:00:00+0300`)).expect(202);
        for (let i = 0; i < 3; i++)
          await send('contacts', contact(`61${v}${i}`, `single ${v}.${i}`, '2026-11-28T10:00:00+0300')).expect(202);
      }
      for (let i = 0; i < 20 && Object.keys(await statuses()).some((s) => s !== 'completed'); i++) {
        await worker.drainOnce();
        await new Promise((r) => setTimeout(r, 10)); // the 1–2 ms backoff
      }
    } finally {
      internals.q = q;
    }
    expect(failedOnce).toBe(true);
    expect(await statuses()).toEqual({ completed: 12 });
    expect(await db.query(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = '6001'`)).toEqual([{ contact_name: 'r1 v3' }]);
    // Record 6001's successful attempts ran in arrival order.
    const order = await db.query<{ event_id: string }>(
      `SELECT a.event_id::text AS event_id FROM tds.event_attempts a JOIN tds.events e ON e.id = a.event_id
       WHERE e.entity_id = '6001' AND a.outcome = 'applied' ORDER BY a.id`,
    );
    const ids = order.map((o) => BigInt(o.event_id));
    expect(ids).toHaveLength(3);
    expect([...ids].sort((x, y) => (x < y ? -1 : 1))).toEqual(ids);
  });

  it('fencing: a worker stalled inside its batch past TDS_LOCK_TIMEOUT_SECONDS is cut off; another applies the event once', async () => {
    const { eventId } = (await send('contacts', contact('5001', 'Fenced', '2026-11-28T10:00:00+0300')).expect(202)).body;
    const sync = t.app.get(SyncService);
    const real = sync.applyBatch.bind(sync);
    let calls = 0;
    vi.spyOn(sync, 'applyBatch').mockImplementation(async (tx, events) => {
      // Worker A's first batch stalls (holding its row locks) longer than the 1 s limit.
      if (++calls === 1) await new Promise((r) => setTimeout(r, 1800));
      return real(tx, events);
    });
    const a = worker.runOnce();
    a.catch(() => undefined);
    // While A holds the row, it is not claimable, and it shows as processing (derived from the open transaction).
    await new Promise((r) => setTimeout(r, 300));
    expect(await worker.runOnce()).toBe(0);
    const queue = t.app.get(QueueService);
    expect((await queue.stats()).processing.count).toBe(1);
    const held = await queue.get(eventId);
    expect(held.status).toBe('processing');
    expect(String(held.processing_by)).toMatch(/^tds-core:/);
    // PostgreSQL ends A's session after 1 s idle in its transaction: the row is free again; B applies it.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await worker.runOnce()).toBe(1);
    // A wakes up: its transaction is gone, nothing it does commits.
    await expect(a).rejects.toThrow(/idle-in-transaction|terminat|Connection/i);
    const attempts = await db.query<{ outcome: string; attempt: number }>('SELECT outcome, attempt FROM tds.event_attempts ORDER BY id');
    expect(attempts).toEqual([{ outcome: 'applied', attempt: 1 }]);
    expect(await statuses()).toEqual({ completed: 1 });
    expect(await db.query(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = '5001'`)).toEqual([{ contact_name: 'Fenced' }]);
    expect((await t.app.get(QueueService).stats()).processing.count).toBe(0);
  });
});
