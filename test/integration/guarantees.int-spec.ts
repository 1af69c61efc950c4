import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { SyncService } from '../../src/modules/sync/sync.service';
import {
  Json,
  n,
  Num,
  zohoBody,
  zohoContact,
  zohoId,
  zohoInventoryAdjustment,
  zohoInvoice,
  zohoItem,
  zohoLineItems,
  zohoPriceBook,
} from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Guarantees of the queue and the sync pipeline that the usual 1–2 ms test backoff or a happy path would hide
 * (issue #9): each test states one rule on real rows (erp.*, tds.events, tds.event_attempts).
 */
const KEY = 'guarantees-key-1';
const BASE_DELAY_MS = 10_000;
const WH = '460000000038080';
const T1 = '2026-11-28T09:00:00+0300';
const T2 = '2026-11-28T10:00:00+0300';
const T3 = '2026-11-28T11:00:00+0300';

const digits = (v: unknown) => (v instanceof Num ? v.digits : String(v));

interface EventRow {
  status: string;
  outcome: string | null;
  attempts: number;
}

describe('queue and sync guarantees (integration, real PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: QueueWorker;

  const deliver = async (route: string, envelope: string, record: Json, event = 'updated') => {
    const res = await request(t.server)
      .post(`/webhooks/${route}?event=${event}`)
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send(zohoBody(envelope, record));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.status).toBe('queued');
    return res.body as { eventId: string; entityId: string };
  };
  /** Delivers and drains, like the sync-handler suite. */
  const apply = async (route: string, envelope: string, record: Json, event = 'updated') => {
    const e = await deliver(route, envelope, record, event);
    await worker.drainOnce();
    return e;
  };
  const eventRow = async (id: string) =>
    (await db.query<EventRow>('SELECT status, outcome, attempts FROM tds.events WHERE id = $1', [id]))[0];
  const attemptsOf = async (id: string) =>
    (
      await db.query<{ attempt: number; outcome: string }>(
        'SELECT attempt, outcome FROM tds.event_attempts WHERE event_id = $1 ORDER BY id',
        [id],
      )
    ).map((a) => [a.attempt, a.outcome]);
  /** Simulates the passing of an event's backoff (the clock, not the rule, is what the test shortens). */
  const backoffPassed = (id: string) => db.query(`UPDATE tds.events SET next_attempt_at = now() WHERE id = $1`, [id]);
  /** Makes SyncService fail (transiently: a plain Error) the first `times` batches that hold `entityId`. */
  const failTransiently = (entityId: string, times = 1) => {
    const sync = t.app.get(SyncService);
    const real = sync.applyBatch.bind(sync);
    let left = times;
    return vi.spyOn(sync, 'applyBatch').mockImplementation(async (tx, events) => {
      if (left > 0 && events.some((e) => e.entityId === entityId)) {
        left--;
        throw new Error(`simulated transient failure for ${entityId}`);
      }
      return real(tx, events);
    });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // Role api: the worker is driven by hand. Retries wait seconds, as in production, not milliseconds.
    t = await startTestApp(db.url, {
      WEBHOOK_API_KEYS: KEY,
      TDS_MAX_RETRY_ATTEMPTS: '5',
      TDS_RETRY_BACKOFF_BASE_MS: String(BASE_DELAY_MS),
      TDS_RETRY_BACKOFF_MAX_MS: String(BASE_DELAY_MS * 4),
    });
    worker = t.app.get(QueueWorker);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events CASCADE');
  });
  afterEach(() => vi.restoreAllMocks());

  describe('retries', () => {
    it('a failed event blocks later events of its record until it is done (long backoff)', async () => {
      const id = zohoId();
      failTransiently(id.digits);
      const v1 = await deliver(
        'contacts',
        'contact',
        zohoContact({ contact_id: id, contact_name: 'v1', last_modified_time: T1 }),
        'created',
      );
      const v2 = await deliver('contacts', 'contact', zohoContact({ contact_id: id, contact_name: 'v2', last_modified_time: T2 }));

      expect(await worker.runOnce()).toBe(1); // only the head of the record's chain is claimable
      expect(await eventRow(v1.eventId)).toMatchObject({ status: 'failed', attempts: 1 });
      // v1 waits out its backoff; v2 must not overtake it.
      expect(await worker.drainOnce()).toBe(0);
      expect(await eventRow(v2.eventId)).toEqual({ status: 'pending', outcome: null, attempts: 0 });
      expect(await attemptsOf(v2.eventId)).toEqual([]);
      expect(await db.query(`SELECT 1 FROM erp.contacts WHERE zoho_contact_id = $1`, [id.digits])).toEqual([]);

      await backoffPassed(v1.eventId);
      expect(await worker.drainOnce()).toBe(2);
      expect(await eventRow(v1.eventId)).toEqual({ status: 'completed', outcome: 'applied', attempts: 2 });
      expect(await eventRow(v2.eventId)).toEqual({ status: 'completed', outcome: 'applied', attempts: 1 });
      expect(await db.query(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = $1`, [id.digits])).toEqual([
        { contact_name: 'v2' },
      ]);
      // The record's tries, in the order they happened: v1 failed, v1 applied, then v2.
      const order = await db.query<{ event_id: string; outcome: string }>(
        `SELECT event_id::text AS event_id, outcome FROM tds.event_attempts WHERE event_id = ANY($1::bigint[]) ORDER BY id`,
        [[v1.eventId, v2.eventId]],
      );
      expect(order).toEqual([
        { event_id: v1.eventId, outcome: 'retry' },
        { event_id: v1.eventId, outcome: 'applied' },
        { event_id: v2.eventId, outcome: 'applied' },
      ]);
    });

    it('a transient failure is retried only after its delay: next_attempt_at in the future, an immediate pass claims nothing', async () => {
      const id = zohoId();
      failTransiently(id.digits);
      const e = await deliver('contacts', 'contact', zohoContact({ contact_id: id, contact_name: 'Delayed' }));

      expect(await worker.runOnce()).toBe(1);
      const [row] = await db.query<EventRow & { wait_s: number; last_error: string }>(
        `SELECT status, outcome, attempts, last_error, extract(epoch FROM next_attempt_at - now())::float8 AS wait_s FROM tds.events WHERE id = $1`,
        [e.eventId],
      );
      expect(row).toMatchObject({
        status: 'failed',
        outcome: null,
        attempts: 1,
        last_error: expect.stringMatching(/simulated transient failure/),
      });
      // The first delay is the base delay (10 s); allow for the time the test itself took.
      expect(row.wait_s).toBeGreaterThan((BASE_DELAY_MS / 1000) * 0.5);
      expect(row.wait_s).toBeLessThanOrEqual((BASE_DELAY_MS / 1000) * 4);
      expect(await attemptsOf(e.eventId)).toEqual([[1, 'retry']]);

      expect(await worker.runOnce()).toBe(0);
      expect(await worker.drainOnce()).toBe(0);
      expect(await eventRow(e.eventId)).toMatchObject({ status: 'failed', attempts: 1 });
      expect(await attemptsOf(e.eventId)).toEqual([[1, 'retry']]);
      expect(await db.query(`SELECT 1 FROM erp.contacts WHERE zoho_contact_id = $1`, [id.digits])).toEqual([]);

      // Once the delay has passed, the retry applies it (attempt 2).
      await backoffPassed(e.eventId);
      expect(await worker.drainOnce()).toBe(1);
      expect(await eventRow(e.eventId)).toEqual({ status: 'completed', outcome: 'applied', attempts: 2 });
      expect(await attemptsOf(e.eventId)).toEqual([
        [1, 'retry'],
        [2, 'applied'],
      ]);
    });

    it('a failing batch is re-run one event at a time when the poison is not first: the healthy one applies on attempt 1', async () => {
      const healthyId = zohoId();
      const poisonId = zohoId();
      const sync = t.app.get(SyncService);
      const real = sync.applyBatch.bind(sync);
      vi.spyOn(sync, 'applyBatch').mockImplementation(async (tx, events) => {
        if (events.some((e) => e.entityId === poisonId.digits)) throw new Error('simulated handler crash');
        return real(tx, events);
      });
      const healthy = await deliver('contacts', 'contact', zohoContact({ contact_id: healthyId, contact_name: 'Healthy first' }));
      const poison = await deliver('contacts', 'contact', zohoContact({ contact_id: poisonId, contact_name: 'Poison second' }));

      expect(await worker.runOnce()).toBe(2); // one batch holds both, the healthy one first
      expect(await eventRow(healthy.eventId)).toEqual({ status: 'completed', outcome: 'applied', attempts: 1 });
      expect(await attemptsOf(healthy.eventId)).toEqual([[1, 'applied']]);
      const [h] = await db.query<{ last_error: string | null }>('SELECT last_error FROM tds.events WHERE id = $1', [healthy.eventId]);
      expect(h.last_error).toBeNull();
      expect(await db.query(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = $1`, [healthyId.digits])).toEqual([
        { contact_name: 'Healthy first' },
      ]);
      expect(await eventRow(poison.eventId)).toMatchObject({ status: 'failed', attempts: 1 });
      expect(await attemptsOf(poison.eventId)).toEqual([[1, 'retry']]);
      expect(await db.query(`SELECT 1 FROM erp.contacts WHERE zoho_contact_id = $1`, [poisonId.digits])).toEqual([]);
    });
  });

  describe('versions and staleness', () => {
    it('created then updated with the same last_modified_time and a changed field: the change is applied', async () => {
      const id = zohoId();
      const created = await apply(
        'contacts',
        'contact',
        zohoContact({ contact_id: id, contact_name: 'Before', status: 'active', last_modified_time: T2 }),
        'created',
      );
      const updated = await apply(
        'contacts',
        'contact',
        zohoContact({ contact_id: id, contact_name: 'After', status: 'inactive', last_modified_time: T2 }),
        'updated',
      );
      expect(await eventRow(created.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await eventRow(updated.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await db.query(`SELECT contact_name, status FROM erp.contacts WHERE zoho_contact_id = $1`, [id.digits])).toEqual([
        { contact_name: 'After', status: 'inactive' },
      ]);
    });

    it('a stale version does not replace the line set: v2 with lines [a,b], then a late v1 with [c]', async () => {
      const v2 = zohoInvoice({ last_modified_time: T2 }, 2);
      const id = digits(v2.invoice_id);
      const lineIds = (v2.line_items as Json[]).map((l) => digits(l.line_item_id));
      await apply('invoices', 'invoice', v2, 'created');
      const late = await apply('invoices', 'invoice', { ...v2, status: 'draft', last_modified_time: T1, line_items: zohoLineItems(1) });
      expect(await eventRow(late.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      const lines = await db.query<{ zoho_line_item_id: string }>(
        `SELECT zoho_line_item_id FROM erp.invoice_lines WHERE zoho_invoice_id = $1 ORDER BY position`,
        [id],
      );
      expect(lines.map((l) => l.zoho_line_item_id)).toEqual(lineIds);
      expect(await db.query(`SELECT status FROM erp.invoices WHERE zoho_invoice_id = $1`, [id])).toEqual([{ status: 'sent' }]);
    });

    it('a late older price list is skipped_stale and its item set does not replace the newer one', async () => {
      const v2 = zohoPriceBook({ name: 'Wholesale v2', last_modified_time: T2 }, 1);
      const id = digits(v2.pricebook_id);
      await apply('prices', 'pricebook', v2);
      const before = await db.query(
        `SELECT zoho_item_id, rate::text FROM erp.price_list_items WHERE zoho_pricebook_id = $1 ORDER BY position`,
        [id],
      );
      expect(before).toHaveLength(1);
      const late = await apply('prices', 'pricebook', {
        ...v2,
        name: 'Wholesale v1',
        last_modified_time: T1,
        pricebook_items: [
          { pricebook_item_id: zohoId(), item_id: n('460000000017091'), pricebook_rate: n('1.00') },
          { pricebook_item_id: zohoId(), item_id: n('460000000017092'), pricebook_rate: n('2.00') },
        ],
      });
      expect(await eventRow(late.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(
        await db.query(`SELECT zoho_item_id, rate::text FROM erp.price_list_items WHERE zoho_pricebook_id = $1 ORDER BY position`, [id]),
      ).toEqual(before);
      expect(await db.query(`SELECT name FROM erp.price_lists WHERE zoho_pricebook_id = $1`, [id])).toEqual([{ name: 'Wholesale v2' }]);
    });
  });

  describe('deleted records', () => {
    it('an update not newer than the delete keeps the record deleted; a strictly newer one brings it back', async () => {
      const id = zohoId();
      const deletedAt = async () =>
        (await db.query<{ deleted_at: Date | null }>(`SELECT deleted_at FROM erp.contacts WHERE zoho_contact_id = $1`, [id.digits]))[0]
          .deleted_at;
      await apply('contacts', 'contact', zohoContact({ contact_id: id, contact_name: 'v1', last_modified_time: T1 }), 'created');
      const del = await apply('contacts', 'contact', { contact_id: id, last_modified_time: T2 }, 'deleted');
      expect(await eventRow(del.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await deletedAt()).toBeInstanceOf(Date);

      // Same time as the delete: not newer → still deleted.
      const same = await apply(
        'contacts',
        'contact',
        zohoContact({ contact_id: id, contact_name: 'same time as delete', last_modified_time: T2 }),
      );
      expect(await eventRow(same.eventId)).toMatchObject({ status: 'completed' });
      expect(await deletedAt()).toBeInstanceOf(Date);
      // Older than the delete → stale, still deleted.
      const older = await apply(
        'contacts',
        'contact',
        zohoContact({ contact_id: id, contact_name: 'older', last_modified_time: '2026-11-28T09:30:00+0300' }),
      );
      expect(await eventRow(older.eventId)).toMatchObject({ status: 'completed' });
      expect(await deletedAt()).toBeInstanceOf(Date);

      // Strictly newer → back.
      const newer = await apply('contacts', 'contact', zohoContact({ contact_id: id, contact_name: 'restored', last_modified_time: T3 }));
      expect(await eventRow(newer.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await db.query(`SELECT contact_name, deleted_at FROM erp.contacts WHERE zoho_contact_id = $1`, [id.digits])).toEqual([
        { contact_name: 'restored', deleted_at: null },
      ]);
    });

    it('a delete without a timestamp, then an update with the version the record already had: still deleted', async () => {
      const id = zohoId();
      await apply('invoices', 'invoice', zohoInvoice({ invoice_id: id, last_modified_time: T2 }), 'created');
      await apply('invoices', 'invoice', { invoice_id: id }, 'deleted');
      const again = await apply('invoices', 'invoice', zohoInvoice({ invoice_id: id, status: 'paid', last_modified_time: T2 }), 'updated');
      expect(await eventRow(again.eventId)).toMatchObject({ status: 'completed' });
      const [row] = await db.query<{ deleted_at: Date | null }>(`SELECT deleted_at FROM erp.invoices WHERE zoho_invoice_id = $1`, [
        id.digits,
      ]);
      expect(row.deleted_at).toBeInstanceOf(Date);
    });
  });

  describe('stock adjustments move stock exactly once', () => {
    /** A fresh item with 100 in warehouse WH (erp.stock_levels and erp.products). */
    const itemWith100 = async () => {
      // The snapshot is older than every adjustment below (a delta older than the snapshot is already counted in it).
      const item = zohoItem({
        warehouses: [{ warehouse_id: n(WH), warehouse_name: 'Main', warehouse_stock_on_hand: n(100) }],
        stock_on_hand: n(100),
        last_modified_time: '2026-11-28T08:00:00+0300',
      });
      await apply('products', 'item', item);
      return digits(item.item_id);
    };
    const stock = async (itemId: string) => {
      const [level] = await db.query<{ s: string }>(
        `SELECT stock_on_hand::text AS s FROM erp.stock_levels WHERE zoho_item_id = $1 AND warehouse_id = $2`,
        [itemId, WH],
      );
      const [product] = await db.query<{ s: string }>(`SELECT stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = $1`, [
        itemId,
      ]);
      return { level: Number(level.s), product: Number(product.s) };
    };
    const adjustment = (itemId: string, qty: string, lineId: Num, over: Json = {}) =>
      zohoInventoryAdjustment(over, [{ line_item_id: lineId, item_id: n(itemId), quantity_adjusted: n(qty), location_id: n(WH) }]);

    it('two delete deliveries (different bodies) reverse the adjustment once', async () => {
      const itemId = await itemWith100();
      const adj = adjustment(itemId, '-4', zohoId());
      await apply('stock', 'inventory_adjustment', adj, 'created');
      expect(await stock(itemId)).toEqual({ level: 96, product: 96 });

      const d1 = await apply('stock', 'inventory_adjustment', { inventory_adjustment_id: adj.inventory_adjustment_id }, 'deleted');
      expect(await eventRow(d1.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await stock(itemId)).toEqual({ level: 100, product: 100 });
      // Zoho sends the delete again, with a different body (so it is not a duplicate at ingest).
      const d2 = await apply(
        'stock',
        'inventory_adjustment',
        { inventory_adjustment_id: adj.inventory_adjustment_id, reason: 'resent' },
        'deleted',
      );
      expect(await eventRow(d2.eventId)).toMatchObject({ status: 'completed' });
      expect(await attemptsOf(d2.eventId)).toHaveLength(1);
      expect(await stock(itemId)).toEqual({ level: 100, product: 100 });
      const [row] = await db.query<{ deleted_at: Date | null }>(
        `SELECT deleted_at FROM erp.stock_adjustments WHERE zoho_adjustment_id = $1`,
        [digits(adj.inventory_adjustment_id)],
      );
      expect(row.deleted_at).toBeInstanceOf(Date);
    });

    it('a delete, then a strictly newer version (timestamps on all): stock = 100 + the new quantity', async () => {
      const itemId = await itemWith100();
      const lineId = zohoId();
      const v1 = adjustment(itemId, '-4', lineId, { last_modified_time: T1 });
      await apply('stock', 'inventory_adjustment', v1, 'created');
      expect(await stock(itemId)).toEqual({ level: 96, product: 96 });
      await apply(
        'stock',
        'inventory_adjustment',
        { inventory_adjustment_id: v1.inventory_adjustment_id, last_modified_time: T2 },
        'deleted',
      );
      expect(await stock(itemId)).toEqual({ level: 100, product: 100 });

      const v3 = await apply('stock', 'inventory_adjustment', {
        ...adjustment(itemId, '-10', lineId, { last_modified_time: T3 }),
        inventory_adjustment_id: v1.inventory_adjustment_id,
      });
      expect(await eventRow(v3.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await stock(itemId)).toEqual({ level: 90, product: 90 });
      const [row] = await db.query<{ deleted_at: Date | null }>(
        `SELECT deleted_at FROM erp.stock_adjustments WHERE zoho_adjustment_id = $1`,
        [digits(v1.inventory_adjustment_id)],
      );
      expect(row.deleted_at).toBeNull();
    });

    it('a late older adjustment version is skipped_stale and stock does not move', async () => {
      const itemId = await itemWith100();
      const lineId = zohoId();
      const v2 = adjustment(itemId, '-10', lineId, { last_modified_time: T2 });
      await apply('stock', 'inventory_adjustment', v2, 'updated');
      expect(await stock(itemId)).toEqual({ level: 90, product: 90 });
      const late = await apply(
        'stock',
        'inventory_adjustment',
        { ...adjustment(itemId, '-4', lineId, { last_modified_time: T1 }), inventory_adjustment_id: v2.inventory_adjustment_id },
        'created',
      );
      expect(await eventRow(late.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(await stock(itemId)).toEqual({ level: 90, product: 90 });
      const lines = await db.query(
        `SELECT quantity_adjusted::text AS q, applied_quantity::text AS a FROM erp.stock_adjustment_lines WHERE zoho_adjustment_id = $1`,
        [digits(v2.inventory_adjustment_id)],
      );
      expect(lines).toEqual([{ q: '-10', a: '-10' }]);
    });
  });
});
