import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import {
  Json,
  n,
  Num,
  zohoBill,
  zohoBody,
  zohoContact,
  zohoCreditNote,
  zohoId,
  zohoInventoryAdjustment,
  zohoInvoice,
  zohoItem,
  zohoPriceBook,
  zohoSalesOrder,
} from '../factories/zoho-payloads';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'sync-test-key-1';

interface Case {
  name: string;
  route: string;
  envelope: string;
  idField: string;
  table: string;
  key: string;
  make: (over?: Json) => Json;
  /** A change for v2 and what it must look like in the table. */
  change: Json;
  expectV1: (r: Json) => Record<string, unknown>;
  expectV2: Record<string, unknown>;
  lines?: { table: string; parentKey: string };
  timestamped: boolean;
}

const digits = (v: unknown) => (v instanceof Num ? v.digits : String(v));
/** A row's zoho_modified_at as ISO 8601 UTC text (null stays null). */
const ISO_VERSION = `to_char(zoho_modified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const CASES: Case[] = [
  {
    name: 'contact',
    route: 'contacts',
    envelope: 'contact',
    idField: 'contact_id',
    table: 'erp.contacts',
    key: 'zoho_contact_id',
    make: zohoContact,
    change: { contact_name: 'Bagdad Trading (renamed)', credit_limit: n('99999999999999.9999'), status: 'inactive' },
    expectV1: () => ({
      contact_type: 'customer',
      contact_name: 'Bagdad Trading Co.',
      company_name: 'Bagdad Trading Company LLC',
      email: 'ali.hassan@bagdad-trading.iq',
      phone: '+964 770 123 4567',
      currency_code: 'IQD',
      status: 'active',
      credit_limit: '15000000.00',
      outstanding_receivable_amount: '2500000.50',
      payment_terms: 30,
    }),
    expectV2: { contact_name: 'Bagdad Trading (renamed)', credit_limit: '99999999999999.9999', status: 'inactive' },
    timestamped: true,
  },
  {
    name: 'product',
    route: 'products',
    envelope: 'item',
    idField: 'item_id',
    table: 'erp.products',
    key: 'zoho_item_id',
    make: zohoItem,
    change: { rate: n('130000.50'), name: 'Hydraulic Pump HP-200 Mk2', stock_on_hand: n('41') },
    expectV1: () => ({
      sku: 'HP-200',
      name: 'Hydraulic Pump HP-200',
      unit: 'pcs',
      status: 'active',
      rate: '125000.00',
      purchase_rate: '98000.00',
      stock_on_hand: '42.00',
    }),
    expectV2: { rate: '130000.50', name: 'Hydraulic Pump HP-200 Mk2', stock_on_hand: '41' },
    timestamped: true,
  },
  {
    name: 'sales order',
    route: 'sales-orders',
    envelope: 'salesorder',
    idField: 'salesorder_id',
    table: 'erp.sales_orders',
    key: 'zoho_salesorder_id',
    make: (o) => zohoSalesOrder(o, 3),
    change: { status: 'fulfilled', total: n('1.50') },
    expectV1: (r) => ({
      salesorder_number: 'SO-00017',
      customer_zoho_id: '460000000026049',
      status: 'confirmed',
      currency_code: 'IQD',
      exchange_rate: '1.00',
      sub_total: digits(r.sub_total),
      total: digits(r.total),
    }),
    expectV2: { status: 'fulfilled', total: '1.50' },
    lines: { table: 'erp.sales_order_lines', parentKey: 'zoho_salesorder_id' },
    timestamped: true,
  },
  {
    name: 'invoice',
    route: 'invoices',
    envelope: 'invoice',
    idField: 'invoice_id',
    table: 'erp.invoices',
    key: 'zoho_invoice_id',
    make: (o) => zohoInvoice(o, 5),
    change: { status: 'paid', balance: n('0.00'), payment_made: n('200000.00') },
    expectV1: (r) => ({
      invoice_number: 'INV-000031',
      customer_zoho_id: '460000000026049',
      status: 'sent',
      currency_code: 'IQD',
      sub_total: digits(r.sub_total),
      tax_total: '0.00',
      total: digits(r.total),
      balance: digits(r.balance),
    }),
    expectV2: { status: 'paid', balance: '0.00', payment_made: '200000.00' },
    lines: { table: 'erp.invoice_lines', parentKey: 'zoho_invoice_id' },
    timestamped: true,
  },
  {
    name: 'bill',
    route: 'bills',
    envelope: 'bill',
    idField: 'bill_id',
    table: 'erp.bills',
    key: 'zoho_bill_id',
    make: (o) => zohoBill(o, 3),
    change: { status: 'paid', balance: n('0') },
    expectV1: (r) => ({
      bill_number: 'BILL-00412',
      vendor_zoho_id: '460000000038029',
      status: 'open',
      currency_code: 'USD',
      exchange_rate: '1310.00',
      total: digits(r.total),
    }),
    expectV2: { status: 'paid', balance: '0' },
    lines: { table: 'erp.bill_lines', parentKey: 'zoho_bill_id' },
    timestamped: true,
  },
  {
    name: 'credit note',
    route: 'credit-notes',
    envelope: 'creditnote',
    idField: 'creditnote_id',
    table: 'erp.credit_notes',
    key: 'zoho_creditnote_id',
    make: (o) => zohoCreditNote(o, 2),
    change: { status: 'closed', balance: n('0.00') },
    expectV1: (r) => ({
      creditnote_number: 'CN-00007',
      customer_zoho_id: '460000000026049',
      status: 'open',
      total: digits(r.total),
      balance: digits(r.balance),
    }),
    expectV2: { status: 'closed', balance: '0.00' },
    lines: { table: 'erp.credit_note_lines', parentKey: 'zoho_creditnote_id' },
    timestamped: true,
  },
  {
    name: 'stock adjustment',
    route: 'stock',
    envelope: 'inventory_adjustment',
    idField: 'inventory_adjustment_id',
    table: 'erp.stock_adjustments',
    key: 'zoho_adjustment_id',
    make: zohoInventoryAdjustment,
    change: { reason: 'Damaged goods', description: 'Recount' },
    expectV1: () => ({ reason: 'Stocktaking difference', adjustment_type: 'quantity', reference_number: 'ADJ-00005' }),
    expectV2: { reason: 'Damaged goods', description: 'Recount' },
    lines: { table: 'erp.stock_adjustment_lines', parentKey: 'zoho_adjustment_id' },
    timestamped: false,
  },
  {
    name: 'price list',
    route: 'prices',
    envelope: 'pricebook',
    idField: 'pricebook_id',
    table: 'erp.price_lists',
    key: 'zoho_pricebook_id',
    make: (o) => zohoPriceBook(o, 3),
    change: { name: 'Wholesale IQD 2027', percentage: n('7.5') },
    expectV1: () => ({ name: 'Wholesale IQD', currency_code: 'IQD', pricebook_type: 'per_item', is_increase: false, status: 'active' }),
    expectV2: { name: 'Wholesale IQD 2027', percentage: '7.5' },
    timestamped: false,
  },
];

describe('sync handlers through the real receiver and worker (integration)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: QueueWorker;

  const deliver = async (route: string, envelope: string, record: Json, event = 'updated', expectStatus = 202) => {
    const res = await request(t.server)
      .post(`/webhooks/${route}?event=${event}`)
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send(zohoBody(envelope, record));
    expect(res.status, JSON.stringify(res.body)).toBe(expectStatus);
    await worker.drainOnce();
    return res.body as { eventId: string; status: string };
  };
  const one = async (sql: string, params: unknown[]) => {
    const rows = await db.query<Json>(sql, params);
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const eventState = async (eventId: string) =>
    one('SELECT status, outcome, last_error FROM tds.events WHERE id = $1', [eventId]) as Promise<{
      status: string;
      outcome: string;
      last_error: string;
    }>;

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
  });

  describe.each(CASES)('$name', (c) => {
    it('created then updated lands with the right values; the line set is replaced exactly', async () => {
      const v1 = c.make();
      const id = digits(v1[c.idField]);
      const e1 = await deliver(c.route, c.envelope, v1, 'created');
      expect(await eventState(e1.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      const row1 = await one(`SELECT * FROM ${c.table} WHERE ${c.key} = $1`, [id]);
      expect(row1).toMatchObject(c.expectV1(v1));
      expect(row1.deleted_at).toBeNull();
      expect((row1.raw as Json)[c.idField]).toEqual(Number(id) > Number.MAX_SAFE_INTEGER ? expect.anything() : expect.anything());
      if (c.lines) {
        const lines1 = await db.query<Json>(`SELECT * FROM ${c.lines.table} WHERE ${c.lines.parentKey} = $1 ORDER BY position`, [id]);
        expect(lines1).toHaveLength((v1.line_items as Json[]).length);
        expect(lines1[0]).toMatchObject({
          zoho_line_item_id: digits((v1.line_items as Json[])[0].line_item_id),
          zoho_item_id: digits((v1.line_items as Json[])[0].item_id),
        });
      }

      // v2: newer timestamp (when the type has one), changed fields, and (for documents) one line removed, one added.
      const newLines = c.lines
        ? [...(v1.line_items as Json[]).slice(1), { ...(v1.line_items as Json[])[0], line_item_id: zohoId() }]
        : undefined;
      const v2 = {
        ...v1,
        ...c.change,
        ...(c.timestamped ? { last_modified_time: '2026-11-28T11:00:00+0300', updated_time: '2026-11-28T11:00:00+0300' } : {}),
        ...(newLines ? { line_items: newLines } : {}),
      };
      const e2 = await deliver(c.route, c.envelope, v2, 'updated');
      expect(await eventState(e2.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await one(`SELECT * FROM ${c.table} WHERE ${c.key} = $1`, [id])).toMatchObject(c.expectV2);
      if (c.lines && newLines) {
        const lines2 = await db.query<{ zoho_line_item_id: string }>(
          `SELECT zoho_line_item_id FROM ${c.lines.table} WHERE ${c.lines.parentKey} = $1 ORDER BY position`,
          [id],
        );
        expect(lines2.map((l) => l.zoho_line_item_id)).toEqual(newLines.map((l) => digits(l.line_item_id)));
      }
    });

    it('a redelivery is a duplicate; an older version arriving late does not overwrite newer data', async () => {
      const stamp = (t: string) => (c.timestamped ? { last_modified_time: t, updated_time: t } : {});
      const v2 = c.make({ ...stamp('2026-11-28T12:00:00+0300'), ...c.change });
      const id = digits(v2[c.idField]);
      await deliver(c.route, c.envelope, v2);
      const dup = await deliver(c.route, c.envelope, v2);
      expect(dup.status).toBe('duplicate');
      const v1 = { ...c.make(), [c.idField]: v2[c.idField], ...stamp('2026-11-28T09:00:00+0300') };
      const late = await deliver(c.route, c.envelope, v1);
      const row = await one(`SELECT * FROM ${c.table} WHERE ${c.key} = $1`, [id]);
      if (c.timestamped) {
        expect(await eventState(late.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
        expect(row).toMatchObject(c.expectV2);
      } else {
        // No Zoho timestamp for this type: versions apply in arrival order.
        expect(await eventState(late.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
        expect(row).toMatchObject(c.expectV1(v1));
      }
    });

    it('an untimed version keeps the stored version: an older version arriving after it is still skipped_stale', async () => {
      // Every type reads last_modified_time when the record has one (adjustments and price lists are then ordered by it).
      const stamp = (t: string | undefined) => ({ last_modified_time: t, updated_time: t });
      const v2 = c.make({ ...stamp('2026-11-28T12:00:00+0300'), ...c.change });
      const id = digits(v2[c.idField]);
      const lineIds = async () =>
        c.lines
          ? (
              await db.query<{ k: string }>(
                `SELECT zoho_line_item_id AS k FROM ${c.lines.table} WHERE ${c.lines.parentKey} = $1 ORDER BY position`,
                [id],
              )
            ).map((l) => l.k)
          : [];
      await deliver(c.route, c.envelope, v2);
      const untimed = await deliver(c.route, c.envelope, { ...v2, ...stamp(undefined) });
      expect(await eventState(untimed.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      const linesAfterUntimed = await lineIds();
      const version = async () => (await one(`SELECT ${ISO_VERSION} AS v FROM ${c.table} WHERE ${c.key} = $1`, [id])).v;
      expect(await version()).toBe('2026-11-28T09:00:00Z');

      const v1 = { ...c.make(), [c.idField]: v2[c.idField], ...stamp('2026-11-28T09:00:00+0300') };
      const late = await deliver(c.route, c.envelope, v1);
      expect(await eventState(late.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(await one(`SELECT * FROM ${c.table} WHERE ${c.key} = $1`, [id])).toMatchObject(c.expectV2);
      expect(await lineIds()).toEqual(linesAfterUntimed);
      expect(await version()).toBe('2026-11-28T09:00:00Z');
    });

    it('a deleted event soft-deletes (a tombstone when the record is unknown)', async () => {
      const v1 = c.make();
      const id = digits(v1[c.idField]);
      await deliver(c.route, c.envelope, v1, 'created');
      await deliver(c.route, c.envelope, { [c.idField]: v1[c.idField] }, 'deleted');
      const row = await one(`SELECT deleted_at, ${c.key} AS k FROM ${c.table} WHERE ${c.key} = $1`, [id]);
      expect(row.deleted_at).toBeInstanceOf(Date);
      const unknown = zohoId();
      await deliver(c.route, c.envelope, { [c.idField]: unknown }, 'deleted');
      expect((await one(`SELECT deleted_at FROM ${c.table} WHERE ${c.key} = $1`, [unknown.digits])).deleted_at).toBeInstanceOf(Date);
    });
  });

  it('keeps ids above 2^53, exact money, Arabic/Kurdish/emoji text, and parses Zoho offsets', async () => {
    const big = n('130426000002924000123');
    await deliver(
      'contacts',
      'contact',
      zohoContact({
        contact_id: big,
        contact_name: 'شركة بغداد للتجارة — کۆمپانیای هەولێر 🚀',
        credit_limit: n('12345678901234.5678'),
        last_modified_time: '2024-06-05T02:30:08-0700',
      }),
    );
    const row = await one(
      `SELECT contact_name, credit_limit::text AS credit_limit, zoho_modified_at, raw->>'contact_id' AS raw_id, raw->'credit_limit' AS raw_limit
       FROM erp.contacts WHERE zoho_contact_id = $1`,
      ['130426000002924000123'],
    );
    expect(row.contact_name).toBe('شركة بغداد للتجارة — کۆمپانیای هەولێر 🚀');
    expect(row.credit_limit).toBe('12345678901234.5678');
    expect((row.zoho_modified_at as Date).toISOString()).toBe('2024-06-05T09:30:08.000Z');
    expect(row.raw_id).toBe('130426000002924000123');
  });

  it("a sales order under Inventory's `sales_order` key (create/update answers) is the same record as under `salesorder`", async () => {
    // Zoho Inventory's OpenAPI (openapi/_original/salesorders.yml): create-a-sales-order-response and
    // update-a-sales-order-response hold the record under `sales_order`, retrieve-a-sales-order-response under `salesorder`.
    const so = zohoSalesOrder({}, 2);
    const id = digits(so.salesorder_id);
    const first = await deliver('sales-orders', 'sales_order', so, 'created');
    expect(await eventState(first.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
    const ev = await one(`SELECT record_type, payload->>'salesorder_id' AS payload_id FROM tds.events WHERE id = $1`, [first.eventId]);
    expect(ev).toEqual({ record_type: 'salesorder', payload_id: id });
    expect(await one(`SELECT salesorder_number, status FROM erp.sales_orders WHERE zoho_salesorder_id = $1`, [id])).toEqual({
      salesorder_number: 'SO-00017',
      status: 'confirmed',
    });
    expect(await db.query(`SELECT 1 FROM erp.sales_order_lines WHERE zoho_salesorder_id = $1`, [id])).toHaveLength(2);
    // The same version under the other key is a duplicate of it, not a second record type.
    expect((await deliver('sales-orders', 'salesorder', so, 'created')).status).toBe('duplicate');
  });

  it('numbers sent as strings and "" stock figures are accepted ("" stock = unknown = NULL)', async () => {
    const item = zohoItem({
      rate: '1,250.75',
      stock_on_hand: '',
      warehouses: [{ warehouse_id: '77', warehouse_name: 'W', warehouse_stock_on_hand: '', warehouse_available_stock: '5' }],
    });
    await deliver('products', 'item', item);
    const row = await one(`SELECT rate::text, stock_on_hand::text FROM erp.products WHERE zoho_item_id = $1`, [digits(item.item_id)]);
    expect(row).toEqual({ rate: '1250.75', stock_on_hand: null });
  });

  it('a misplaced comma or an out-of-range number dead-letters with the field named', async () => {
    const comma = await deliver('invoices', 'invoice', zohoInvoice({ total: '1,5' }));
    expect(await eventState(comma.eventId)).toMatchObject({ status: 'dead_letter' });
    expect((await eventState(comma.eventId)).last_error).toMatch(
      /invoice\.total: "1,5" is not a number \(a comma is accepted only as a thousands separator\)/,
    );
    const huge = await deliver('contacts', 'contact', zohoContact({ credit_limit: n('1e400') }));
    expect(await eventState(huge.eventId)).toMatchObject({ status: 'dead_letter' });
    // (a JSON number reaches the handler as its plain digits, 1 followed by 400 zeros)
    expect((await eventState(huge.eventId)).last_error).toMatch(
      /contact\.credit_limit: "10+" is out of range \(more than 38 integer digits\)/,
    );
    const tiny = await deliver('contacts', 'contact', zohoContact({ credit_limit: n('1e-400') }));
    expect(await eventState(tiny.eventId)).toMatchObject({ status: 'dead_letter' });
    expect((await eventState(tiny.eventId)).last_error).toMatch(
      /contact\.credit_limit: ".*" is out of range \(more than 38 decimal places\)/,
    );
    const indian = zohoInvoice({ total: '12,34,567.50' });
    await deliver('invoices', 'invoice', indian);
    expect((await one(`SELECT total::text FROM erp.invoices WHERE zoho_invoice_id = $1`, [digits(indian.invoice_id)])).total).toBe(
      '1234567.50',
    );
  });

  it('a field that can never map dead-letters at once with the field named', async () => {
    const bad = await deliver('invoices', 'invoice', zohoInvoice({ total: 'twelve thousand' }));
    const ev = await eventState(bad.eventId);
    expect(ev.status).toBe('dead_letter');
    expect(ev.last_error).toMatch(/invoice\.total: "twelve thousand" is not a number/);
  });

  describe('stock', () => {
    const WH = '460000000038080';
    const level = async (item: string, wh = WH) =>
      (
        await db.query<{ s: string }>(
          `SELECT stock_on_hand::text AS s FROM erp.stock_levels WHERE zoho_item_id = $1 AND warehouse_id = $2`,
          [item, wh],
        )
      )[0]?.s;

    it('item snapshots set levels from warehouses[] or locations[]; products.stock_on_hand follows the item total', async () => {
      const a = zohoItem();
      await deliver('products', 'item', a);
      expect(await level(digits(a.item_id), '460000000038080')).toBe('30.00');
      expect(await level(digits(a.item_id), '460000000038090')).toBe('12.00');
      const b = zohoItem({
        stock_on_hand: undefined,
        warehouses: undefined,
        locations: [
          { location_id: n('460000000099001'), location_name: 'Basra', location_stock_on_hand: '7', location_available_stock: n(6) },
          { location_id: n('460000000099002'), location_name: 'Mosul', location_stock_on_hand: n('3.5'), location_available_stock: '' },
        ],
      });
      await deliver('stock', 'item', b);
      expect(await level(digits(b.item_id), '460000000099001')).toBe('7');
      expect((await one(`SELECT stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = $1`, [digits(b.item_id)])).s).toBe('10.5');
    });

    it('a blank stock figure is stored as unknown (NULL), never as 0, in erp.products', async () => {
      const stockOf = async (item: string) =>
        one(`SELECT stock_on_hand::text AS s, available_stock::text AS a FROM erp.products WHERE zoho_item_id = $1`, [item]);
      // /webhooks/products: no item total and one warehouse figure blank → the total is unknown, not the sum of the rest.
      const a = zohoItem({
        stock_on_hand: '',
        available_stock: '',
        warehouses: [
          { warehouse_id: n(WH), warehouse_name: 'Main', warehouse_stock_on_hand: n('5'), warehouse_available_stock: n('5') },
          { warehouse_id: n('460000000038090'), warehouse_name: 'Erbil', warehouse_stock_on_hand: '', warehouse_available_stock: null },
        ],
      });
      await deliver('products', 'item', a);
      expect(await stockOf(digits(a.item_id))).toEqual({ s: null, a: null });
      expect(await level(digits(a.item_id))).toBe('5');
      // The blank warehouse level is unknown too (erp.stock_levels.stock_on_hand nullable since migration 1764300000004).
      expect(await level(digits(a.item_id), '460000000038090')).toBeNull();

      // /webhooks/stock: an item known as 42 whose next snapshot is blank becomes unknown.
      const b = zohoItem({
        warehouses: undefined,
        locations: [{ location_id: n(WH), location_name: 'Main', location_stock_on_hand: n('42') }],
        stock_on_hand: n('42'),
      });
      await deliver('stock', 'item', b);
      expect((await stockOf(digits(b.item_id))).s).toBe('42');
      await deliver('stock', 'item', {
        ...b,
        stock_on_hand: null,
        available_stock: '',
        locations: [{ location_id: n(WH), location_name: 'Main', location_stock_on_hand: null }],
        last_modified_time: '2026-11-28T12:00:00+0300',
      });
      expect(await stockOf(digits(b.item_id))).toEqual({ s: null, a: null });
    });

    it('an adjustment changes stock exactly once; an edit applies only the difference; a delete reverses it', async () => {
      const item = zohoItem({
        item_id: n('460000000017080'),
        warehouses: [{ warehouse_id: n(WH), warehouse_name: 'Main', warehouse_stock_on_hand: n(100) }],
        stock_on_hand: n(100),
      });
      await deliver('products', 'item', item);
      const lineId = zohoId();
      const adj = zohoInventoryAdjustment({}, [
        { line_item_id: lineId, item_id: n('460000000017080'), quantity_adjusted: n('-4'), location_id: n(WH) },
      ]);
      await deliver('stock', 'inventory_adjustment', adj, 'created');
      expect(await level('460000000017080')).toBe('96');
      await deliver('stock', 'inventory_adjustment', adj, 'created'); // redelivery: duplicate, not applied twice
      expect(await level('460000000017080')).toBe('96');
      // Edited: −4 becomes −10 → only −6 more.
      await deliver('stock', 'inventory_adjustment', {
        ...adj,
        description: 'recount',
        line_items: [{ line_item_id: lineId, item_id: n('460000000017080'), quantity_adjusted: n('-10'), location_id: n(WH) }],
      });
      expect(await level('460000000017080')).toBe('90');
      expect((await one(`SELECT stock_on_hand::text AS s FROM erp.products WHERE zoho_item_id = '460000000017080'`, [])).s).toBe('90');
      await deliver('stock', 'inventory_adjustment', { inventory_adjustment_id: adj.inventory_adjustment_id }, 'deleted');
      expect(await level('460000000017080')).toBe('100');
      // A value adjustment changes no quantity.
      await deliver(
        'stock',
        'inventory_adjustment',
        zohoInventoryAdjustment({ adjustment_type: 'value' }, [
          { item_id: n('460000000017080'), value_adjusted: n('500'), location_id: n(WH) },
        ]),
      );
      expect(await level('460000000017080')).toBe('100');
    });
  });

  it("a price list's item set is replaced exactly; an item's own rate on /webhooks/prices updates products.rate", async () => {
    const pb = zohoPriceBook({}, 3);
    await deliver('prices', 'pricebook', pb);
    const items = (pb.pricebook_items as Json[]).map((i) => digits(i.item_id));
    const list1 = await db.query<{ zoho_item_id: string; rate: string }>(
      `SELECT zoho_item_id, rate::text FROM erp.price_list_items WHERE zoho_pricebook_id = $1 ORDER BY position`,
      [digits(pb.pricebook_id)],
    );
    expect(list1).toEqual([
      { zoho_item_id: items[0], rate: '11000.00' },
      { zoho_item_id: items[1], rate: '11100.00' },
      { zoho_item_id: items[2], rate: '11200.00' },
    ]);
    await deliver('prices', 'pricebook', { ...pb, pricebook_items: [{ item_id: n(items[2]), pricebook_rate: n('9999.99') }] });
    const list2 = await db.query(`SELECT zoho_item_id, rate::text FROM erp.price_list_items WHERE zoho_pricebook_id = $1`, [
      digits(pb.pricebook_id),
    ]);
    expect(list2).toEqual([{ zoho_item_id: items[2], rate: '9999.99' }]);

    const item = zohoItem();
    await deliver('products', 'item', item);
    await deliver('prices', 'item', { item_id: item.item_id, rate: n('133333.33'), last_modified_time: '2026-11-28T12:00:00+0300' });
    expect(await one(`SELECT rate::text, name FROM erp.products WHERE zoho_item_id = $1`, [digits(item.item_id)])).toEqual({
      rate: '133333.33',
      name: 'Hydraulic Pump HP-200',
    });
  });
});
