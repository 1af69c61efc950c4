import request from 'supertest';
import type { QueryRunner } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawIsExactJson1764300000007 } from '../../migrations/1764300000007-RawIsExactJson';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { Json, n, zohoBody, zohoId, zohoInvoice, zohoItem, zohoPriceBook } from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'sync-raw-key-1';

/** `raw` is the record's exact JSON in every ERP table: numbers stay JSON numbers (decision 0010). */
describe('raw is the exact JSON as received (integration)', () => {
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
    await worker.drainOnce();
    const [ev] = await db.query<{ status: string; outcome: string }>(`SELECT status, outcome FROM tds.events WHERE id = $1`, [
      res.body.eventId,
    ]);
    expect(ev).toEqual({ status: 'completed', outcome: 'applied' });
    return res.body.eventId as string;
  };
  const rawOf = async (sql: string, params: unknown[]) => {
    const rows = await db.query<{ raw: string }>(sql, params);
    expect(rows).toHaveLength(1);
    return rows[0].raw;
  };

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
    await db.query(`TRUNCATE tds.events CASCADE`);
    await db.query(`TRUNCATE erp.stock_levels, erp.price_list_items, erp.price_lists, erp.products`);
  });

  it('erp.stock_levels.raw is the location entry as sent (numbers as JSON numbers), from locations[] and warehouses[]', async () => {
    const WH = '460000000099001';
    const item = zohoItem({
      stock_on_hand: undefined,
      warehouses: undefined,
      // a non-object entry and an entry without an id come first: raw must still be the right entry
      locations: [
        null,
        { location_name: 'no id' },
        { location_id: n(WH), location_name: 'Basra', location_stock_on_hand: n('12.50'), location_available_stock: n(6) },
      ],
    });
    await deliver('stock', 'item', item);
    const raw = await rawOf(`SELECT raw::text AS raw FROM erp.stock_levels WHERE zoho_item_id = $1 AND warehouse_id = $2`, [
      String((item.item_id as { digits: string }).digits),
      WH,
    ]);
    expect(JSON.parse(raw)).toEqual({
      location_id: Number(WH),
      location_name: 'Basra',
      location_stock_on_hand: 12.5,
      location_available_stock: 6,
    });
    expect(raw).toContain('"location_stock_on_hand": 12.50'); // the spelling as sent
    const [{ s }] = await db.query<{ s: string }>(
      `SELECT ((raw -> 'location_stock_on_hand')::numeric + 0)::text AS s FROM erp.stock_levels WHERE warehouse_id = $1`,
      [WH],
    );
    expect(s).toBe('12.50');

    const viaProducts = zohoItem();
    await deliver('products', 'item', viaProducts);
    const rows = await db.query<{ raw: Json; exact: boolean }>(
      `SELECT l.raw, l.raw = (e.payload -> 'warehouses' -> 0) OR l.raw = (e.payload -> 'warehouses' -> 1) AS exact
       FROM erp.stock_levels l JOIN tds.events e ON e.entity_id = l.zoho_item_id AND e.record_type = 'item'
       WHERE l.zoho_item_id = $1`,
      [String((viaProducts.item_id as { digits: string }).digits)],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.exact).toBe(true);
      expect(typeof r.raw.warehouse_stock_on_hand).toBe('number');
    }
  });

  it('erp.price_list_items.raw is the item entry as sent; a repeated item keeps its last entry', async () => {
    const itemId = zohoId();
    const pb = zohoPriceBook({
      pricebook_items: [
        { item_id: itemId, pricebook_item_id: zohoId(), name: 'first', pricebook_rate: n('10.00') },
        7,
        { item_id: itemId, pricebook_item_id: zohoId(), name: 'second', pricebook_rate: n('11.50') },
      ],
    });
    await deliver('prices', 'pricebook', pb);
    const raw = await rawOf(`SELECT raw::text AS raw FROM erp.price_list_items WHERE zoho_item_id = $1`, [
      String((itemId as { digits: string }).digits ?? itemId),
    ]);
    expect(JSON.parse(raw)).toMatchObject({ name: 'second', pricebook_rate: 11.5 });
    expect(raw).toContain('"pricebook_rate": 11.50');
  });

  it('a line raw is its own entry even when the list holds a non-object before it', async () => {
    const inv = zohoInvoice();
    const lines = inv.line_items as Json[];
    await deliver('invoices', 'invoice', { ...inv, line_items: ['junk', ...lines] });
    const rows = await db.query<{ ok: boolean }>(
      `SELECT l.raw = (e.payload -> 'line_items' -> (l.position)) AS ok
       FROM erp.invoice_lines l JOIN tds.events e ON e.entity_id = l.zoho_invoice_id AND e.record_type = 'invoice'`,
    );
    expect(rows).toHaveLength(lines.length);
    expect(rows.every((r) => r.ok)).toBe(true);
  });

  it('migration 1764300000007 re-derives old numbers-as-strings raw from the stored events, converts known keys without one, and reverts', async () => {
    const runner = { query: (sql: string, params?: unknown[]) => db.pool.query(sql, params).then((r) => r.rows) } as unknown as QueryRunner;
    const migration = new RawIsExactJson1764300000007();
    const WH = '460000000099007';
    const item = zohoItem({
      stock_on_hand: undefined,
      warehouses: undefined,
      locations: [{ location_id: n(WH), location_name: '123', location_stock_on_hand: n('5.0') }],
    });
    await deliver('stock', 'item', item);
    const itemId = String((item.item_id as { digits: string }).digits);
    const exact = await rawOf(`SELECT raw::text AS raw FROM erp.stock_levels WHERE zoho_item_id = $1`, [itemId]);
    // What the old writer stored: every number a string.
    await db.query(`UPDATE erp.stock_levels SET raw = $2::jsonb WHERE zoho_item_id = $1`, [
      itemId,
      JSON.stringify({ location_id: WH, location_name: '123', location_stock_on_hand: '5.0' }),
    ]);
    // A row whose event is gone: only the known numeric keys that hold exact number literals are converted.
    await db.query(
      `INSERT INTO erp.stock_levels (zoho_item_id, warehouse_id, stock_on_hand, raw) VALUES ('1', '2', 3, $1::jsonb), ('1', '3', NULL, NULL)`,
      [
        JSON.stringify({
          warehouse_id: '2',
          warehouse_name: '42',
          warehouse_stock_on_hand: '3.50',
          warehouse_available_stock: '',
          warehouse_committed_stock: '1e3',
          rate: '07',
        }),
      ],
    );
    await db.query(`INSERT INTO erp.price_list_items (zoho_pricebook_id, zoho_item_id, position, raw) VALUES ('9', '8', 1, $1::jsonb)`, [
      JSON.stringify({ item_id: '8', name: '100', pricebook_rate: '9.90', rate: 'x', pricebook_discount: '10' }),
    ]);

    await migration.up(runner);
    expect(await rawOf(`SELECT raw::text AS raw FROM erp.stock_levels WHERE zoho_item_id = $1`, [itemId])).toBe(exact);
    expect(await rawOf(`SELECT raw::text AS raw FROM erp.stock_levels WHERE zoho_item_id = '1' AND warehouse_id = '2'`, [])).toBe(
      '{"rate": "07", "warehouse_id": "2", "warehouse_name": "42", "warehouse_stock_on_hand": 3.50, "warehouse_available_stock": "", "warehouse_committed_stock": 1000}',
    );
    expect(await rawOf(`SELECT raw::text AS raw FROM erp.stock_levels WHERE zoho_item_id = '1' AND warehouse_id = '3'`, [])).toBeNull();
    expect(await rawOf(`SELECT raw::text AS raw FROM erp.price_list_items WHERE zoho_pricebook_id = '9'`, [])).toBe(
      '{"name": "100", "rate": "x", "item_id": "8", "pricebook_rate": 9.90, "pricebook_discount": "10"}',
    );
    // Idempotent: a second run changes nothing.
    await migration.up(runner);
    expect(await rawOf(`SELECT raw::text AS raw FROM erp.stock_levels WHERE zoho_item_id = $1`, [itemId])).toBe(exact);

    await migration.down(runner);
    expect(JSON.parse(await rawOf(`SELECT raw::text AS raw FROM erp.stock_levels WHERE zoho_item_id = $1`, [itemId]))).toEqual({
      location_id: WH,
      location_name: '123',
      location_stock_on_hand: '5.0',
    });
    expect(JSON.parse(await rawOf(`SELECT raw::text AS raw FROM erp.price_list_items WHERE zoho_pricebook_id = '9'`, []))).toMatchObject({
      pricebook_rate: '9.90',
    });
    await migration.up(runner);
    expect(await rawOf(`SELECT raw::text AS raw FROM erp.stock_levels WHERE zoho_item_id = $1`, [itemId])).toBe(exact);
  });
});
