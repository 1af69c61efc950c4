import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #13 (docs/decisions/0017-backups-and-retention.md):
 * - `tds.backup_runs`: one row per backup run (scheduled, `npm run backup`, or a `backup:verify` of a file): the file,
 *   its size, how long it took, whether it was verified and how, the row count of every tds/erp table at dump time
 *   (and, after a full verification, in the restored copy), and the error. Retention marks the files it removes.
 * - `tds.events.body` / `payload` may be NULL: the retention job clears them on completed events after
 *   TDS_INBOX_RETENTION_DAYS. Only completed events are cleared, and the worker claims only pending/failed ones, so
 *   the worker never reads a cleared event. Dedup reads `dedup_key` (kept); the one lookup that compares payloads (a
 *   record without a Zoho timestamp against its newest event) is served because that newest event is never cleared.
 *
 * down: the NOT NULLs come back only when no cleared row exists (a cleared body cannot be restored): cleared rows are
 * deleted first, as the retention job would after TDS_EVENT_RETENTION_DAYS.
 */
export class BackupRunsAndRetention1764300000011 implements MigrationInterface {
  name = 'BackupRunsAndRetention1764300000011';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tds.backup_runs (
        id               bigserial PRIMARY KEY,
        -- 'schedule' (the in-app cron), 'manual' (npm run backup / the cron script), 'verify' (backup:verify FILE)
        trigger          text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'verify')),
        -- the singleton job's scheduled time (one run per time across processes); NULL for the other triggers
        scheduled_at     timestamptz,
        status           text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
        file             text,
        size_bytes       bigint,
        started_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at      timestamptz,
        duration_ms      integer,
        -- 'archive' (the archive reads back whole) or 'full' (also restored into a scratch database, counts compared)
        verify_mode      text CHECK (verify_mode IN ('archive', 'full')),
        verified         boolean NOT NULL DEFAULT false,
        verified_at      timestamptz,
        -- {"tds.events": 12, "erp.invoices": 3, ...}, counted inside the snapshot pg_dump used
        row_counts       jsonb,
        -- the same tables counted in the restored scratch copy (full verification)
        restored_counts  jsonb,
        tool_version     text,
        server_version   text,
        error            text,
        -- set when retention removed the file
        removed_at       timestamptz
      )`);
    await q.query(`CREATE INDEX backup_runs_started_idx ON tds.backup_runs (started_at DESC)`);
    await q.query(`CREATE INDEX backup_runs_verified_idx ON tds.backup_runs (verified_at DESC) WHERE verified`);
    await q.query(`ALTER TABLE tds.events ALTER COLUMN body DROP NOT NULL, ALTER COLUMN payload DROP NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM tds.event_attempts a USING tds.events e
      WHERE a.event_id = e.id AND (e.body IS NULL OR e.payload IS NULL)`);
    await q.query(`DELETE FROM tds.events WHERE body IS NULL OR payload IS NULL`);
    await q.query(`ALTER TABLE tds.events ALTER COLUMN body SET NOT NULL, ALTER COLUMN payload SET NOT NULL`);
    await q.query(`DROP TABLE tds.backup_runs`);
  }
}
