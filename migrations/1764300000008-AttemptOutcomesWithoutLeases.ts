import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * tds.event_attempts.outcome allowed 'lease_expired' and 'released', outcomes of the lease-based claim that
 * 1764300000003 replaced with row locks: nothing has written them since (a claim that ends without finishing rolls
 * back and leaves no attempt row). The CHECK now lists only the outcomes the worker writes. An old row carrying one of
 * them would make the ALTER fail, so those are mapped first to 'retry' (the event was claimable again afterwards).
 *
 * down: the wider CHECK again (the rows stay as they are).
 */
export class AttemptOutcomesWithoutLeases1764300000008 implements MigrationInterface {
  name = 'AttemptOutcomesWithoutLeases1764300000008';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE tds.event_attempts SET outcome = 'retry' WHERE outcome IN ('lease_expired', 'released')`);
    await q.query(`ALTER TABLE tds.event_attempts DROP CONSTRAINT event_attempts_outcome_check`);
    await q.query(`
      ALTER TABLE tds.event_attempts ADD CONSTRAINT event_attempts_outcome_check
        CHECK (outcome IN ('applied', 'skipped_stale', 'retry', 'dead_letter'))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tds.event_attempts DROP CONSTRAINT event_attempts_outcome_check`);
    await q.query(`
      ALTER TABLE tds.event_attempts ADD CONSTRAINT event_attempts_outcome_check
        CHECK (outcome IN ('applied', 'skipped_stale', 'retry', 'dead_letter', 'lease_expired', 'released'))`);
  }
}
