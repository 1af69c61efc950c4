import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock events wait per item, not per kind (issue 15, docs/decisions/0007). An item record (absolute levels) and an
 * inventory adjustment (deltas) that move the same item run in arrival order; until now the claim ran neither kind
 * before any earlier waiting event of the other kind, so every switch between the kinds ended a batch (one adjustment
 * in 5 events: ~400 events/s) and one adjustment waiting for its retry held back the item records of every product.
 *
 * `stock_item_ids` holds the item ids an adjustment's lines name (set at insert, NULL for every other record type):
 * - an item record waits for an earlier waiting adjustment whose ids contain its id: a GIN index over the waiting
 *   adjustments only (fastupdate off: no pending list for every claim to scan; adjustments are few);
 * - an adjustment waits for an earlier waiting record of one of its items: events_record_chain_idx
 *   (record_type, entity_id, id), already there for each record's own chain.
 * The ids are the digits of each line's item_id (jsonb prints a number's digits): the handler reads the trimmed
 * string, so a digit string the handler would read is always in the array (a stray extra id only makes an event wait).
 * Only waiting adjustments are read by the claim; every adjustment with a stored record gets its ids here, so a dead
 * letter retried later waits like a new one.
 */
export class StockWaitsPerItem1764300000017 implements MigrationInterface {
  name = 'StockWaitsPerItem1764300000017';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION tds.adjustment_item_ids(record jsonb) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT id ORDER BY id), '{}')
        FROM (
          SELECT substring(line ->> 'item_id' FROM '[0-9]+') COLLATE "C" AS id
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(record -> 'line_items') = 'array' THEN record -> 'line_items' ELSE '[]' END) AS line
          WHERE jsonb_typeof(line) = 'object'
        ) ids
        WHERE id IS NOT NULL
      $$`);
    await q.query(`ALTER TABLE tds.events ADD COLUMN stock_item_ids text[] COLLATE "C"`);
    await q.query(`
      UPDATE tds.events SET stock_item_ids = tds.adjustment_item_ids(payload)
      WHERE record_type = 'inventory_adjustment' AND payload IS NOT NULL`);
    await q.query(`
      CREATE INDEX events_waiting_adjustment_items_idx ON tds.events USING gin (stock_item_ids) WITH (fastupdate = off)
      WHERE record_type = 'inventory_adjustment' AND status IN ('pending', 'failed')`);
    await q.query(`DROP INDEX tds.events_waiting_items_idx`);
    await q.query(`DROP INDEX tds.events_waiting_adjustments_idx`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX events_waiting_items_idx ON tds.events (id) WHERE record_type = 'item' AND status IN ('pending', 'failed')`,
    );
    await q.query(`
      CREATE INDEX events_waiting_adjustments_idx ON tds.events (id)
      WHERE record_type = 'inventory_adjustment' AND status IN ('pending', 'failed')`);
    await q.query(`DROP INDEX tds.events_waiting_adjustment_items_idx`);
    await q.query(`ALTER TABLE tds.events DROP COLUMN stock_item_ids`);
    await q.query(`DROP FUNCTION tds.adjustment_item_ids(jsonb)`);
  }
}
