import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #8 (adversarial defects):
 * - Dedup by content (docs/decisions/0007): a record without a Zoho timestamp is a duplicate only when it equals the
 *   newest accepted event of that record, so ingest looks that event up. The index covers the events such a lookup
 *   can need: every event without a timestamp, and every event of the two record types Zoho documents without one
 *   (adjustments and price lists, whose events may mix both).
 * - `outcome_detail`: what an applied event did not do and why (e.g. a stock delta already in a newer snapshot).
 * - `retry_base`: attempts made before the last manual retry. Attempt numbers keep increasing across manual retries;
 *   the retry budget counts from here.
 * - `stock_adjustment_lines.warehouse_name`: the location name an adjustment line carries.
 */
export class ContentDedupAndFinalDeletes1764300000005 implements MigrationInterface {
  name = 'ContentDedupAndFinalDeletes1764300000005';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tds.events ADD COLUMN outcome_detail text, ADD COLUMN retry_base integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE INDEX events_untimed_record_idx ON tds.events (record_type, entity_id, id)
      WHERE zoho_modified_at IS NULL OR record_type IN ('inventory_adjustment', 'pricebook')`);
    await q.query(`ALTER TABLE erp.stock_adjustment_lines ADD COLUMN warehouse_name text`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE erp.stock_adjustment_lines DROP COLUMN warehouse_name`);
    await q.query(`DROP INDEX tds.events_untimed_record_idx`);
    await q.query(`ALTER TABLE tds.events DROP COLUMN outcome_detail, DROP COLUMN retry_base`);
  }
}
