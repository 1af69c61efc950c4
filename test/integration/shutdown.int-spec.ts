import request from 'supertest';
import { Client } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventRepository } from '../../src/modules/queue/event.repository';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { SyncService } from '../../src/modules/sync/sync.service';
import { SyncEntityType } from '../../src/modules/sync/sync.types';
import { WebhooksService, type IncomingWebhook } from '../../src/modules/webhooks/webhooks.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Graceful shutdown through the app's real close path (app.close(), what the launcher runs on SIGTERM):
 * the batch in hand is finished and committed, and every submission the ingest batcher holds is answered
 * and stored, before the database pool closes.
 */
const KEY = 'shutdown-key-1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const contact = (id: string, name: string) =>
  `{"contact":{"contact_id":"${id}","contact_name":"${name}","contact_type":"customer","last_modified_time":"2026-11-28T10:00:00+0300"}}`;

describe('graceful shutdown (integration, real PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events CASCADE');
    await db.query('TRUNCATE tds.workers');
    vi.restoreAllMocks();
  });

  it('stop during a slowed apply: the batch commits (one attempt, applied, no connection error) before the worker reports stopped', async () => {
    t = await startTestApp(db.url, {
      WEBHOOK_API_KEYS: KEY,
      TDS_ROLE: 'all',
      TDS_WORKER_CONCURRENCY: '1',
      TDS_QUEUE_POLL_INTERVAL_MS: '100',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const app = t.app;
    const sync = app.get(SyncService);
    const worker = app.get(QueueWorker);
    const real = sync.applyBatch.bind(sync);
    let entered!: () => void;
    const inApply = new Promise<void>((r) => (entered = r));
    let applyDoneAt = 0;
    vi.spyOn(sync, 'applyBatch').mockImplementation(async (tx, events) => {
      entered();
      await sleep(1500); // a slow batch, still well inside TDS_LOCK_TIMEOUT_SECONDS
      const outcomes = await real(tx, events);
      applyDoneAt = Date.now();
      return outcomes;
    });
    const runErrors: unknown[] = [];
    const runOnce = worker.runOnce.bind(worker);
    vi.spyOn(worker, 'runOnce').mockImplementation(async () => {
      try {
        return await runOnce();
      } catch (err) {
        runErrors.push(err);
        throw err;
      }
    });

    const res = await request(t.server)
      .post('/webhooks/contacts')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send(contact('800001', 'In flight at shutdown'));
    expect(res.status).toBe(202);
    await inApply;
    const closeStarted = Date.now();
    await t.close();
    t = undefined;
    const closedAt = Date.now();

    expect(runErrors).toEqual([]);
    expect(applyDoneAt).toBeGreaterThan(closeStarted);
    expect(closedAt).toBeGreaterThanOrEqual(applyDoneAt);
    const [ev] = await db.query<{ status: string; outcome: string; attempts: number; completed_at: Date; last_error: string | null }>(
      'SELECT status, outcome, attempts, completed_at, last_error FROM tds.events WHERE id = $1',
      [res.body.eventId],
    );
    expect(ev).toMatchObject({ status: 'completed', outcome: 'applied', attempts: 1, last_error: null });
    expect(await db.query('SELECT attempt, outcome, error FROM tds.event_attempts WHERE event_id = $1', [res.body.eventId])).toEqual([
      { attempt: 1, outcome: 'applied', error: null },
    ]);
    expect(await db.query(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = '800001'`)).toEqual([
      { contact_name: 'In flight at shutdown' },
    ]);
    // The process says it stopped only after its last batch was committed. (Closing the pg pool waits for the
    // batch's checked-out client, so a stop() that did not wait would still commit; what it breaks is the order:
    // the worker would be marked stopped, and HTTP closed, while its batch was still running.)
    const [w] = await db.query<{ stopped_at: Date | null }>(`SELECT stopped_at FROM tds.workers WHERE role = 'all'`);
    expect(w.stopped_at).toBeInstanceOf(Date);
    expect(w.stopped_at!.getTime()).toBeGreaterThanOrEqual(ev.completed_at.getTime());
  });

  describe('ingest during shutdown (WEBHOOK_INGEST_MAX_INFLIGHT=1, the first INSERT held up by a table lock)', () => {
    let locker: Client;
    /** Holds a SHARE lock on tds.events: every INSERT waits (a slow insert, for real) until release(). */
    const holdInserts = async () => {
      locker = new Client({ connectionString: db.url });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE tds.events IN SHARE MODE');
      return async () => {
        await locker.query('COMMIT');
        await locker.end();
      };
    };
    /** Resolves once an INSERT into tds.events is waiting for the lock. */
    const insertWaiting = async () => {
      for (let i = 0; i < 200; i++) {
        const rows = await db.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO tds.events%'`,
        );
        if (rows.length) return;
        await sleep(25);
      }
      throw new Error('the INSERT never started');
    };

    const start = () => startTestApp(db.url, { WEBHOOK_API_KEYS: KEY, WEBHOOK_INGEST_MAX_INFLIGHT: '1', SHUTDOWN_TIMEOUT_MS: '20000' });

    it('submissions still held by the ingest batcher when shutdown starts are answered and stored before close() returns', async () => {
      t = await start();
      const webhooks = t.app.get(WebhooksService);
      const insertBatch = vi.spyOn(t.app.get(EventRepository), 'insertBatch');
      const incoming = (id: string): IncomingWebhook => ({
        entityType: SyncEntityType.Contact,
        route: 'contacts',
        method: 'POST',
        contentType: 'application/json',
        body: Buffer.from(contact(id, `pending ${id}`)),
        query: [],
        apiKeyHeader: KEY,
      });
      const release = await holdInserts();
      const answers: string[] = [];
      const first = webhooks.receive(incoming('810001')).then((r) => (answers.push(r.entityId), r));
      await insertWaiting(); // batch 1 is in flight (waiting on the lock) ...
      const second = webhooks.receive(incoming('810002')).then((r) => (answers.push(r.entityId), r));
      await sleep(50);
      expect(insertBatch).toHaveBeenCalledTimes(1); // ... and batch 2 is queued behind it in the batcher
      first.catch(() => undefined);
      second.catch(() => undefined);

      const closing = t.close().then(() => answers.push('closed'));
      t = undefined;
      await sleep(300);
      await release();
      await closing;

      await expect(first).resolves.toMatchObject({ status: 'queued', entityId: '810001' });
      await expect(second).resolves.toMatchObject({ status: 'queued', entityId: '810002' });
      expect(answers.indexOf('closed')).toBe(2); // both answered before close() returned
      expect((await db.query<{ entity_id: string }>('SELECT entity_id FROM tds.events ORDER BY id')).map((r) => r.entity_id)).toEqual([
        '810001',
        '810002',
      ]);
    });

    it('a delivery in flight when shutdown starts gets its 202 and is stored (the HTTP close waits for it)', async () => {
      t = await start();
      const release = await holdInserts();
      const send = (id: string) =>
        request(t!.server)
          .post('/webhooks/contacts')
          .set('Content-Type', 'application/json')
          .set('X-Webhook-Key', KEY)
          .send(contact(id, `http ${id}`));
      const answers: string[] = [];
      const first = send('820001').then((r) => (answers.push('820001'), r));
      await insertWaiting();
      const second = send('820002').then((r) => (answers.push('820002'), r));
      await sleep(100);

      const closing = t.close().then(() => answers.push('closed'));
      t = undefined;
      await sleep(300);
      expect(answers).toEqual([]); // close() is waiting for the two requests, which wait for the INSERT
      answers.push('released');
      await release();
      const [r1, r2] = await Promise.all([first, second]);
      await closing;

      // Both got their 202 (sent before the server finished closing); close() returned only after the INSERT could
      // commit. (When the client reads each answer relative to close() resolving is a race of the client, not ours.)
      expect([r1.status, r1.body.status]).toEqual([202, 'queued']);
      expect([r2.status, r2.body.status]).toEqual([202, 'queued']);
      expect(answers.indexOf('closed')).toBeGreaterThan(answers.indexOf('released'));
      expect(
        (await db.query<{ entity_id: string }>('SELECT entity_id FROM tds.events ORDER BY entity_id')).map((r) => r.entity_id),
      ).toEqual(['820001', '820002']);
    });
  });
});
