import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Zoho payloads built from Zoho's own API documentation, not from our fixtures: the webhook body is the record under
 * its API's singular response key, the same object `GET /<module>/{id}` answers. Shapes come from Zoho's OpenAPI
 * files (the response examples of the GET-by-id operations) as mirrored in public repositories:
 * - Books: fordez/zoho-books-mcp-server-openapi `mcp_server/openapi-all/{invoices,contacts,bills,credit-notes,
 *   sales-order,items}.yml` (Zoho Books API v3, https://www.zoho.com/books/api/v3/).
 * - Inventory: api-evangelist/zoho-inventory `openapi/_original/{items,inventoryadjustments,pricelists}.yml`
 *   (Zoho Inventory API v1, https://www.zoho.com/inventory/api/v1/).
 * Each case keeps the documented quirks (ids as JSON numbers, " " where a date or text is expected, null names,
 * `updated_time` instead of `last_modified_time` on credit notes, blank stock figures, custom_fields[] in several
 * shapes, `pricebook_discount` as "5%", price_brackets) and adds what real data does besides (ids above 2^53, numbers
 * as strings, dates with a time and offset, unicode names, negative adjustments, deletes carrying only the id).
 * Every body goes through HTTP with a valid key, then the worker; the assertions read the ERP rows.
 */

const KEY = 'documented-payloads-key-1';

/** JSON text in which a string "#<digits>" is written as a bare JSON number with exactly those digits. */
const json = (value: unknown): string => JSON.stringify(value).replace(/"#(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"/g, '$1');

describe('Zoho payloads as documented, end to end (HTTP → queue → worker → erp)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let worker: QueueWorker;

  const send = (route: string, body: string, query = '', method: 'post' | 'put' | 'delete' = 'post') =>
    request(t.server)[method](`/webhooks/${route}${query}`).set('Content-Type', 'application/json').set('X-Webhook-Key', KEY).send(body);
  const accepted = async (route: string, body: string, query = '', method: 'post' | 'put' | 'delete' = 'post') => {
    const res = await send(route, body, query, method);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body as { eventId: string; entityId: string; status: string };
  };
  const event = async (id: string) =>
    (
      await db.query<{ status: string; outcome: string | null; last_error: string | null }>(
        'SELECT status, outcome, last_error FROM tds.events WHERE id = $1',
        [id],
      )
    )[0];
  const one = async <T>(sql: string, params: unknown[]) => {
    const rows = await db.query<T>(sql, params);
    expect(rows).toHaveLength(1);
    return rows[0];
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
    await db.query('TRUNCATE tds.events CASCADE');
  });

  describe('invoice (Books invoices.yml, GET /invoices/{invoice_id})', () => {
    const invoiceId = '9820000005671141234'; // 19 digits, above 2^53
    const invoice = (over: Record<string, unknown> = {}) => ({
      invoice_id: `#${invoiceId}`,
      ach_payment_initiated: false,
      invoice_number: 'INV-00003',
      date: '2013-11-17',
      status: 'sent',
      payment_terms: 15,
      payment_terms_label: 'Net 15',
      due_date: '2013-12-03T00:00:00+0530',
      payment_expected_date: ' ',
      last_payment_date: ' ',
      reference_number: ' ',
      customer_id: '#982000000567001',
      customer_name: 'شركة بومان — Bowman & Co',
      currency_id: '#982000000000190',
      currency_code: 'AED',
      exchange_rate: '#3.6725',
      discount: 0,
      is_discount_before_tax: true,
      discount_type: 'item_level',
      recurring_invoice_id: ' ',
      client_viewed_time: '',
      location_id: '460000000038080',
      location_name: null,
      shipping_charge: 0,
      adjustment: 0,
      adjustment_description: ' ',
      sub_total: '#10000.10',
      tax_total: '#1250.01',
      total: '11,250.11',
      payment_made: '#26.91',
      credits_applied: 22.43,
      balance: '11223.20',
      price_precision: 2,
      custom_fields: [{ customfield_id: '46000000012845', value: 'Normal' }],
      created_time: '2013-11-18T02:17:40-0800',
      last_modified_time: '2013-11-18T02:02:51-0800',
      salesperson_id: ' ',
      line_items: [
        {
          line_item_id: '#982000000567021',
          item_id: '#9820000000300491234',
          project_id: 90300000087378,
          location_id: '460000000038080',
          location_name: null,
          item_type: 'goods',
          name: 'Hard Drive',
          description: '500GB, USB 2.0 interface 1400 rpm, protective hard case.',
          item_order: 1,
          bcy_rate: 120,
          rate: '#120.005',
          quantity: '#3',
          unit: ' ',
          discount_amount: 0,
          discount: '10.00%',
          tags: [{ is_tag_mandatory: false, tag_id: 982000000009070, tag_name: 'Location', tag_option_id: 982000000002670 }],
          tax_id: 982000000557028,
          tax_name: 'VAT',
          tax_type: 'tax',
          tax_percentage: 12.5,
          item_total: '#324.01',
        },
        // A free-text line: no item_id, an amount discount, numbers as strings
        { line_item_id: '982000000567022', name: 'Installation (خدمة)', rate: '50', quantity: '2.5', discount: 5, item_total: '120.00' },
      ],
      ...over,
    });

    it('lands every mapped field exactly, with both lines', async () => {
      const ev = await accepted('invoices', json({ invoice: invoice() }), '?organization_id=10234695');
      expect(ev.entityId).toBe(invoiceId);
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      const row = await one<Record<string, string | null>>(
        `SELECT invoice_number, reference_number, customer_zoho_id, customer_name, date::text, due_date::text, status, currency_code,
                exchange_rate::text, sub_total::text, tax_total::text, total::text, payment_made::text, balance::text,
                zoho_modified_at = '2013-11-18T10:02:51Z' AS at_ok
           FROM erp.invoices WHERE zoho_invoice_id = $1`,
        [invoiceId],
      );
      expect(row).toEqual({
        invoice_number: 'INV-00003',
        reference_number: null,
        customer_zoho_id: '982000000567001',
        customer_name: 'شركة بومان — Bowman & Co',
        date: '2013-11-17',
        due_date: '2013-12-03',
        status: 'sent',
        currency_code: 'AED',
        exchange_rate: '3.6725',
        sub_total: '10000.10',
        tax_total: '1250.01',
        total: '11250.11',
        payment_made: '26.91',
        balance: '11223.20',
        at_ok: true,
      });
      const lines = await db.query(
        `SELECT zoho_line_item_id, position, zoho_item_id, name, quantity::text, unit, rate::text, discount, item_total::text, location_id
           FROM erp.invoice_lines WHERE zoho_invoice_id = $1 ORDER BY position`,
        [invoiceId],
      );
      expect(lines).toEqual([
        {
          zoho_line_item_id: '982000000567021',
          position: 1,
          zoho_item_id: '9820000000300491234',
          name: 'Hard Drive',
          quantity: '3',
          unit: null,
          rate: '120.005',
          discount: '10.00%',
          item_total: '324.01',
          location_id: '460000000038080',
        },
        {
          zoho_line_item_id: '982000000567022',
          position: 2,
          zoho_item_id: null,
          name: 'Installation (خدمة)',
          quantity: '2.5',
          unit: null,
          rate: '50',
          discount: '5',
          item_total: '120.00',
          location_id: null,
        },
      ]);
    });

    it('a redelivery is a duplicate, an older version is skipped, a newer one replaces the lines, a delete with only the id soft-deletes', async () => {
      const first = await accepted('invoices', json({ invoice: invoice() }));
      await worker.drainOnce();
      const again = await accepted('invoices', json({ invoice: invoice() }));
      expect(again.status).toBe('duplicate');

      // A newer edit (one line left, paid), then the older version arriving late.
      const newer = invoice({
        last_modified_time: '2013-11-19T09:00:00+0530',
        status: 'paid',
        balance: 0,
        line_items: [invoice().line_items[1]],
      });
      const older = invoice({ last_modified_time: '2013-11-18T01:00:00-0800', status: 'draft', total: 1 });
      const n = await accepted('invoices', json({ invoice: newer }));
      await worker.drainOnce();
      const o = await accepted('invoices', json({ invoice: older }));
      await worker.drainOnce();
      expect(await event(first.eventId)).toMatchObject({ outcome: 'applied' });
      expect(await event(n.eventId)).toMatchObject({ outcome: 'applied' });
      expect(await event(o.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(await one('SELECT status, total::text, balance::text FROM erp.invoices WHERE zoho_invoice_id = $1', [invoiceId])).toEqual({
        status: 'paid',
        total: '11250.11',
        balance: '0',
      });
      expect(await db.query('SELECT zoho_line_item_id FROM erp.invoice_lines WHERE zoho_invoice_id = $1', [invoiceId])).toEqual([
        { zoho_line_item_id: '982000000567022' },
      ]);

      // Deleted-record webhook: the module key holding only the id (as a JSON number above 2^53), method DELETE.
      const del = await accepted('invoices', `{"invoice":{"invoice_id":${invoiceId}}}`, '', 'delete');
      await worker.drainOnce();
      expect(await event(del.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      const gone = await one<{ deleted: boolean }>(
        'SELECT deleted_at IS NOT NULL AS deleted FROM erp.invoices WHERE zoho_invoice_id = $1',
        [invoiceId],
      );
      expect(gone.deleted).toBe(true);
    });

    it('a field not sent keeps its stored value (lines included); a field sent as null or "" clears it', async () => {
      const invoiceId = '9820000005671141235'; // not the one deleted above
      await accepted('invoices', json({ invoice: invoice({ invoice_id: `#${invoiceId}` }) }));
      await worker.drainOnce();
      // A newer delivery carrying only some fields (a user-defined payload, or Zoho leaving keys out).
      const partial = await accepted(
        'invoices',
        json({ invoice: { invoice_id: `#${invoiceId}`, status: 'paid', balance: '0.00', last_modified_time: '2013-11-20T10:00:00+0530' } }),
      );
      await worker.drainOnce();
      expect(await event(partial.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(
          `SELECT invoice_number, customer_zoho_id, date::text, status, exchange_rate::text, total::text, balance::text,
                  zoho_modified_at = '2013-11-20T04:30:00Z' AS at_ok
             FROM erp.invoices WHERE zoho_invoice_id = $1`,
          [invoiceId],
        ),
      ).toEqual({
        invoice_number: 'INV-00003',
        customer_zoho_id: '982000000567001',
        date: '2013-11-17',
        status: 'paid',
        exchange_rate: '3.6725',
        total: '11250.11',
        balance: '0.00',
        at_ok: true,
      });
      const lineIds = async () =>
        (
          await db.query<{ id: string }>(
            'SELECT zoho_line_item_id AS id FROM erp.invoice_lines WHERE zoho_invoice_id = $1 ORDER BY position',
            [invoiceId],
          )
        ).map((r) => r.id);
      expect(await lineIds()).toEqual(['982000000567021', '982000000567022']);

      // Sent empty: cleared.
      await accepted(
        'invoices',
        json({
          invoice: {
            invoice_id: `#${invoiceId}`,
            invoice_number: '',
            total: null,
            line_items: [],
            last_modified_time: '2013-11-21T10:00:00+0530',
          },
        }),
      );
      await worker.drainOnce();
      expect(await one('SELECT invoice_number, total, status FROM erp.invoices WHERE zoho_invoice_id = $1', [invoiceId])).toEqual({
        invoice_number: null,
        total: null,
        status: 'paid',
      });
      expect(await lineIds()).toEqual([]);
    });

    it('an amount that is not a number is a dead letter naming the field, nothing written', async () => {
      const ev = await accepted('invoices', json({ invoice: invoice({ invoice_id: '#98200000056711999', total: 'AED 10.00' }) }));
      await worker.drainOnce();
      const e = await event(ev.eventId);
      expect(e.status).toBe('dead_letter');
      expect(e.last_error).toMatch(/invoice\.total/);
      expect(await db.query(`SELECT 1 FROM erp.invoices WHERE zoho_invoice_id = '98200000056711999'`)).toEqual([]);
    });
  });
  describe('contact (Books contacts.yml, GET /contacts/{contact_id})', () => {
    const contact = (over: Record<string, unknown> = {}) => ({
      contact_id: '#4600000000260491234',
      contact_name: 'Bowman and Co — بومان',
      company_name: 'Bowman and Co',
      has_transaction: true,
      contact_type: 'Customer',
      customer_sub_type: 'business',
      credit_limit: '#1000.50',
      pricebook_id: 460000000000123,
      contact_number: 'CNT-001234',
      is_taxable: true,
      tax_id: 11149000000061058,
      tax_percentage: 12,
      website: 'www.bowmanfurniture.com',
      primary_contact_id: 460000000026051,
      payment_terms: '15',
      payment_terms_label: 'Net 15',
      currency_id: 460000000000097,
      currency_code: 'USD',
      outstanding_receivable_amount: '#250',
      outstanding_receivable_amount_bcy: 250,
      unused_credits_receivable_amount: 1369.66,
      status: 'active',
      custom_fields: [{ index: 1, value: 'GBGD078', label: 'VAT ID' }],
      billing_address: { attention: 'Mr.John', address: '4900 Hopyard Rd', city: 'Pleasanton', state: 'CA', zip: 94588 },
      contact_persons: [
        { contact_person_id: 460000000026050, first_name: 'Ann', email: 'ann@bowman.example', is_primary_contact: false },
        {
          contact_person_id: 460000000026051,
          salutation: 'Mr',
          first_name: 'Will',
          last_name: 'Smith',
          email: 'WillSmith@BowmanFurniture.com',
          phone: '+1-925-921-9201',
          mobile: '+1-4054439562',
          is_primary_contact: true,
          communication_preference: { is_sms_enabled: false, is_whatsapp_enabled: false },
        },
      ],
      created_time: '2013-08-05T12:06:10+0530',
      last_modified_time: '2013-10-07T18:24:51+0530',
      ...over,
    });

    it('lands the documented fields; the primary person gives email and phone', async () => {
      const ev = await accepted('contacts', json({ contact: contact() }));
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(
          `SELECT contact_type, customer_sub_type, contact_name, company_name, email, phone, currency_code, status,
                  credit_limit::text, outstanding_receivable_amount::text, outstanding_payable_amount::text, payment_terms,
                  payment_terms_label, zoho_modified_at = '2013-10-07T12:54:51Z' AS at_ok
             FROM erp.contacts WHERE zoho_contact_id = '4600000000260491234'`,
          [],
        ),
      ).toEqual({
        contact_type: 'customer',
        customer_sub_type: 'business',
        contact_name: 'Bowman and Co — بومان',
        company_name: 'Bowman and Co',
        email: 'willsmith@bowmanfurniture.com',
        phone: '+1-925-921-9201',
        currency_code: 'USD',
        status: 'active',
        credit_limit: '1000.50',
        outstanding_receivable_amount: '250',
        outstanding_payable_amount: null,
        payment_terms: 15,
        payment_terms_label: 'Net 15',
        at_ok: true,
      });
    });

    it('a vendor with blanks where numbers are expected: nulls, not zeros', async () => {
      const ev = await accepted(
        'contacts',
        json({
          contact: contact({
            contact_id: '460000000026099',
            contact_type: 'vendor',
            credit_limit: '',
            payment_terms: '',
            outstanding_receivable_amount: null,
            outstanding_payable_amount: '1,234.56',
            contact_persons: [],
            email: '',
          }),
        }),
      );
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(
          `SELECT contact_type, email, credit_limit::text, payment_terms, outstanding_receivable_amount::text, outstanding_payable_amount::text
             FROM erp.contacts WHERE zoho_contact_id = '460000000026099'`,
          [],
        ),
      ).toEqual({
        contact_type: 'vendor',
        email: null,
        credit_limit: null,
        payment_terms: null,
        outstanding_receivable_amount: null,
        outstanding_payable_amount: '1234.56',
      });
    });
  });

  describe('item (Inventory items.yml and Books items.yml, GET /items/{item_id})', () => {
    it('Inventory item: upc/ean/part_number sent as JSON numbers keep their digits; per-location stock lands', async () => {
      const item = {
        group_id: 4815000000044220,
        group_name: 'Bags',
        item_id: '#48150000000442081234',
        name: 'Bags-small',
        unit: 'qty',
        item_type: 'inventory',
        product_type: 'goods',
        track_inventory: true,
        description: 'description',
        tax_percentage: 12,
        status: 'active',
        source: null,
        rate: '#6.125',
        pricebook_rate: 6,
        purchase_rate: '#4.10',
        reorder_level: 5,
        sku: 'SK123',
        upc: '#111111111111',
        ean: '#0111111111112',
        isbn: 111111111113,
        part_number: '#111111111114',
        image_id: 2077500000000002000,
        hsn_or_sac: 85423100,
        custom_fields: [{ customfield_id: null, label: null, value: 'Normal' }],
        locations: [
          {
            location_id: '460000000038080',
            location_name: 'Head Office',
            status: 'active',
            is_primary: true,
            location_stock_on_hand: '#12.5',
            location_available_stock: '10',
            location_actual_available_stock: 10,
          },
          {
            location_id: 460000000038081,
            location_name: 'مستودع',
            is_primary: false,
            location_stock_on_hand: -2,
            location_available_stock: -2,
          },
        ],
        last_modified_time: '2026-01-05T10:00:00+0530',
      };
      // #0111… is not valid JSON; an EAN with a leading zero comes as a string
      const body = json({ item: { ...item, ean: '0111111111112' } });
      const ev = await accepted('products', body);
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(
          `SELECT sku, name, unit, status, item_type, product_type, rate::text, purchase_rate::text, stock_on_hand::text,
                  available_stock::text, upc, ean, part_number FROM erp.products WHERE zoho_item_id = '48150000000442081234'`,
          [],
        ),
      ).toEqual({
        sku: 'SK123',
        name: 'Bags-small',
        unit: 'qty',
        status: 'active',
        item_type: 'inventory',
        product_type: 'goods',
        rate: '6.125',
        purchase_rate: '4.10',
        stock_on_hand: '10.5',
        available_stock: null,
        upc: '111111111111',
        ean: '0111111111112',
        part_number: '111111111114',
      });
      expect(
        await db.query(
          `SELECT warehouse_id, warehouse_name, stock_on_hand::text, available_stock::text FROM erp.stock_levels
            WHERE zoho_item_id = '48150000000442081234' ORDER BY warehouse_id`,
        ),
      ).toEqual([
        { warehouse_id: '460000000038080', warehouse_name: 'Head Office', stock_on_hand: '12.5', available_stock: '10' },
        { warehouse_id: '460000000038081', warehouse_name: 'مستودع', stock_on_hand: '-2', available_stock: '-2' },
      ]);
    });

    it('Books item: blank location figures are unknown (null), never 0', async () => {
      const ev = await accepted(
        'products',
        json({
          item: {
            item_id: 45667789900,
            name: 'Hard Drive',
            status: 'active',
            description: '500GB',
            rate: 120,
            unit: '100GB',
            hsn_or_sac: null,
            tax_percentage: '70%',
            sku: 's12345',
            product_type: 'goods',
            item_tax_preferences: [{ tax_id: 982000000037049, tax_specification: 'intra' }],
            locations: [
              {
                location_id: '460000000038080',
                location_name: '',
                status: 'active',
                is_primary: false,
                location_stock_on_hand: '',
                location_available_stock: '',
                location_actual_available_stock: '',
              },
            ],
            last_modified_time: '2026-01-05T10:00:00+0530',
          },
        }),
      );
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(`SELECT rate::text, stock_on_hand, available_stock FROM erp.products WHERE zoho_item_id = '45667789900'`, []),
      ).toEqual({
        rate: '120',
        stock_on_hand: null,
        available_stock: null,
      });
    });
  });

  describe('sales order (Books sales-order.yml, GET /salesorders/{salesorder_id})', () => {
    it('lands the documented fields; null and blank dates are null; lines without line_item_id keep their order', async () => {
      const ev = await accepted(
        'sales-orders',
        json({
          salesorder: {
            salesorder_id: '#4600000000391291234',
            customer_id: '460000000017138',
            customer_name: 'Bowman Furniture',
            billing_address_id: 460000000032174,
            shipping_address_id: null,
            salesorder_number: 'SO-00001',
            reference_number: 'REF-001',
            date: '2026-01-05',
            shipment_date: '',
            order_status: 'confirmed',
            currency_code: 'EUR',
            exchange_rate: 1.233,
            discount: null,
            discount_type: 'entity_level',
            shipping_charge: 2,
            adjustment: -0.2,
            adjustment_description: 'Adjustment',
            sub_total: '#96.00',
            tax_total: '#0',
            total: '#97.80',
            location_id: '460000000038080',
            custom_fields: [{ customfield_id: 460000000639129, label: 'Channel', value: 'Online', data_type: 'text' }],
            last_modified_time: '2026-01-05T10:00:00+0530',
            line_items: [
              {
                item_id: '#460000000017088',
                name: 'Laptop-white/15inch/dell',
                description: 'Just a sample description.',
                rate: 48,
                quantity: 1,
                unit: 'qty',
                tax_id: '460000000017094',
                tax_percentage: null,
                discount: '0%',
                item_total: 48,
                item_total_inclusive_of_tax: 48,
                location_id: '460000000038080',
              },
              { name: 'Gift wrap', rate: '24', quantity: '2', discount: '', item_total: '48' },
            ],
          },
        }),
      );
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(
          `SELECT salesorder_number, customer_zoho_id, date::text, shipment_date::text, status, currency_code, exchange_rate::text,
                  sub_total::text, tax_total::text, shipping_charge::text, adjustment::text, total::text
             FROM erp.sales_orders WHERE zoho_salesorder_id = '4600000000391291234'`,
          [],
        ),
      ).toEqual({
        salesorder_number: 'SO-00001',
        customer_zoho_id: '460000000017138',
        date: '2026-01-05',
        shipment_date: null,
        status: 'confirmed',
        currency_code: 'EUR',
        exchange_rate: '1.233',
        sub_total: '96.00',
        tax_total: '0',
        shipping_charge: '2',
        adjustment: '-0.2',
        total: '97.80',
      });
      expect(
        await db.query(
          `SELECT position, zoho_item_id, name, quantity::text, rate::text, discount, item_total::text, location_id
             FROM erp.sales_order_lines WHERE zoho_salesorder_id = '4600000000391291234' ORDER BY position`,
        ),
      ).toEqual([
        {
          position: 1,
          zoho_item_id: '460000000017088',
          name: 'Laptop-white/15inch/dell',
          quantity: '1',
          rate: '48',
          discount: '0%',
          item_total: '48',
          location_id: '460000000038080',
        },
        {
          position: 2,
          zoho_item_id: null,
          name: 'Gift wrap',
          quantity: '2',
          rate: '24',
          discount: null,
          item_total: '48',
          location_id: null,
        },
      ]);
    });
  });

  describe('bill (Books bills.yml, GET /bills/{bill_id})', () => {
    it('lands the documented fields (ids as strings, vendor_name null, multi-currency)', async () => {
      const ev = await accepted(
        'bills',
        json({
          bill: {
            bill_id: '460000000098765',
            vendor_id: '460000000038029',
            vendor_name: null,
            status: 'open',
            bill_number: '00454',
            date: '2013-09-11',
            due_date: '2013-09-26',
            payment_terms: 0,
            payment_expected_date: null,
            reference_number: '4321133',
            currency_id: '460000000000099',
            currency_code: 'INR',
            price_precision: 2,
            exchange_rate: 1.23,
            adjustment: 0,
            sub_total: 40,
            tax_total: '#0.00',
            total: '#40.00',
            payment_made: 0,
            balance: '40',
            created_time: '2013-09-11T17:18:32+0530',
            last_modified_time: '2013-09-11T17:18:32+0530',
            purchaseorder_ids: [460000000068231, 460000000068233],
            custom_fields: [{ custom_field_id: null, index: null, label: null, value: null }],
            line_items: [
              {
                purchaseorder_item_id: null,
                line_item_id: '460000000067009',
                item_id: '460000000054135',
                sku: null,
                name: null,
                account_id: '460000000000403',
                account_name: 'Other Expenses',
                location_id: '460000000038080',
                description: null,
                bcy_rate: 40,
                rate: 10,
                quantity: 4,
                tax_id: '460000000027005',
                tax_name: 'VAT (12.5%)',
                tax_percentage: 0,
                item_total: 40,
                unit: 'kgs',
                hsn_or_sac: 80540,
              },
            ],
          },
        }),
      );
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(
          `SELECT bill_number, reference_number, vendor_zoho_id, vendor_name, date::text, due_date::text, status, currency_code,
                  exchange_rate::text, sub_total::text, tax_total::text, total::text, balance::text
             FROM erp.bills WHERE zoho_bill_id = '460000000098765'`,
          [],
        ),
      ).toEqual({
        bill_number: '00454',
        reference_number: '4321133',
        vendor_zoho_id: '460000000038029',
        vendor_name: null,
        date: '2013-09-11',
        due_date: '2013-09-26',
        status: 'open',
        currency_code: 'INR',
        exchange_rate: '1.23',
        sub_total: '40',
        tax_total: '0.00',
        total: '40.00',
        balance: '40',
      });
      expect(
        await db.query(
          `SELECT zoho_line_item_id, zoho_item_id, account_id, location_id, quantity::text, rate::text, item_total::text, unit
             FROM erp.bill_lines WHERE zoho_bill_id = '460000000098765'`,
        ),
      ).toEqual([
        {
          zoho_line_item_id: '460000000067009',
          zoho_item_id: '460000000054135',
          account_id: '460000000000403',
          location_id: '460000000038080',
          quantity: '4',
          rate: '10',
          item_total: '40',
          unit: 'kgs',
        },
      ]);
    });
  });

  describe('credit note (Books credit-notes.yml, GET /creditnotes/{creditnote_id})', () => {
    const creditnote = (over: Record<string, unknown> = {}) => ({
      creditnote_id: '90300000072369',
      creditnote_number: 'CN-29',
      date: '2016-06-05',
      status: 'open',
      customer_id: '903000000000099',
      customer_name: 'Bowman Furniture',
      reference_number: 'INV-384',
      email: 'benjamin.george@bowmanfurniture.com',
      sub_total: '#400.00',
      total: 450,
      balance: 10,
      location_id: '460000000038080',
      currency_code: 'USD',
      exchange_rate: '1.000000',
      created_time: '2016-06-05T02:30:08-0700',
      updated_time: '2016-06-05T02:30:08-0700',
      custom_fields: [{ index: 1, value: 129890, label: 'label', data_type: 'text' }],
      invoices: [{ invoice_id: '90300000079426', invoice_number: 'INV-384', amount: 450 }],
      line_items: [
        {
          item_id: '90300000081501',
          description: 'prorated amount for items',
          code: 'basic-monthly',
          name: 'Basic Monthly',
          type: 1,
          account_id: '903000000000388',
          account_name: 'Sales',
          quantity: 1,
          rate: 400,
          item_total: 400,
          tax_id: '903000000000356',
          product_type: 'goods',
          serial_numbers: null,
          location_id: '460000000038080',
          project_id: 90300000087378,
        },
      ],
      ...over,
    });

    it('ordered by updated_time (Zoho sends no last_modified_time on credit notes): an older one never overwrites', async () => {
      const a = await accepted('credit-notes', json({ creditnote: creditnote() }));
      await worker.drainOnce();
      expect(await event(a.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      const older = await accepted(
        'credit-notes',
        json({ creditnote: creditnote({ updated_time: '2016-06-04T02:30:08-0700', balance: 999 }) }),
      );
      await worker.drainOnce();
      expect(await event(older.eventId)).toMatchObject({ status: 'completed', outcome: 'skipped_stale' });
      expect(
        await one(
          `SELECT creditnote_number, reference_number, customer_zoho_id, date::text, status, currency_code, exchange_rate::text,
                  sub_total::text, total::text, balance::text, zoho_modified_at = '2016-06-05T09:30:08Z' AS at_ok
             FROM erp.credit_notes WHERE zoho_creditnote_id = '90300000072369'`,
          [],
        ),
      ).toEqual({
        creditnote_number: 'CN-29',
        reference_number: 'INV-384',
        customer_zoho_id: '903000000000099',
        date: '2016-06-05',
        status: 'open',
        currency_code: 'USD',
        exchange_rate: '1.000000',
        sub_total: '400.00',
        total: '450',
        balance: '10',
        at_ok: true,
      });
      expect(
        await db.query(
          `SELECT zoho_line_item_id, position, zoho_item_id, name, account_id, quantity::text, rate::text, item_total::text
             FROM erp.credit_note_lines WHERE zoho_creditnote_id = '90300000072369'`,
        ),
      ).toEqual([
        {
          zoho_line_item_id: 'pos-1',
          position: 1,
          zoho_item_id: '90300000081501',
          name: 'Basic Monthly',
          account_id: '903000000000388',
          quantity: '1',
          rate: '400',
          item_total: '400',
        },
      ]);
    });
  });

  describe('inventory adjustment (Inventory inventoryadjustments.yml) on the stock route', () => {
    const itemId = '48150000000441001234';
    it('a negative quantity adjustment moves stock once at its location; a delete with only the id reverses it', async () => {
      // A stock snapshot first: 20 at Head Office
      await accepted(
        'stock',
        json({
          item: {
            item_id: `#${itemId}`,
            name: 'Laptop-white/15inch/dell',
            locations: [
              { location_id: '460000000038080', location_name: 'Head Office', location_stock_on_hand: 20, location_available_stock: 20 },
            ],
            last_modified_time: '2015-05-27T10:00:00+0530',
          },
        }),
      );
      const adjustment = {
        inventory_adjustment_id: '#48150000000441009999',
        date: '2015-05-28',
        reason: 'Damaged goods',
        reason_id: 4815000000044110,
        description: 'Just a sample description.',
        reference_number: 'REF-IA-00001',
        adjustment_type: 'quantity',
        location_id: '460000000038080',
        location_name: 'Head Office',
        total: '#-350.00',
        custom_fields: [{ customfield_id: null, label: null, value: null }],
        line_items: [
          {
            item_id: `#${itemId}`,
            line_item_id: 4815000000044897,
            name: 'Laptop-white/15inch/dell',
            description: 'Just a sample description.',
            quantity_adjusted: '#-3',
            item_total: '#-350.00',
            unit: 'qty',
            is_combo_product: false,
            adjustment_account_id: 4815000000000388,
            adjustment_account_name: 'Cost of Goods Sold',
            location_id: '460000000038080',
            location_name: 'Head Office',
            serial_numbers: ['ARMP-0078'],
            batches: [{ batch_id: '6780203000001106001', batch_number: 'BTC-TL-089', in_quantity: 0, out_quantity: 3 }],
          },
        ],
      };
      const a = await accepted('stock', json({ inventory_adjustment: adjustment }));
      await worker.drainOnce();
      const again = await accepted('stock', json({ inventory_adjustment: adjustment }));
      expect(again.status).toBe('duplicate');
      await worker.drainOnce();
      expect(await event(a.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(
          `SELECT reference_number, date::text, reason, reason_id, description, adjustment_type, total::text
             FROM erp.stock_adjustments WHERE zoho_adjustment_id = '48150000000441009999'`,
          [],
        ),
      ).toEqual({
        reference_number: 'REF-IA-00001',
        date: '2015-05-28',
        reason: 'Damaged goods',
        reason_id: '4815000000044110',
        description: 'Just a sample description.',
        adjustment_type: 'quantity',
        total: '-350.00',
      });
      expect(
        await db.query(
          `SELECT zoho_line_item_id, zoho_item_id, warehouse_id, quantity_adjusted::text, applied_quantity::text, adjustment_account_id
             FROM erp.stock_adjustment_lines WHERE zoho_adjustment_id = '48150000000441009999'`,
        ),
      ).toEqual([
        {
          zoho_line_item_id: '4815000000044897',
          zoho_item_id: itemId,
          warehouse_id: '460000000038080',
          quantity_adjusted: '-3',
          applied_quantity: '-3',
          adjustment_account_id: '4815000000000388',
        },
      ]);
      const level = () =>
        one<{ s: string }>(
          `SELECT stock_on_hand::text AS s FROM erp.stock_levels WHERE zoho_item_id = $1 AND warehouse_id = '460000000038080'`,
          [itemId],
        );
      expect((await level()).s).toBe('17');
      // A newer version of the adjustment that does not send its lines (only the header changed): stock stays.
      const headerOnly = await accepted(
        'stock',
        json({ inventory_adjustment: { inventory_adjustment_id: '#48150000000441009999', reference_number: 'REF-IA-00001-B' } }),
      );
      await worker.drainOnce();
      expect(await event(headerOnly.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect((await level()).s).toBe('17');
      expect(
        await one(
          `SELECT reference_number, reason, total::text FROM erp.stock_adjustments WHERE zoho_adjustment_id = '48150000000441009999'`,
          [],
        ),
      ).toEqual({ reference_number: 'REF-IA-00001-B', reason: 'Damaged goods', total: '-350.00' });
      expect(
        await db.query(
          `SELECT applied_quantity::text AS q FROM erp.stock_adjustment_lines WHERE zoho_adjustment_id = '48150000000441009999'`,
        ),
      ).toEqual([{ q: '-3' }]);
      const del = await accepted('stock', '{"inventory_adjustment":{"inventory_adjustment_id":48150000000441009999}}', '?event=deleted');
      await worker.drainOnce();
      expect(await event(del.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect((await level()).s).toBe('20');
    });
  });

  describe('price list (Inventory pricelists.yml, GET /pricebooks/{pricebook_id})', () => {
    it('per-item unit prices land with their discount; fixed-percentage books keep their percentage', async () => {
      const ev = await accepted(
        'prices',
        json({
          pricebook: {
            pricebook_id: '#130426000002924000',
            name: 'Price List 1',
            description: 'Flash sale',
            currency_id: 982000000000190,
            currency_code: 'IQD',
            decimal_place: 2,
            is_default: false,
            is_increase: 'true',
            pricebook_type: 'per_item',
            pricing_scheme: 'unit',
            rounding_type: 'no_rounding',
            sales_or_purchase_type: 'sales',
            status: 'active',
            pricebook_items: [
              {
                item_id: '#17775000000227648',
                pricebook_item_id: '#17775000000227544',
                pricebook_rate: '#22.50',
                pricebook_discount: '5%',
              },
              { item_id: '17775000000227649', pricebook_item_id: '17775000000227545', pricebook_rate: '1,250', pricebook_discount: '' },
            ],
          },
        }),
      );
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(
        await one(
          `SELECT name, description, currency_code, pricebook_type, sales_or_purchase_type, percentage::text, is_increase, rounding_type,
                  decimal_place, is_default, status FROM erp.price_lists WHERE zoho_pricebook_id = '130426000002924000'`,
          [],
        ),
      ).toEqual({
        name: 'Price List 1',
        description: 'Flash sale',
        currency_code: 'IQD',
        pricebook_type: 'per_item',
        sales_or_purchase_type: 'sales',
        percentage: null,
        is_increase: true,
        rounding_type: 'no_rounding',
        decimal_place: 2,
        is_default: false,
        status: 'active',
      });
      expect(
        await db.query(
          `SELECT zoho_item_id, zoho_pricebook_item_id, position, rate::text, discount FROM erp.price_list_items
            WHERE zoho_pricebook_id = '130426000002924000' ORDER BY position`,
        ),
      ).toEqual([
        { zoho_item_id: '17775000000227648', zoho_pricebook_item_id: '17775000000227544', position: 1, rate: '22.50', discount: '5%' },
        { zoho_item_id: '17775000000227649', zoho_pricebook_item_id: '17775000000227545', position: 2, rate: '1250', discount: null },
      ]);
    });
    it('volume pricing: each item keeps its price_brackets (start, end, rate, discount) and says which scheme applies', async () => {
      const book = (brackets: unknown[]) => ({
        pricebook: {
          pricebook_id: '130426000002924001',
          name: 'Wholesale — جملة',
          currency_code: 'USD',
          pricebook_type: 'per_item',
          pricing_scheme: 'volume',
          sales_or_purchase_type: 'sales',
          status: 'active',
          pricebook_items: [
            { item_id: '#17775000000227648', pricebook_item_id: '17775000000227550', pricing_scheme: 'volume', price_brackets: brackets },
            { item_id: '17775000000227649', pricebook_item_id: '17775000000227551', pricing_scheme: 'unit', pricebook_rate: '#9.99' },
          ],
        },
      });
      const ev = await accepted(
        'prices',
        json(
          book([
            { pricebook_item_id: '#17775000000227560', start_quantity: 1, end_quantity: '#10', pricebook_rate: '#20.00' },
            {
              pricebook_item_id: '17775000000227561',
              start_quantity: '11',
              end_quantity: '',
              pricebook_rate: 18.5,
              pricebook_discount: '5%',
            },
          ]),
        ),
      );
      await worker.drainOnce();
      expect(await event(ev.eventId)).toMatchObject({ status: 'completed', outcome: 'applied' });
      expect(await one(`SELECT pricing_scheme FROM erp.price_lists WHERE zoho_pricebook_id = '130426000002924001'`, [])).toEqual({
        pricing_scheme: 'volume',
      });
      expect(
        await db.query(
          `SELECT zoho_item_id, rate::text, pricing_scheme FROM erp.price_list_items WHERE zoho_pricebook_id = '130426000002924001' ORDER BY position`,
        ),
      ).toEqual([
        { zoho_item_id: '17775000000227648', rate: null, pricing_scheme: 'volume' },
        { zoho_item_id: '17775000000227649', rate: '9.99', pricing_scheme: 'unit' },
      ]);
      const brackets = () =>
        db.query(
          `SELECT zoho_item_id, position, zoho_pricebook_item_id, start_quantity::text, end_quantity::text, rate::text, discount, raw::text
             FROM erp.price_list_item_brackets WHERE zoho_pricebook_id = '130426000002924001' ORDER BY zoho_item_id, position`,
        );
      expect(await brackets()).toEqual([
        {
          zoho_item_id: '17775000000227648',
          position: 1,
          zoho_pricebook_item_id: '17775000000227560',
          start_quantity: '1',
          end_quantity: '10',
          rate: '20.00',
          discount: null,
          raw: '{"end_quantity": 10, "pricebook_rate": 20.00, "start_quantity": 1, "pricebook_item_id": 17775000000227560}',
        },
        {
          zoho_item_id: '17775000000227648',
          position: 2,
          zoho_pricebook_item_id: '17775000000227561',
          start_quantity: '11',
          end_quantity: null,
          rate: '18.5',
          discount: '5%',
          raw: '{"end_quantity": "", "pricebook_rate": 18.5, "start_quantity": "11", "pricebook_item_id": "17775000000227561", "pricebook_discount": "5%"}',
        },
      ]);

      // A new version with one bracket replaces the set exactly; a bracket that is not a number dead-letters, naming it.
      await accepted('prices', json(book([{ start_quantity: 1, pricebook_rate: 19 }])));
      await worker.drainOnce();
      expect((await brackets()).map((b) => [b.position, b.rate])).toEqual([[1, '19']]);
      const bad = await accepted('prices', json(book([{ start_quantity: 'ten', pricebook_rate: 19 }])));
      await worker.drainOnce();
      const e = await event(bad.eventId);
      expect(e.status).toBe('dead_letter');
      expect(e.last_error).toMatch(/pricebook\.price_brackets\.start_quantity: "ten" is not a number/);
      expect((await brackets()).map((b) => [b.position, b.rate])).toEqual([[1, '19']]);
    });
  });
});
