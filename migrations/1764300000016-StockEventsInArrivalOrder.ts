import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock events run in arrival order across records (docs/decisions/0007): an item record (absolute levels) and an
 * inventory adjustment (deltas) move the same erp.stock_levels rows, so the claim never runs one before an earlier
 * unfinished event of the other kind. The claim asks, once per batch, for the lowest waiting id of each kind: these two
 * partial indexes answer with one index-only probe, and only waiting item and adjustment rows enter them (other
 * events cost nothing). One index per kind, whose predicate the question matches exactly, so that the planner never
 * prefers walking events_runnable_idx (all waiting events) to find the first of a kind.
 */
export class StockEventsInArrivalOrder1764300000016 implements MigrationInterface {
  name = 'StockEventsInArrivalOrder1764300000016';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX events_waiting_items_idx ON tds.events (id) WHERE record_type = 'item' AND status IN ('pending', 'failed')`,
    );
    await q.query(`
      CREATE INDEX events_waiting_adjustments_idx ON tds.events (id)
      WHERE record_type = 'inventory_adjustment' AND status IN ('pending', 'failed')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tds.events_waiting_adjustments_idx`);
    await q.query(`DROP INDEX IF EXISTS tds.events_waiting_items_idx`);
  }
}
