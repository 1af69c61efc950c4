import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A blank per-warehouse stock figure from Zoho means "unknown", not zero: erp.stock_levels.stock_on_hand becomes
 * nullable like erp.products.stock_on_hand. An adjustment on an unknown level leaves it unknown (NULL + delta).
 */
export class StockUnknownIsNull1764300000004 implements MigrationInterface {
  name = 'StockUnknownIsNull1764300000004';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE erp.stock_levels ALTER COLUMN stock_on_hand DROP NOT NULL, ALTER COLUMN stock_on_hand DROP DEFAULT`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE erp.stock_levels SET stock_on_hand = 0 WHERE stock_on_hand IS NULL`);
    await q.query(`ALTER TABLE erp.stock_levels ALTER COLUMN stock_on_hand SET DEFAULT 0, ALTER COLUMN stock_on_hand SET NOT NULL`);
  }
}
