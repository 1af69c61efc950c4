import { MigrationInterface, QueryRunner } from 'typeorm';

// Columns every ERP table carries: Zoho's last-modified time (drives the stale check), the record as received,
// when we wrote it, and a soft-delete mark.
const TRACKING = `
  zoho_modified_at  timestamptz,
  raw               jsonb,
  synced_at         timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz`;

// Document lines: keyed by (parent id, line id); a new version of the document replaces its set exactly.
const lineTable = (table: string, parent: string, extra: string) => `
  CREATE TABLE erp.${table} (
    ${parent}           text NOT NULL,
    zoho_line_item_id   text NOT NULL,
    position            integer NOT NULL,
    zoho_item_id        text,
    sku                 text,
    name                text,
    description         text,
    quantity            numeric,
    unit                text,
    rate                numeric,
    discount            text,
    item_total          numeric,
    ${extra}
    ${TRACKING},
    PRIMARY KEY (${parent}, zoho_line_item_id)
  )`;

/**
 * The ERP target schema `erp`: exact table and column names other systems query. Money and quantities are
 * numeric (exact), ids text (Zoho ids exceed 2^53), dates date, Zoho times timestamptz.
 */
export class CreateErpTables1764300000002 implements MigrationInterface {
  name = 'CreateErpTables1764300000002';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE erp.contacts (
        zoho_contact_id                text PRIMARY KEY,
        contact_type                   text,
        customer_sub_type              text,
        contact_name                   text,
        company_name                   text,
        email                          text,
        phone                          text,
        currency_code                  text,
        status                         text,
        credit_limit                   numeric,
        outstanding_receivable_amount  numeric,
        outstanding_payable_amount     numeric,
        payment_terms                  integer,
        payment_terms_label            text,
        ${TRACKING}
      )`);
    await q.query(`CREATE INDEX contacts_type_name_idx ON erp.contacts (contact_type, contact_name)`);

    await q.query(`
      CREATE TABLE erp.products (
        zoho_item_id    text PRIMARY KEY,
        sku             text,
        name            text,
        description     text,
        unit            text,
        status          text,
        item_type       text,
        product_type    text,
        rate            numeric,
        purchase_rate   numeric,
        stock_on_hand   numeric,
        available_stock numeric,
        upc             text,
        ean             text,
        part_number     text,
        ${TRACKING}
      )`);
    await q.query(`CREATE INDEX products_sku_idx ON erp.products (sku)`);

    await q.query(`
      CREATE TABLE erp.sales_orders (
        zoho_salesorder_id  text PRIMARY KEY,
        salesorder_number   text,
        reference_number    text,
        customer_zoho_id    text,
        customer_name       text,
        date                date,
        shipment_date       date,
        status              text,
        currency_code       text,
        exchange_rate       numeric,
        sub_total           numeric,
        tax_total           numeric,
        shipping_charge     numeric,
        adjustment          numeric,
        total               numeric,
        ${TRACKING}
      )`);
    await q.query(lineTable('sales_order_lines', 'zoho_salesorder_id', 'location_id text,'));

    await q.query(`
      CREATE TABLE erp.invoices (
        zoho_invoice_id   text PRIMARY KEY,
        invoice_number    text,
        reference_number  text,
        customer_zoho_id  text,
        customer_name     text,
        date              date,
        due_date          date,
        status            text,
        currency_code     text,
        exchange_rate     numeric,
        sub_total         numeric,
        tax_total         numeric,
        total             numeric,
        payment_made      numeric,
        balance           numeric,
        ${TRACKING}
      )`);
    await q.query(lineTable('invoice_lines', 'zoho_invoice_id', 'location_id text,'));

    await q.query(`
      CREATE TABLE erp.bills (
        zoho_bill_id      text PRIMARY KEY,
        bill_number       text,
        reference_number  text,
        vendor_zoho_id    text,
        vendor_name       text,
        date              date,
        due_date          date,
        status            text,
        currency_code     text,
        exchange_rate     numeric,
        sub_total         numeric,
        tax_total         numeric,
        total             numeric,
        balance           numeric,
        ${TRACKING}
      )`);
    await q.query(lineTable('bill_lines', 'zoho_bill_id', 'account_id text, location_id text,'));

    await q.query(`
      CREATE TABLE erp.credit_notes (
        zoho_creditnote_id  text PRIMARY KEY,
        creditnote_number   text,
        reference_number    text,
        customer_zoho_id    text,
        customer_name       text,
        date                date,
        status              text,
        currency_code       text,
        exchange_rate       numeric,
        sub_total           numeric,
        total               numeric,
        balance             numeric,
        ${TRACKING}
      )`);
    await q.query(lineTable('credit_note_lines', 'zoho_creditnote_id', 'account_id text, zoho_invoice_id text,'));

    for (const [table, col] of [
      ['sales_orders', 'customer_zoho_id'],
      ['invoices', 'customer_zoho_id'],
      ['bills', 'vendor_zoho_id'],
      ['credit_notes', 'customer_zoho_id'],
    ]) {
      await q.query(`CREATE INDEX ${table}_${col}_idx ON erp.${table} (${col})`);
    }
    for (const table of ['sales_order_lines', 'invoice_lines', 'bill_lines', 'credit_note_lines']) {
      await q.query(`CREATE INDEX ${table}_item_idx ON erp.${table} (zoho_item_id)`);
    }

    // Stock per item and warehouse/location ('' = organisation level when Zoho names no location).
    await q.query(`
      CREATE TABLE erp.stock_levels (
        zoho_item_id     text NOT NULL,
        warehouse_id     text NOT NULL,
        warehouse_name   text,
        stock_on_hand    numeric NOT NULL DEFAULT 0,
        available_stock  numeric,
        ${TRACKING},
        PRIMARY KEY (zoho_item_id, warehouse_id)
      )`);

    await q.query(`
      CREATE TABLE erp.stock_adjustments (
        zoho_adjustment_id  text PRIMARY KEY,
        reference_number    text,
        date                date,
        reason              text,
        reason_id           text,
        description         text,
        adjustment_type     text,
        total               numeric,
        ${TRACKING}
      )`);
    // applied_quantity is what this line changed in erp.stock_levels; an edit applies new − applied.
    await q.query(`
      CREATE TABLE erp.stock_adjustment_lines (
        zoho_adjustment_id  text NOT NULL,
        zoho_line_item_id   text NOT NULL,
        position            integer NOT NULL,
        zoho_item_id        text,
        name                text,
        warehouse_id        text NOT NULL DEFAULT '',
        quantity_adjusted   numeric,
        value_adjusted      numeric,
        applied_quantity    numeric NOT NULL DEFAULT 0,
        adjustment_account_id text,
        ${TRACKING},
        PRIMARY KEY (zoho_adjustment_id, zoho_line_item_id)
      )`);
    await q.query(`CREATE INDEX stock_adjustment_lines_item_idx ON erp.stock_adjustment_lines (zoho_item_id)`);

    await q.query(`
      CREATE TABLE erp.price_lists (
        zoho_pricebook_id       text PRIMARY KEY,
        name                    text,
        description             text,
        currency_code           text,
        pricebook_type          text,
        sales_or_purchase_type  text,
        percentage              numeric,
        is_increase             boolean,
        rounding_type           text,
        decimal_place           integer,
        is_default              boolean,
        status                  text,
        ${TRACKING}
      )`);
    await q.query(`
      CREATE TABLE erp.price_list_items (
        zoho_pricebook_id       text NOT NULL,
        zoho_item_id            text NOT NULL,
        zoho_pricebook_item_id  text,
        position                integer NOT NULL,
        name                    text,
        rate                    numeric,
        discount                text,
        ${TRACKING},
        PRIMARY KEY (zoho_pricebook_id, zoho_item_id)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'price_list_items',
      'price_lists',
      'stock_adjustment_lines',
      'stock_adjustments',
      'stock_levels',
      'credit_note_lines',
      'credit_notes',
      'bill_lines',
      'bills',
      'invoice_lines',
      'invoices',
      'sales_order_lines',
      'sales_orders',
      'products',
      'contacts',
    ]) {
      await q.query(`DROP TABLE IF EXISTS erp.${t}`);
    }
  }
}
