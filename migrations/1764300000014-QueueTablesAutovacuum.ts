import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Autovacuum settings of the queue tables (issue 15). tds.events is a queue: rows are inserted, updated once or twice
 * and then stay; PostgreSQL's defaults (analyze after 10% of the table changed, vacuum after 20%) let a large table
 * wait long for both, and the claim's plan depends on fresh statistics. The worker also analyzes these tables itself
 * (QueueStatisticsService), for servers where autovacuum is off.
 */
export class QueueTablesAutovacuum1764300000014 implements MigrationInterface {
  name = 'QueueTablesAutovacuum1764300000014';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tds.events SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05)`);
    await q.query(
      `ALTER TABLE tds.event_attempts SET (autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_insert_scale_factor = 0.1)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tds.events RESET (autovacuum_analyze_scale_factor, autovacuum_vacuum_scale_factor)`);
    await q.query(`ALTER TABLE tds.event_attempts RESET (autovacuum_analyze_scale_factor, autovacuum_vacuum_insert_scale_factor)`);
  }
}
