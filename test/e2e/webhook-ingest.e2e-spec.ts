import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors/domain-error';
import { ERROR_STATUS } from '../../src/common/errors/error-codes';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { SyncEntityType } from '../../src/modules/sync/sync.types';
import { WebhooksService, type IncomingWebhook } from '../../src/modules/webhooks/webhooks.service';
import { zohoBody, zohoInvoice, zohoLineItems } from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'ingest-key-123456';

describe('webhook ingest: batches, wide documents, database refusals (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: QueueWorker;
  const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tds.events'))[0].n);
  const post = (route: string, body: string) =>
    request(t.server).post(`/webhooks/${route}`).set('Content-Type', 'application/json').set('X-Webhook-Key', KEY).send(body);
  const incoming = (body: string): IncomingWebhook => ({
    entityType: SyncEntityType.Contact,
    route: 'contacts',
    method: 'POST',
    contentType: 'application/json',
    body: Buffer.from(body, 'utf8'),
    query: [],
    apiKeyHeader: KEY,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: KEY });
    worker = t.app.get(QueueWorker);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events CASCADE');
  });

  describe('identical deliveries inside one ingest batch', () => {
    it('two identical submissions in one tick: one queued, one duplicate, the same event id, one row', async () => {
      const webhooks = t.app.get(WebhooksService);
      const body = '{"contact":{"contact_id":"700001","contact_name":"Same tick","last_modified_time":"2026-11-28T10:00:00+0300"}}';
      // Both calls reach the group-commit batcher in the same turn of the event loop: one multi-row INSERT.
      const [a, b] = await Promise.all([webhooks.receive(incoming(body)), webhooks.receive(incoming(body))]);
      expect([a.status, b.status].sort()).toEqual(['duplicate', 'queued']);
      expect(a.eventId).toBe(b.eventId);
      const rows = await db.query<{ id: string }>('SELECT id::text AS id FROM tds.events');
      expect(rows).toEqual([{ id: a.eventId }]);
    });

    it('three identical and one different submission in one tick: the different one is queued too', async () => {
      const webhooks = t.app.get(WebhooksService);
      const same = '{"contact":{"contact_id":"700002","contact_name":"x","last_modified_time":"2026-11-28T10:00:00+0300"}}';
      const other = '{"contact":{"contact_id":"700003","contact_name":"y","last_modified_time":"2026-11-28T10:00:00+0300"}}';
      const results = await Promise.all([same, other, same, same].map((b) => webhooks.receive(incoming(b))));
      const forSame = results.filter((r) => r.entityId === '700002');
      expect(forSame.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'queued']);
      expect(new Set(forSame.map((r) => r.eventId)).size).toBe(1);
      expect(results.find((r) => r.entityId === '700003')?.status).toBe('queued');
      expect(await count()).toBe(2);
    });
  });

  describe('JSON nesting limit counts depth, not brackets', () => {
    it('an invoice with 70 line items is accepted and applied with all 70 lines', async () => {
      const invoice = zohoInvoice({ line_items: zohoLineItems(70) });
      const res = await post('invoices', zohoBody('invoice', invoice));
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.status).toBe('queued');
      await worker.drainOnce();
      const [ev] = await db.query<{ status: string; outcome: string }>('SELECT status, outcome FROM tds.events WHERE id = $1', [
        res.body.eventId,
      ]);
      expect(ev).toEqual({ status: 'completed', outcome: 'applied' });
      const [lines] = await db.query<{ n: string }>('SELECT count(*) AS n FROM erp.invoice_lines WHERE zoho_invoice_id = $1', [
        res.body.entityId,
      ]);
      expect(Number(lines.n)).toBe(70);
    });

    it('a record holding 100 sibling empty arrays ([[],[],…]) and 100 sibling objects is accepted', async () => {
      const wide = `[${Array.from({ length: 100 }, () => '[]').join(',')}]`;
      const objects = `[${Array.from({ length: 100 }, (_, i) => `{"k":${i}}`).join(',')}]`;
      const res = await post('contacts', `{"contact":{"contact_id":"710001","contact_name":"Wide","tags":${wide},"list":${objects}}}`);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const [row] = await db.query<{ tags: number; list: number }>(
        `SELECT jsonb_array_length(payload->'tags') AS tags, jsonb_array_length(payload->'list') AS list FROM tds.events`,
      );
      expect(row).toEqual({ tags: 100, list: 100 });
    });

    it('nesting deeper than the limit is still refused with 400, nothing stored', async () => {
      const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
      const res = await post('contacts', `{"contact":{"contact_id":"710002","x":${deep}}}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/nesting/);
      expect(await count()).toBe(0);
    });
  });

  describe('a payload PostgreSQL refuses at ingest (SQLSTATE class 22)', () => {
    // 1e999999 is valid JSON, kept as digits in Node, but beyond PostgreSQL numeric: the jsonb cast of the
    // insert fails with 22003 (numeric value out of range).
    const refused = '{"contact":{"contact_id":"720001","contact_name":"Overflow","credit_limit":1e999999}}';

    it('→ 422 (not 503), with the error shape, nothing stored', async () => {
      const res = await post('contacts', refused);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body).toMatchObject({
        statusCode: 422,
        code: expect.any(String),
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(res.body.code).not.toBe('DATABASE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBeUndefined();
      expect(await count()).toBe(0);
    });

    it('inside a batch: only the refused one gets the 422 error; its neighbour is stored', async () => {
      const webhooks = t.app.get(WebhooksService);
      const good = '{"contact":{"contact_id":"720002","contact_name":"Fine"}}';
      const [bad, ok] = await Promise.allSettled([webhooks.receive(incoming(refused)), webhooks.receive(incoming(good))]);
      expect(bad.status).toBe('rejected');
      const err = (bad as PromiseRejectedResult).reason as DomainError;
      expect(err).toBeInstanceOf(DomainError);
      expect(ERROR_STATUS[err.code]).toBe(422);
      expect(ok).toMatchObject({ status: 'fulfilled', value: { status: 'queued', entityId: '720002' } });
      expect(await db.query('SELECT entity_id FROM tds.events')).toEqual([{ entity_id: '720002' }]);
    });
  });
});
