import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { QueueService } from '../../src/modules/queue/queue.service';
import { EventBrowserService } from '../../src/modules/queue/event-browser.service';
import { toQueueEvent } from '../../src/modules/queue/dto/queue.dto';
import { Json, n, zohoBody, zohoContact, zohoId, zohoInventoryAdjustment, zohoItem, zohoPriceBook } from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'divergence-key-1';
const WH = '460000000038080';

/**
 * Issue #8, "silent divergence between Zoho and the ERP": every case here ended with the ERP holding something other
 * than Zoho's last word (or stock counted twice) before the fix.
 */
describe('Zoho and the ERP never silently diverge (integration, real receiver and worker)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: QueueWorker;

  const post = (route: string, body: string, event = 'updated') =>
    request(t.server)
      .post(`/webhooks/${route}?event=${event}`)
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send(body);
  const deliver = async (route: string, envelope: string, record: Json, event = 'updated') => {
    const res = await post(route, zohoBody(envelope, record), event);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await worker.drainOnce();
    return res.body as { eventId: string; status: string };
  };
  const one = async <T = Json>(sql: string, params: unknown[] = []): Promise<T> => {
    const rows = await db.query<T>(sql, params);
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const outcome = (eventId: string) =>
    one<{ status: string; outcome: string; outcome_detail: string | null }>(
      'SELECT status, outcome, outcome_detail FROM tds.events WHERE id = $1',
      [eventId],
    );
  const level = async (itemId: string, wh = WH) =>
    (
      await db.query<{ s: string | null }>(
        `SELECT stock_on_hand::text AS s FROM erp.stock_levels WHERE zoho_item_id = $1 AND warehouse_id = $2`,
        [itemId, wh],
      )
    )[0]?.s;

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
    await db.query(`TRUNCATE tds.events, tds.event_attempts, erp.contacts, erp.products, erp.stock_levels, erp.stock_adjustments,
                    erp.stock_adjustment_lines, erp.price_lists, erp.price_list_items`);
  });

  describe('1. dedup by kind, timestamp and content', () => {
    it('two different edits in the same second are both applied; a redelivery (any whitespace or key order) is a duplicate', async () => {
      const T = '2026-11-28T10:00:00+0300';
      const v1 = zohoContact({ contact_name: 'Saved', last_modified_time: T });
      const v2 = { ...v1, contact_name: 'Saved, then changed by a workflow' };
      const id = (v1.contact_id as { digits: string }).digits;
      const a = await deliver('contacts', 'contact', v1);
      const b = await deliver('contacts', 'contact', v2);
      expect([a.status, b.status]).toEqual(['queued', 'queued']);
      expect(b.eventId).not.toBe(a.eventId);
      expect(await one(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = $1`, [id])).toEqual({
        contact_name: 'Saved, then changed by a workflow',
      });
      expect(await outcome(b.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });

      // The same content with other whitespace and key order is the same event; an extra field is other content.
      const shuffled = zohoBody('contact', Object.fromEntries(Object.entries(v2).reverse())).replace(/,"/g, ',\n   "');
      expect(shuffled).not.toBe(zohoBody('contact', v2));
      const again = await post('contacts', shuffled);
      expect(again.body).toMatchObject({ status: 'duplicate', eventId: b.eventId });
      // A number spelled otherwise (15000000.00 → 15000000.0) is the same JSON value.
      const respelled = await post('contacts', zohoBody('contact', { ...v2, credit_limit: n('15000000.0') }));
      expect(respelled.body).toMatchObject({ status: 'duplicate', eventId: b.eventId });
      const withExtra = await post('contacts', zohoBody('contact', { ...v2, cf_extra: 'x' }));
      expect(withExtra.body.status).toBe('queued');
    });

    it('a delete carrying the last update’s content and timestamp is still a delete', async () => {
      const v = zohoContact({ last_modified_time: '2026-11-28T10:00:00+0300' });
      const id = (v.contact_id as { digits: string }).digits;
      await deliver('contacts', 'contact', v);
      const del = await deliver('contacts', 'contact', v, 'deleted');
      expect(del.status).toBe('queued');
      expect(
        (await one<{ deleted_at: Date | null }>(`SELECT deleted_at FROM erp.contacts WHERE zoho_contact_id = $1`, [id])).deleted_at,
      ).toBeInstanceOf(Date);
    });

    it('without a timestamp, A → B → A ends with A; only a copy of the newest event is a duplicate', async () => {
      const A = zohoPriceBook({ name: 'List A' }, 1);
      const B = { ...A, name: 'List B' };
      const id = (A.pricebook_id as { digits: string }).digits;
      const r1 = await deliver('prices', 'pricebook', A);
      const r2 = await deliver('prices', 'pricebook', B);
      const r3 = await deliver('prices', 'pricebook', A);
      expect([r1.status, r2.status, r3.status]).toEqual(['queued', 'queued', 'queued']);
      expect(new Set([r1.eventId, r2.eventId, r3.eventId]).size).toBe(3);
      expect(await one(`SELECT name FROM erp.price_lists WHERE zoho_pricebook_id = $1`, [id])).toEqual({ name: 'List A' });
      const r4 = await deliver('prices', 'pricebook', A);
      expect(r4).toMatchObject({ status: 'duplicate', eventId: r3.eventId });
      // A → B → A → B: the last B is applied too.
      const r5 = await deliver('prices', 'pricebook', B);
      expect(r5.status).toBe('queued');
      expect(await one(`SELECT name FROM erp.price_lists WHERE zoho_pricebook_id = $1`, [id])).toEqual({ name: 'List B' });
    });

    it('untimed: identical copies sent at once give one event; A, B, A sent at once give three, applied in order', async () => {
      const A = zohoPriceBook({ name: 'List A' }, 1);
      const B = { ...A, name: 'List B' };
      const id = (A.pricebook_id as { digits: string }).digits;
      const copies = await Promise.all([1, 2, 3].map(() => post('prices', zohoBody('pricebook', A))));
      expect(copies.map((r) => r.body.status).sort()).toEqual(['duplicate', 'duplicate', 'queued']);
      expect(new Set(copies.map((r) => r.body.eventId)).size).toBe(1);
      const burst = await Promise.all([A, B, A].map((r) => post('prices', zohoBody('pricebook', r))));
      // The first A equals the newest event (the copies above): a duplicate. B and the second A are new.
      expect(burst.map((r) => r.body.status)).toEqual(['duplicate', 'queued', 'queued']);
      await worker.drainOnce();
      expect(await one(`SELECT name FROM erp.price_lists WHERE zoho_pricebook_id = $1`, [id])).toEqual({ name: 'List A' });
      expect(Number(burst[2].body.eventId)).toBeGreaterThan(Number(burst[1].body.eventId));
    });
  });

  describe('2. a write that leaves a record deleted is skipped_stale', () => {
    it('adjustment: create (5, T1) → delete (T2) → update (8, T2) stays deleted and moves no stock', async () => {
      const item = '460000000017081';
      await deliver(
        'stock',
        'item',
        zohoItem({
          item_id: n(item),
          warehouses: undefined,
          stock_on_hand: n(100),
          locations: [{ location_id: n(WH), location_stock_on_hand: n(100) }],
          last_modified_time: '2026-11-28T08:00:00+0300',
        }),
      );
      const line = { line_item_id: zohoId(), item_id: n(item), quantity_adjusted: n('5'), location_id: n(WH) };
      const adj = zohoInventoryAdjustment({ last_modified_time: '2026-11-28T09:00:00+0300' }, [line]);
      const adjId = (adj.inventory_adjustment_id as { digits: string }).digits;
      await deliver('stock', 'inventory_adjustment', adj, 'created');
      expect(await level(item)).toBe('105');
      await deliver('stock', 'inventory_adjustment', { ...adj, last_modified_time: '2026-11-28T10:00:00+0300' }, 'deleted');
      expect(await level(item)).toBe('100');
      const late = await deliver('stock', 'inventory_adjustment', {
        ...adj,
        last_modified_time: '2026-11-28T10:00:00+0300',
        line_items: [{ ...line, quantity_adjusted: n('8') }],
      });
      expect(await outcome(late.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(await level(item)).toBe('100');
      expect(await one(`SELECT stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = $1`, [item])).toEqual({ s: '100' });
      const row = await one<{ deleted_at: Date | null }>(`SELECT deleted_at FROM erp.stock_adjustments WHERE zoho_adjustment_id = $1`, [
        adjId,
      ]);
      expect(row.deleted_at).toBeInstanceOf(Date);
      expect(
        await db.query(`SELECT quantity_adjusted::text AS q FROM erp.stock_adjustment_lines WHERE zoho_adjustment_id = $1`, [adjId]),
      ).toEqual([{ q: '5' }]);

      // A strictly newer version brings it back, applying its quantity once.
      const back = await deliver('stock', 'inventory_adjustment', {
        ...adj,
        last_modified_time: '2026-11-28T11:00:00+0300',
        line_items: [{ ...line, quantity_adjusted: n('8') }],
      });
      expect(await outcome(back.eventId)).toMatchObject({ outcome: 'applied' });
      expect(await level(item)).toBe('108');
      expect(
        (await one<{ deleted_at: Date | null }>(`SELECT deleted_at FROM erp.stock_adjustments WHERE zoho_adjustment_id = $1`, [adjId]))
          .deleted_at,
      ).toBeNull();
    });

    it('contact: an update with the delete’s timestamp does not rename the deleted contact', async () => {
      const v = zohoContact({ contact_name: 'Before', last_modified_time: '2026-11-28T09:00:00+0300' });
      const id = (v.contact_id as { digits: string }).digits;
      await deliver('contacts', 'contact', v);
      await deliver('contacts', 'contact', { ...v, last_modified_time: '2026-11-28T10:00:00+0300' }, 'deleted');
      const late = await deliver('contacts', 'contact', {
        ...v,
        contact_name: 'Evil rename',
        last_modified_time: '2026-11-28T10:00:00+0300',
      });
      expect(await outcome(late.eventId)).toMatchObject({ outcome: 'skipped_stale' });
      expect(
        await one(`SELECT contact_name, deleted_at IS NOT NULL AS deleted FROM erp.contacts WHERE zoho_contact_id = $1`, [id]),
      ).toEqual({
        contact_name: 'Before',
        deleted: true,
      });
    });
  });

  describe('3. deletes without a timestamp', () => {
    it('a timestamped type: the delete takes its receive time, so a late older update cannot undo it', async () => {
      const v = zohoContact({ contact_name: 'Live', last_modified_time: '2026-11-28T09:00:00+0300' });
      const id = (v.contact_id as { digits: string }).digits;
      await deliver('contacts', 'contact', v);
      await deliver('contacts', 'contact', { contact_id: v.contact_id }, 'deleted');
      const late = await deliver('contacts', 'contact', {
        ...v,
        contact_name: 'Late update',
        last_modified_time: '2026-11-28T09:30:00+0300',
      });
      expect(await outcome(late.eventId)).toMatchObject({ outcome: 'skipped_stale' });
      expect(
        await one(`SELECT contact_name, deleted_at IS NOT NULL AS deleted FROM erp.contacts WHERE zoho_contact_id = $1`, [id]),
      ).toEqual({
        contact_name: 'Live',
        deleted: true,
      });
      // A version newer than the receive time is a real re-creation.
      const future = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, '+0000');
      await deliver('contacts', 'contact', { ...v, contact_name: 'Restored', last_modified_time: future });
      expect(
        await one(`SELECT contact_name, deleted_at IS NOT NULL AS deleted FROM erp.contacts WHERE zoho_contact_id = $1`, [id]),
      ).toEqual({
        contact_name: 'Restored',
        deleted: false,
      });
    });

    it('an untimed type: a delete is final; a later update moves no stock and leaves it deleted', async () => {
      const item = '460000000017082';
      await deliver(
        'stock',
        'item',
        zohoItem({
          item_id: n(item),
          warehouses: undefined,
          stock_on_hand: n(50),
          locations: [{ location_id: n(WH), location_stock_on_hand: n(50) }],
          last_modified_time: '2026-11-28T08:00:00+0300',
        }),
      );
      const line = { line_item_id: zohoId(), item_id: n(item), quantity_adjusted: n('-3'), location_id: n(WH) };
      const adj = zohoInventoryAdjustment({}, [line]);
      const adjId = (adj.inventory_adjustment_id as { digits: string }).digits;
      await deliver('stock', 'inventory_adjustment', adj, 'created');
      expect(await level(item)).toBe('47');
      await deliver('stock', 'inventory_adjustment', { inventory_adjustment_id: adj.inventory_adjustment_id }, 'deleted');
      expect(await level(item)).toBe('50');
      const late = await deliver('stock', 'inventory_adjustment', { ...adj, line_items: [{ ...line, quantity_adjusted: n('-9') }] });
      expect(await outcome(late.eventId)).toMatchObject({ outcome: 'skipped_stale' });
      expect(await level(item)).toBe('50');
      expect(
        (
          await one<{ deleted: boolean }>(
            `SELECT deleted_at IS NOT NULL AS deleted FROM erp.stock_adjustments WHERE zoho_adjustment_id = $1`,
            [adjId],
          )
        ).deleted,
      ).toBe(true);
      // Even one carrying a timestamp: nothing is newer than a final delete.
      const stamped = await deliver('stock', 'inventory_adjustment', { ...adj, last_modified_time: '2030-01-01T00:00:00+0000' });
      expect(await outcome(stamped.eventId)).toMatchObject({ outcome: 'skipped_stale' });
      expect(await level(item)).toBe('50');

      // A price list too.
      const pb = zohoPriceBook({ name: 'Gone' }, 1);
      await deliver('prices', 'pricebook', pb);
      await deliver('prices', 'pricebook', { pricebook_id: pb.pricebook_id }, 'deleted');
      const again = await deliver('prices', 'pricebook', { ...pb, name: 'Back?' });
      expect(await outcome(again.eventId)).toMatchObject({ outcome: 'skipped_stale' });
      expect(
        await one(`SELECT name, deleted_at IS NOT NULL AS deleted FROM erp.price_lists WHERE zoho_pricebook_id = $1`, [
          (pb.pricebook_id as { digits: string }).digits,
        ]),
      ).toEqual({
        name: 'Gone',
        deleted: true,
      });
    });
  });

  describe('4 and 14. stock deltas against snapshots', () => {
    it('a delta older than the current snapshot does not move the level again, and says so', async () => {
      const item = '460000000017083';
      const snapshot = (qty: number, at: string) =>
        deliver(
          'stock',
          'item',
          zohoItem({
            item_id: n(item),
            warehouses: undefined,
            stock_on_hand: n(qty),
            locations: [{ location_id: n(WH), location_name: 'Main', location_stock_on_hand: n(qty) }],
            last_modified_time: at,
          }),
        );
      await snapshot(100, '2026-11-28T09:00:00+0300');
      await snapshot(105, '2026-11-28T10:00:01+0300'); // already counts the +5 below
      const adj = zohoInventoryAdjustment({ last_modified_time: '2026-11-28T10:00:00+0300' }, [
        { line_item_id: zohoId(), item_id: n(item), quantity_adjusted: n('5'), location_id: n(WH) },
      ]);
      const ev = await deliver('stock', 'inventory_adjustment', adj, 'created');
      expect(await level(item)).toBe('105');
      expect(await one(`SELECT stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = $1`, [item])).toEqual({ s: '105' });
      const o = await outcome(ev.eventId);
      expect(o).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(o.outcome_detail).toMatch(/not applied, the stock snapshot of 2026-11-28T07:00:01\.000000Z already counts it/);
      const detail = await t.app.get(QueueService).get(ev.eventId);
      expect(toQueueEvent(detail).outcomeDetail).toBe(o.outcome_detail);
      // The line still records +5 as in the level: an edit to +7 moves only +2 (it is newer than the snapshot).
      await deliver('stock', 'inventory_adjustment', {
        ...adj,
        last_modified_time: '2026-11-28T11:00:00+0300',
        line_items: [{ ...(adj.line_items as Json[])[0], quantity_adjusted: n('7') }],
      });
      expect(await level(item)).toBe('107');

      // Without a timestamp an adjustment applies on arrival.
      await deliver(
        'stock',
        'inventory_adjustment',
        zohoInventoryAdjustment({}, [{ line_item_id: zohoId(), item_id: n(item), quantity_adjusted: n('3'), location_id: n(WH) }]),
      );
      expect(await level(item)).toBe('110');
    });

    it('with a backlog, an adjustment that arrived after a snapshot of its item lands on top of it (one batch or two loops)', async () => {
      // Before the fix a batch applied its adjustments before its item records whatever their arrival, and two loops
      // claimed them side by side: the older snapshot then overwrote the adjustment (20 instead of 17).
      const items = ['460000000017091', '460000000017092', '460000000017093'];
      const snapshot = (item: string, qty: number, at: string, route = 'stock') =>
        post(
          route,
          zohoBody(
            'item',
            zohoItem({
              item_id: n(item),
              warehouses: undefined,
              stock_on_hand: n(qty),
              locations: [{ location_id: n(WH), location_stock_on_hand: n(qty) }],
              last_modified_time: at,
            }),
          ),
        ).expect(202);
      const adjust = (item: string, qty: string, at?: string) =>
        post(
          'stock',
          zohoBody(
            'inventory_adjustment',
            zohoInventoryAdjustment(at ? { last_modified_time: at } : {}, [
              { line_item_id: zohoId(), item_id: n(item), quantity_adjusted: n(qty), location_id: n(WH) },
            ]),
          ),
          'created',
        ).expect(202);
      for (const item of items) await snapshot(item, 10, '2026-06-01T10:00:00Z');
      await worker.drainOnce();
      // The backlog: a newer snapshot of each item, then an adjustment made after it (timed, untimed, and a snapshot
      // that came through the products route), then unrelated events between them.
      await snapshot(items[0], 20, '2026-06-02T10:00:00Z');
      await snapshot(items[1], 20, '2026-06-02T10:00:00Z');
      await snapshot(items[2], 20, '2026-06-02T10:00:00Z', 'products');
      await post('contacts', zohoBody('contact', zohoContact({}))).expect(202);
      await adjust(items[0], '-3', '2026-06-03T10:00:00Z');
      await adjust(items[1], '-3');
      await adjust(items[2], '-3', '2026-06-03T10:00:00Z');
      await post('contacts', zohoBody('contact', zohoContact({}))).expect(202);
      // Two loops at once, as the worker runs them (TDS_WORKER_CONCURRENCY), then whatever is left.
      await Promise.all([worker.runOnce(), worker.runOnce()]);
      await worker.drainOnce();
      for (const item of items) {
        expect(await level(item), item).toBe('17');
        expect(await one(`SELECT stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = $1`, [item])).toEqual({ s: '17' });
      }
      expect(await db.query(`SELECT status, outcome, count(*)::int AS n FROM tds.events GROUP BY 1, 2`)).toEqual([
        { status: 'completed', outcome: 'applied', n: 11 },
      ]);
    });

    it('stock waits per item: an adjustment waits only for earlier failing records of its own items, and back', async () => {
      const item = '460000000017094';
      const other = '460000000017095';
      const snapshot = (id: string, qty: number) =>
        zohoItem({
          item_id: n(id),
          warehouses: undefined,
          stock_on_hand: n(qty),
          locations: [{ location_id: n(WH), location_stock_on_hand: n(qty) }],
        });
      const adjust = async (lines: { item: string; qty: string }[]) =>
        (
          await post(
            'stock',
            zohoBody(
              'inventory_adjustment',
              zohoInventoryAdjustment(
                {},
                lines.map((l) => ({ line_item_id: zohoId(), item_id: n(l.item), quantity_adjusted: n(l.qty), location_id: n(WH) })),
              ),
            ),
            'created',
          ).expect(202)
        ).body.eventId as string;
      const failLater = (id: string) =>
        db.query(`UPDATE tds.events SET status = 'failed', next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [id]);
      const status = async (id: string) => (await one<{ status: string }>(`SELECT status FROM tds.events WHERE id = $1`, [id])).status;
      expect(await outcome((await deliver('stock', 'item', snapshot(item, 10))).eventId)).toMatchObject({ outcome: 'applied' });
      expect(await outcome((await deliver('stock', 'item', snapshot(other, 5))).eventId)).toMatchObject({ outcome: 'applied' });

      // A record of `item` fails (a retry waiting for its backoff). An adjustment of `other` does not wait for it; one of
      // `item` (and `other`) does, and so does a later record of `other` behind that adjustment.
      const failing = (await post('stock', zohoBody('item', snapshot(item, 20))).expect(202)).body.eventId as string;
      await failLater(failing);
      const ofOther = await adjust([{ item: other, qty: '-1' }]);
      const ofBoth = await adjust([
        { item: other, qty: '-2' },
        { item, qty: '-3' },
      ]);
      const laterOther = (await post('stock', zohoBody('item', snapshot(other, 50))).expect(202)).body.eventId as string;
      const products = (await post('products', zohoBody('item', zohoItem({}))).expect(202)).body.eventId as string;
      await worker.drainOnce();
      expect(await outcome(ofOther)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await level(other)).toBe('4');
      expect([await status(ofBoth), await status(laterOther)]).toEqual(['pending', 'pending']);
      expect(await status(products)).toBe('completed'); // an unrelated item is not held back
      expect(await level(item)).toBe('10');

      // The failing record is settled (its retry comes due and applies): the adjustment runs after it, then the record behind it.
      await db.query(`UPDATE tds.events SET next_attempt_at = now() WHERE id = $1`, [failing]);
      await worker.drainOnce();
      expect(await level(item)).toBe('17');
      expect(await level(other)).toBe('50');
      expect(await outcome(ofBoth)).toMatchObject({ status: 'completed', outcome: 'applied' });

      // And the other way: an item record waits for an earlier adjustment of its item that is failing, not for one of another item.
      const adjItem = await adjust([{ item, qty: '-7' }]);
      await failLater(adjItem);
      const afterOnItem = (await post('stock', zohoBody('item', snapshot(item, 30))).expect(202)).body.eventId as string;
      const afterOnOther = (await post('stock', zohoBody('item', snapshot(other, 60))).expect(202)).body.eventId as string;
      await worker.drainOnce();
      expect(await status(afterOnItem)).toBe('pending');
      expect(await outcome(afterOnOther)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await level(other)).toBe('60');
      await db.query(`UPDATE tds.events SET next_attempt_at = now() WHERE id = $1`, [adjItem]);
      await worker.drainOnce();
      expect(await level(item)).toBe('30');
      expect(await outcome(afterOnItem)).toMatchObject({ status: 'completed', outcome: 'applied' });
    });

    it("an adjustment's items are the digits of its lines' item_id, as the handler reads them", async () => {
      const res = await post(
        'stock',
        zohoBody(
          'inventory_adjustment',
          zohoInventoryAdjustment({}, [
            { line_item_id: zohoId(), item_id: n('460000000017097'), quantity_adjusted: n('-1'), location_id: n(WH) },
            { line_item_id: zohoId(), item_id: ' 460000000017096 ', quantity_adjusted: n('-1'), location_id: n(WH) },
            { line_item_id: zohoId(), item_id: n('460000000017097'), quantity_adjusted: n('-1'), location_id: n(WH) },
            { line_item_id: zohoId(), quantity_adjusted: n('-1'), location_id: n(WH) },
          ]),
        ),
        'created',
      ).expect(202);
      expect(await one(`SELECT stock_item_ids FROM tds.events WHERE id = $1`, [res.body.eventId])).toEqual({
        stock_item_ids: ['460000000017096', '460000000017097'],
      });
      // A replay (a new event, copied from the stored one) waits for the same items.
      const replayed = await t.app.get(EventBrowserService).replay(res.body.eventId as string, null);
      expect(await one(`SELECT stock_item_ids FROM tds.events WHERE id = $1`, [replayed])).toEqual({
        stock_item_ids: ['460000000017096', '460000000017097'],
      });
      const contact = await post('contacts', zohoBody('contact', zohoContact({}))).expect(202);
      expect(await one(`SELECT stock_item_ids FROM tds.events WHERE id = $1`, [contact.body.eventId])).toEqual({ stock_item_ids: null });
    });

    it('a delta onto a location never seen stays unknown (NULL), with the location name stored', async () => {
      const item = '460000000017084';
      const wh = '460000000038099';
      const adj = zohoInventoryAdjustment({}, [
        { line_item_id: zohoId(), item_id: n(item), quantity_adjusted: n('-5'), location_id: n(wh), location_name: 'Basra depot' },
      ]);
      const ev = await deliver('stock', 'inventory_adjustment', adj, 'created');
      expect(
        await one(
          `SELECT stock_on_hand, available_stock, warehouse_name FROM erp.stock_levels WHERE zoho_item_id = $1 AND warehouse_id = $2`,
          [item, wh],
        ),
      ).toEqual({
        stock_on_hand: null,
        available_stock: null,
        warehouse_name: 'Basra depot',
      });
      expect(await one(`SELECT stock_on_hand FROM erp.products WHERE zoho_item_id = $1`, [item])).toEqual({ stock_on_hand: null });
      expect(await one(`SELECT warehouse_name FROM erp.stock_adjustment_lines WHERE zoho_item_id = $1`, [item])).toEqual({
        warehouse_name: 'Basra depot',
      });
      expect((await outcome(ev.eventId)).outcome_detail).toMatch(/level unknown until a stock snapshot arrives/);
      // The snapshot gives the level; later deltas move it.
      await deliver(
        'stock',
        'item',
        zohoItem({
          item_id: n(item),
          warehouses: undefined,
          stock_on_hand: n(20),
          locations: [{ location_id: n(wh), location_stock_on_hand: n(20) }],
          last_modified_time: '2026-11-28T08:00:00+0300',
        }),
      );
      await deliver(
        'stock',
        'inventory_adjustment',
        zohoInventoryAdjustment({}, [{ line_item_id: zohoId(), item_id: n(item), quantity_adjusted: n('-2'), location_id: n(wh) }]),
      );
      expect(await level(item, wh)).toBe('18');
    });
  });

  describe('an untimed write never lowers or erases the stored version', () => {
    const T1 = '2026-11-28T09:00:00+0300';
    const T2 = '2026-11-28T10:00:00+0300';
    const version = async (table: string, where: string, params: unknown[]) =>
      (
        await one<{ v: string | null }>(
          `SELECT to_char(zoho_modified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS v FROM ${table} WHERE ${where}`,
          params,
        )
      ).v;

    it('contact 8001: T2 → untimed → T1: the late T1 delivery is skipped_stale and the name stays', async () => {
      const v = zohoContact({ contact_id: n('8001'), contact_name: 'Newest (T2)', last_modified_time: T2 });
      const first = await deliver('contacts', 'contact', v);
      const untimed = await deliver('contacts', 'contact', { ...v, contact_name: 'Untimed edit', last_modified_time: undefined });
      const late = await deliver('contacts', 'contact', { ...v, contact_name: 'Older (T1)', last_modified_time: T1 });
      expect(await outcome(first.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await outcome(untimed.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await outcome(late.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(await one(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = '8001'`)).toEqual({ contact_name: 'Untimed edit' });
      expect(await version('erp.contacts', `zoho_contact_id = '8001'`, [])).toBe('2026-11-28T07:00:00Z');
    });

    it('a delete older than the version kept across an untimed write is stale: the record stays live', async () => {
      const v = zohoContact({ contact_name: 'Live', last_modified_time: T2 });
      const id = (v.contact_id as { digits: string }).digits;
      await deliver('contacts', 'contact', v);
      await deliver('contacts', 'contact', { ...v, contact_name: 'Untimed edit', last_modified_time: undefined });
      const del = await deliver('contacts', 'contact', { ...v, last_modified_time: T1 }, 'deleted');
      expect(await outcome(del.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(
        await one(`SELECT contact_name, deleted_at IS NOT NULL AS deleted FROM erp.contacts WHERE zoho_contact_id = $1`, [id]),
      ).toEqual({ contact_name: 'Untimed edit', deleted: false });
    });

    it('/webhooks/products: an untimed snapshot keeps the versions of the product and its stock levels', async () => {
      const item = '460000000017085';
      const snapshot = (name: string, qty: number, at: string | undefined) =>
        deliver(
          'products',
          'item',
          zohoItem({
            item_id: n(item),
            name,
            warehouses: undefined,
            stock_on_hand: n(qty),
            locations: [{ location_id: n(WH), location_name: 'Main', location_stock_on_hand: n(qty) }],
            last_modified_time: at,
          }),
        );
      await snapshot('Pump (T2)', 100, T2);
      const untimed = await snapshot('Pump (untimed)', 90, undefined);
      expect(await outcome(untimed.eventId)).toMatchObject({ outcome: 'applied' });
      expect(await level(item)).toBe('90');
      expect(await version('erp.products', 'zoho_item_id = $1', [item])).toBe('2026-11-28T07:00:00Z');
      expect(await version('erp.stock_levels', 'zoho_item_id = $1 AND warehouse_id = $2', [item, WH])).toBe('2026-11-28T07:00:00Z');
      const late = await snapshot('Pump (T1)', 50, T1);
      expect(await outcome(late.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(await one(`SELECT name, stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = $1`, [item])).toEqual({
        name: 'Pump (untimed)',
        s: '90',
      });
      expect(await level(item)).toBe('90');
    });

    it('/webhooks/stock: after an untimed snapshot, a delta older than the last timed snapshot is still not counted twice', async () => {
      const item = '460000000017086';
      const snapshot = (qty: number, at: string | undefined) =>
        deliver(
          'stock',
          'item',
          zohoItem({
            item_id: n(item),
            warehouses: undefined,
            stock_on_hand: n(qty),
            locations: [{ location_id: n(WH), location_name: 'Main', location_stock_on_hand: n(qty) }],
            last_modified_time: at,
          }),
        );
      await snapshot(105, T2); // already counts the +5 of 09:30 below
      await snapshot(105, undefined);
      expect(await version('erp.stock_levels', 'zoho_item_id = $1 AND warehouse_id = $2', [item, WH])).toBe('2026-11-28T07:00:00Z');
      const adj = zohoInventoryAdjustment({ last_modified_time: '2026-11-28T09:30:00+0300' }, [
        { line_item_id: zohoId(), item_id: n(item), quantity_adjusted: n('5'), location_id: n(WH) },
      ]);
      const ev = await deliver('stock', 'inventory_adjustment', adj, 'created');
      expect(await outcome(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect((await outcome(ev.eventId)).outcome_detail).toMatch(/the stock snapshot of 2026-11-28T07:00:00\.000000Z already counts it/);
      expect(await level(item)).toBe('105');
      expect(await one(`SELECT stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = $1`, [item])).toEqual({ s: '105' });
      // An older timed snapshot arriving late does not overwrite the levels either.
      const late = await snapshot(60, T1);
      expect(await outcome(late.eventId)).toMatchObject({ outcome: 'skipped_stale' });
      expect(await level(item)).toBe('105');
    });
  });

  it('7. a stored record that is not an object (stored by an older version) goes to dead letter, never "applied"', async () => {
    const [{ id }] = await db.query<{ id: string }>(
      `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, content_type, body, payload)
       VALUES ('legacy-1', 'product', 'item', '2001', 'updated', 'application/json', convert_to('{"item":[1,2,3]}', 'UTF8'), '[1,2,3]')
       RETURNING id::text AS id`,
    );
    await worker.drainOnce();
    const row = await one<{ status: string; last_error: string }>(`SELECT status, last_error FROM tds.events WHERE id = $1`, [id]);
    expect(row.status).toBe('dead_letter');
    expect(row.last_error).toMatch(/not a JSON object/);
    expect(await db.query(`SELECT 1 FROM erp.products WHERE zoho_item_id = '2001'`)).toEqual([]);
  });
});
