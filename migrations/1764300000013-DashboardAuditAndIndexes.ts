import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard (issue #12, docs/decisions/0020): the admin audit table, a replay's link to its source event, and
 * the few indexes the dashboard's reads need on a history of a million events.
 *
 * Every index on tds.events is written by each ingest and, because status changes cannot be HOT updates, again by
 * each completion; so only one full index is added (events by Zoho id) and the others are partial or BRIN:
 *  - events_entity_idx (entity_id, id): recent-events / dead-letter filtered by Zoho id, newest first. One b-tree
 *    insert per row version (~2 per event); measured in docs/PERFORMANCE.md.
 *  - events_errored_idx (id) WHERE last_error IS NOT NULL: `q` (text in the error) scans only failed and
 *    dead-lettered rows. Rows enter it only when a try fails: no cost on the happy path.
 *  - events_received_brin (received_at) BRIN: the 24-hour counts of queue-stats. A BRIN summary is a few pages for
 *    the whole table; an insert touches at most one summary tuple.
 *  - error_pattern (generated) and two partial indexes on dead-lettered rows only (below).
 * from/to windows need no index: they become id ranges (EventBrowserRepository).
 */
export class DashboardAuditAndIndexes1764300000013 implements MigrationInterface {
  name = 'DashboardAuditAndIndexes1764300000013';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tds.admin_audit (
        id           bigserial PRIMARY KEY,
        at           timestamptz NOT NULL DEFAULT now(),
        -- the name of the admin key (ADMIN_API_KEYS name:key), never the key itself
        key_name     text NOT NULL,
        action       text NOT NULL,
        target       text,
        client_ip    text,
        status_code  integer NOT NULL,
        result       text NOT NULL CHECK (result IN ('succeeded', 'failed')),
        detail       text,
        request_id   text
      )`);
    await q.query(`CREATE INDEX admin_audit_action_idx ON tds.admin_audit (action, id)`);
    await q.query(`CREATE INDEX admin_audit_key_idx ON tds.admin_audit (key_name, id)`);

    // A replay is a new event; it names the event it was copied from (no default: a metadata-only change).
    await q.query(`ALTER TABLE tds.events ADD COLUMN replay_of bigint`);
    // Retention prunes the stored body and record of old events (replay then answers 410): both may be NULL.
    // DROP NOT NULL is idempotent, so the retention migration may say the same.
    await q.query(`ALTER TABLE tds.events ALTER COLUMN body DROP NOT NULL, ALTER COLUMN payload DROP NOT NULL`);

    await q.query(`CREATE INDEX events_entity_idx ON tds.events (entity_id, id)`);
    await q.query(`CREATE INDEX events_errored_idx ON tds.events (id) WHERE last_error IS NOT NULL`);
    await q.query(`CREATE INDEX events_received_brin ON tds.events USING brin (received_at)`);

    // The dead letters' error pattern: the message with UUIDs, quoted values and every run of digits replaced, so
    // that one cause is one group (GET /dashboard/dead-letter?groupBy=error; the fingerprint is md5 of it). Stored
    // rather than computed at read time: three regular expressions over 15,000 dead letters took ~250 ms a request.
    // Computed by PostgreSQL on every row write, but only when the row is dead-lettered (a CASE that is false on
    // every other write). Adding it rewrites tds.events once (ACCESS EXCLUSIVE for the rewrite: ~20 s per million
    // events on our machines; ingest waits meanwhile).
    await q.query(`
      ALTER TABLE tds.events ADD COLUMN error_pattern text GENERATED ALWAYS AS (
        CASE WHEN status = 'dead_letter' THEN
          regexp_replace(regexp_replace(regexp_replace(coalesce(last_error, ''),
            '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '<uuid>', 'g'),
            '"[^"]*"|''[^'']*''', '"…"', 'g'),
            '[0-9]+', '#', 'g')
        END) STORED`);
    // Dead letters per entity type and their oldest (queue-stats) from the index alone. Rows enter it only when
    // dead-lettered: no cost on the happy path.
    await q.query(`CREATE INDEX events_dead_letter_type_idx ON tds.events (entity_type, received_at) WHERE status = 'dead_letter'`);
    // Grouping by error and picking a group (fingerprint) read the dead letters from this index alone: a heap visit
    // per dead letter (one page each, spread over the history) cost ~100 ms for 15,000. Dead letters only.
    await q.query(`
      CREATE INDEX events_dead_letter_pattern_idx ON tds.events (error_pattern)
      INCLUDE (id, entity_type, entity_id, last_error_code, updated_at, received_at) WHERE status = 'dead_letter'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tds.events_dead_letter_pattern_idx`);
    await q.query(`DROP INDEX IF EXISTS tds.events_dead_letter_type_idx`);
    await q.query(`ALTER TABLE tds.events DROP COLUMN IF EXISTS error_pattern`);
    await q.query(`DROP INDEX IF EXISTS tds.events_received_brin`);
    await q.query(`DROP INDEX IF EXISTS tds.events_errored_idx`);
    await q.query(`DROP INDEX IF EXISTS tds.events_entity_idx`);
    // body/payload stay nullable: rows pruned meanwhile could not be made NOT NULL again.
    await q.query(`ALTER TABLE tds.events DROP COLUMN IF EXISTS replay_of`);
    await q.query(`DROP TABLE IF EXISTS tds.admin_audit`);
  }
}
