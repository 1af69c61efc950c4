import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { Json, n, zohoBody, zohoContact, zohoItem } from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'permanent-errors-key-1';
const WH = '460000000038080';
const WH2 = '460000000038090';

/** 4,000 random characters: no compression brings the index entry under btree's limit (SQLSTATE 54000). */
const hugeSku = () => randomBytes(3000).toString('base64');

/**
 * Errors that retrying the same data can never fix go to dead letter at once, with their SQLSTATE, and the record's
 * later events run; an item naming one location twice is merged (the last entry wins) instead of failing the write.
 */
describe('data the database can never take (integration, real receiver and worker)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: QueueWorker;

  const send = async (route: string, envelope: string, record: Json) => {
    const res = await request(t.server)
      .post(`/webhooks/${route}?event=updated`)
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send(zohoBody(envelope, record));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return (res.body as { eventId: string }).eventId;
  };
  const event = async (id: string) =>
    (
      await db.query<{
        status: string;
        outcome: string | null;
        attempts: number;
        last_error_code: string | null;
        last_error: string | null;
      }>('SELECT status, outcome, attempts, last_error_code, last_error FROM tds.events WHERE id = $1', [id])
    )[0];
  const levels = (item: string) =>
    db.query<{ w: string; s: string | null; a: string | null; name: string | null; raw: Json }>(
      `SELECT warehouse_id AS w, stock_on_hand::text AS s, available_stock::text AS a, warehouse_name AS name, raw
       FROM erp.stock_levels WHERE zoho_item_id = $1 ORDER BY warehouse_id`,
      [item],
    );
  const product = async (item: string) =>
    (
      await db.query<{ name: string; sku: string | null; s: string | null }>(
        `SELECT name, sku, stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = $1`,
        [item],
      )
    )[0];

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
    await db.query('TRUNCATE tds.events, tds.event_attempts, erp.contacts, erp.products, erp.stock_levels');
  });

  describe('an item naming one location twice', () => {
    const twice = (item: string, over: Json = {}) =>
      zohoItem({
        item_id: n(item),
        warehouses: undefined,
        stock_on_hand: undefined,
        locations: [
          { location_id: n(WH), location_name: 'Main (old name)', location_stock_on_hand: n(10), location_available_stock: n(9) },
          { location_id: n(WH2), location_name: 'Erbil', location_stock_on_hand: n(3), location_available_stock: n(3) },
          { location_id: String(WH), location_name: 'Main', location_stock_on_hand: n(15), location_available_stock: n(14) },
        ],
        ...over,
      });

    it.each(['stock', 'products'])(
      'on /webhooks/%s: applied, the last entry of the location wins, the total counts it once',
      async (route) => {
        const item = route === 'stock' ? '460000000017091' : '460000000017092';
        const id = await send(route, 'item', twice(item));
        await worker.drainOnce();
        expect(await event(id)).toMatchObject({ status: 'completed', outcome: 'applied', attempts: 1, last_error_code: null });
        expect(await levels(item)).toEqual([
          {
            w: WH,
            s: '15',
            a: '14',
            name: 'Main',
            raw: { location_id: WH, location_name: 'Main', location_stock_on_hand: 15, location_available_stock: 14 },
          },
          {
            w: WH2,
            s: '3',
            a: '3',
            name: 'Erbil',
            raw: { location_id: Number(WH2), location_name: 'Erbil', location_stock_on_hand: 3, location_available_stock: 3 },
          },
        ]);
        // No item total in the record: the sum of its locations, each counted once (15 + 3).
        expect((await product(item)).s).toBe('18');

        // The record's next event applies as usual.
        const next = await send(
          route,
          'item',
          twice(item, {
            locations: [{ location_id: n(WH), location_stock_on_hand: n(20) }],
            last_modified_time: '2026-11-28T11:00:00+0300',
          }),
        );
        await worker.drainOnce();
        expect(await event(next)).toMatchObject({ status: 'completed', outcome: 'applied' });
        expect((await levels(item)).map((l) => [l.w, l.s])).toEqual([
          [WH, '20'],
          [WH2, '3'],
        ]);
      },
    );
  });

  describe('a sku too large for products_sku_idx (SQLSTATE 54000)', () => {
    it('goes to dead letter at once with its code; the others in its batch apply; the record’s next event applies', async () => {
      const item = '460000000017093';
      const bad = await send('products', 'item', zohoItem({ item_id: n(item), name: 'Huge sku', sku: hugeSku() }));
      const goodItem = await send('products', 'item', zohoItem({ item_id: n('460000000017094'), sku: 'OK-1' }));
      const goodContact = await send('contacts', 'contact', zohoContact({ contact_id: n('8101'), contact_name: 'Neighbour' }));
      const goodStock = await send('stock', 'item', zohoItem({ item_id: n('460000000017095'), sku: 'OK-2' }));
      // One batch: the bad event is isolated under its own savepoint, its neighbours commit.
      expect(await worker.runOnce()).toBe(4);
      const dead = await event(bad);
      expect(dead).toMatchObject({ status: 'dead_letter', attempts: 1, last_error_code: '54000' });
      expect(dead.last_error).toMatch(/index row size .* exceeds .*products_sku_idx/);
      for (const id of [goodItem, goodContact, goodStock])
        expect(await event(id)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await product(item)).toBeUndefined();
      expect((await product('460000000017094')).sku).toBe('OK-1');
      expect(await db.query(`SELECT contact_name FROM erp.contacts WHERE zoho_contact_id = '8101'`)).toEqual([
        { contact_name: 'Neighbour' },
      ]);

      // The dead letter does not hold back the record's later version.
      const next = await send(
        'products',
        'item',
        zohoItem({ item_id: n(item), name: 'Fixed sku', sku: 'HP-200-X', last_modified_time: '2026-11-28T11:00:00+0300' }),
      );
      await worker.drainOnce();
      expect(await event(next)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await product(item)).toMatchObject({ name: 'Fixed sku', sku: 'HP-200-X' });
      expect(await db.query(`SELECT outcome, error_code FROM tds.event_attempts WHERE event_id = $1`, [bad])).toEqual([
        { outcome: 'dead_letter', error_code: '54000' },
      ]);
    });

    it('on /webhooks/stock too (a new item row carries the sku)', async () => {
      const item = '460000000017096';
      const bad = await send('stock', 'item', zohoItem({ item_id: n(item), sku: hugeSku() }));
      await worker.drainOnce();
      expect(await event(bad)).toMatchObject({ status: 'dead_letter', attempts: 1, last_error_code: '54000' });
      const next = await send('stock', 'item', zohoItem({ item_id: n(item), sku: 'OK-3', last_modified_time: '2026-11-28T11:00:00+0300' }));
      await worker.drainOnce();
      expect(await event(next)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect((await product(item)).sku).toBe('OK-3');
    });
  });
});
