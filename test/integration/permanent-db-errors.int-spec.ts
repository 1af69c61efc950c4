import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { Json, n, zohoBody, zohoItem } from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'permanent-errors-key-1';
const WH = '460000000038080';
const WH2 = '460000000038090';

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
});
