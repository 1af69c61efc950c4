import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claims become row locks held by the batch transaction (docs/decisions/0004): no `processing` state, no lease
 * columns, no reaper. States are now
 *   pending → completed            (applied or skipped_stale; claim, apply and completion are one transaction)
 *           → failed → completed   (transient error; claimable again after its backoff)
 *           → dead_letter          (permanent error, or attempts exhausted; manual retry → pending)
 * One row write per try instead of two (claim + complete), and a dead worker's rows are free the moment its
 * session ends instead of when a lease runs out.
 */
export class ClaimsAreRowLocks1764300000003 implements MigrationInterface {
  name = 'ClaimsAreRowLocks1764300000003';

  public async up(q: QueryRunner): Promise<void> {
    // Rows a worker of the previous version held: they were not applied (apply and completion commit together).
    await q.query(`UPDATE tds.events SET status = 'pending', updated_at = now() WHERE status = 'processing'`);
    await q.query(`DROP INDEX tds.events_lease_idx`);
    await q.query(`DROP INDEX tds.events_record_chain_idx`);
    await q.query(`ALTER TABLE tds.events DROP COLUMN lease_token, DROP COLUMN lease_owner, DROP COLUMN lease_expires_at`);
    await q.query(`ALTER TABLE tds.events DROP CONSTRAINT events_status_check`);
    await q.query(`
      ALTER TABLE tds.events ADD CONSTRAINT events_status_check
        CHECK (status IN ('pending', 'completed', 'failed', 'dead_letter'))`);
    // Per-record ordering: "is there an earlier unfinished event for this record?" is one index probe.
    await q.query(`
      CREATE INDEX events_record_chain_idx ON tds.events (record_type, entity_id, id)
      WHERE status IN ('pending', 'failed')`);
    // One index insert less per attempt on the hot path; time-window queries come with the monitoring module.
    await q.query(`DROP INDEX tds.event_attempts_finished_idx`);
    // Queue stats and the dead-letter list without scanning the history (rows enter it rarely: no hot-path cost).
    await q.query(`CREATE INDEX events_dead_letter_idx ON tds.events (id) WHERE status = 'dead_letter'`);
    // Internal keys compare as bytes: every insert into the dedup and chain indexes (ingest, and each completion
    // of the dedup index) compares text, and under a database locale other than C that is strcoll() per comparison.
    await q.query(`
      ALTER TABLE tds.events ALTER COLUMN dedup_key TYPE text COLLATE "C",
        ALTER COLUMN record_type TYPE text COLLATE "C", ALTER COLUMN entity_id TYPE text COLLATE "C"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tds.events ALTER COLUMN dedup_key TYPE text COLLATE "default",
        ALTER COLUMN record_type TYPE text COLLATE "default", ALTER COLUMN entity_id TYPE text COLLATE "default"`);
    await q.query(`DROP INDEX tds.events_dead_letter_idx`);
    await q.query(`CREATE INDEX event_attempts_finished_idx ON tds.event_attempts (finished_at DESC)`);
    await q.query(`DROP INDEX tds.events_record_chain_idx`);
    await q.query(`ALTER TABLE tds.events DROP CONSTRAINT events_status_check`);
    await q.query(`
      ALTER TABLE tds.events ADD CONSTRAINT events_status_check
        CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'dead_letter'))`);
    await q.query(
      `ALTER TABLE tds.events ADD COLUMN lease_token uuid, ADD COLUMN lease_owner text, ADD COLUMN lease_expires_at timestamptz`,
    );
    await q.query(`
      CREATE INDEX events_record_chain_idx ON tds.events (record_type, entity_id, id)
      WHERE status IN ('pending', 'processing', 'failed')`);
    await q.query(`CREATE INDEX events_lease_idx ON tds.events (lease_expires_at) WHERE status = 'processing'`);
  }
}
