import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prometheus counters of every process (issue 12): each process publishes its counters and histograms into its own
 * tds.workers row, so whichever API process Prometheus scrapes shows the whole service, worker-only processes (which
 * serve no HTTP) included, each under its own `process` label.
 */
export class PublishedProcessMetrics1764300000015 implements MigrationInterface {
  name = 'PublishedProcessMetrics1764300000015';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tds.workers ADD COLUMN metrics jsonb, ADD COLUMN metrics_at timestamptz`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tds.workers DROP COLUMN metrics, DROP COLUMN metrics_at`);
  }
}
