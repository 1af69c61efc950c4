import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable event queue. One row per accepted webhook; the worker moves it through
 *   pending → processing → completed            (applied or skipped_stale)
 *                        → failed → processing  (transient error; retried after backoff)
 *                        → dead_letter          (permanent error, or attempts exhausted; manual retry → pending)
 * A claim gives the row a lease (lease_token, lease_expires_at). Only the holder of the current token may
 * complete it: a worker whose lease expired and was re-claimed cannot commit a stale result (fencing).
 */
export class CreateEventQueue1764300000001 implements MigrationInterface {
  name = 'CreateEventQueue1764300000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tds.events (
        id                bigserial PRIMARY KEY,
        -- Redelivery detection: hash of (org, entity, record, id, event kind, last_modified_time or body).
        dedup_key         text NOT NULL,
        entity_type       text NOT NULL,
        record_type       text NOT NULL,
        entity_id         text NOT NULL,
        event_kind        text NOT NULL CHECK (event_kind IN ('created', 'updated', 'deleted')),
        organization_id   text,
        zoho_modified_at  timestamptz,
        content_type      text NOT NULL,
        -- Exact request bytes (signature evidence, re-parse). jsonb would reorder keys and refuse \\u0000.
        body              bytea NOT NULL,
        -- The record (body[record_type]) with exact numbers; what the worker maps.
        payload           jsonb NOT NULL,
        status            text NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'dead_letter')),
        outcome           text CHECK (outcome IN ('applied', 'skipped_stale')),
        attempts          integer NOT NULL DEFAULT 0,
        next_attempt_at   timestamptz NOT NULL DEFAULT now(),
        lease_token       uuid,
        lease_owner       text,
        lease_expires_at  timestamptz,
        last_error        text,
        last_error_code   text,
        request_id        text,
        received_at       timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        completed_at      timestamptz
      )`);
    // Body and payload live out of line (TOAST), uncompressed: every status change rewrites the row (the updates
    // cannot be HOT), and a ~200-byte main tuple is far cheaper to rewrite than one carrying 2-5 KB of JSON.
    await q.query(`ALTER TABLE tds.events ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN payload SET STORAGE EXTERNAL`);
    await q.query(`ALTER TABLE tds.events SET (toast_tuple_target = 128)`);
    await q.query(`CREATE UNIQUE INDEX events_dedup_key_uq ON tds.events (dedup_key)`);
    // Claim scan: runnable rows in arrival order.
    await q.query(`CREATE INDEX events_runnable_idx ON tds.events (id) WHERE status IN ('pending', 'failed')`);
    // Per-record ordering: "is there an earlier unfinished event for this record?" is one index probe.
    await q.query(`
      CREATE INDEX events_record_chain_idx ON tds.events (record_type, entity_id, id)
      WHERE status IN ('pending', 'processing', 'failed')`);
    // Lease reaper.
    await q.query(`CREATE INDEX events_lease_idx ON tds.events (lease_expires_at) WHERE status = 'processing'`);
    // Every index here is rewritten by each status change (claim, complete: the updates cannot be HOT), so the set
    // is kept to what the hot paths need; dashboard indexes come with the dashboard, measured (docs/PERFORMANCE.md).

    // Every attempt, for the dashboard and post-mortems.
    await q.query(`
      CREATE TABLE tds.event_attempts (
        id            bigserial PRIMARY KEY,
        -- no foreign key: one check per attempt row on the hot path; retention deletes both tables together
        event_id      bigint NOT NULL,
        attempt       integer NOT NULL,
        worker_id     text NOT NULL,
        started_at    timestamptz NOT NULL,
        finished_at   timestamptz NOT NULL DEFAULT now(),
        duration_ms   integer NOT NULL,
        outcome       text NOT NULL CHECK (outcome IN ('applied', 'skipped_stale', 'retry', 'dead_letter', 'lease_expired', 'released')),
        error         text,
        error_code    text
      )`);
    await q.query(`CREATE INDEX event_attempts_event_idx ON tds.event_attempts (event_id, attempt)`);
    await q.query(`CREATE INDEX event_attempts_finished_idx ON tds.event_attempts (finished_at DESC)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tds.event_attempts`);
    await q.query(`DROP TABLE IF EXISTS tds.events`);
  }
}
