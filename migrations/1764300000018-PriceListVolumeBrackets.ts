import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Volume pricing of Zoho Inventory price lists (pricelists.yml: `pricing_scheme` = unit | volume; a volume-priced
 * item has `price_brackets[]` of start_quantity, end_quantity, pricebook_rate, pricebook_discount and no rate of its
 * own). Until now only the item entry was kept, so a volume-priced item landed with rate NULL and its prices only in
 * raw. `pricing_scheme` says which of the two an ERP reader must use (the item's own, else the price list's); the
 * brackets are one row each, numbered from 1 in Zoho's order, replaced exactly with their price list's items.
 * raw = the bracket as received (read from the stored event, exact JSON numbers).
 */
export class PriceListVolumeBrackets1764300000018 implements MigrationInterface {
  name = 'PriceListVolumeBrackets1764300000018';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE erp.price_lists ADD COLUMN pricing_scheme text`);
    await q.query(`ALTER TABLE erp.price_list_items ADD COLUMN pricing_scheme text`);
    await q.query(`
      CREATE TABLE erp.price_list_item_brackets (
        zoho_pricebook_id       text NOT NULL,
        zoho_item_id            text NOT NULL,
        position                integer NOT NULL,
        zoho_pricebook_item_id  text,
        start_quantity          numeric,
        end_quantity            numeric,
        rate                    numeric,
        discount                text,
        zoho_modified_at        timestamptz,
        raw                     jsonb,
        synced_at               timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (zoho_pricebook_id, zoho_item_id, position)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS erp.price_list_item_brackets`);
    await q.query(`ALTER TABLE erp.price_list_items DROP COLUMN IF EXISTS pricing_scheme`);
    await q.query(`ALTER TABLE erp.price_lists DROP COLUMN IF EXISTS pricing_scheme`);
  }
}
