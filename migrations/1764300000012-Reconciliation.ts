import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation with the Zoho API (src/modules/reconcile, docs/RECONCILIATION.md, decision 0019):
 *  - tds.events.source: who delivered an event. The DEFAULT keeps the webhook ingest statement unchanged (it does
 *    not name the column); a constant default is a catalogue-only change, no table rewrite.
 *  - tds.zoho_tokens / tds.zoho_token_requests: the OAuth access token shared by every process, and the token
 *    requests made (Zoho allows 10 per 10 minutes per refresh token).
 *  - tds.zoho_api_usage: requests made per minute and per UTC day, shared by every process.
 *  - tds.reconcile_state / tds.reconcile_passes / tds.reconcile_seen: per entity type the watermark and the cursor
 *    of an unfinished pass, one row per pass, and what was seen of types without timestamps (price-list content
 *    hashes, adjustment ids).
 */
export class Reconciliation1764300000012 implements MigrationInterface {
  name = 'Reconciliation1764300000012';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tds.events ADD COLUMN source text NOT NULL DEFAULT 'webhook'
        CONSTRAINT events_source_check CHECK (source IN ('webhook', 'reconcile'))`);
    await q.query(`
      CREATE TABLE tds.zoho_tokens (
        -- sha256 of accounts URL + client id + refresh token: a new refresh token starts a new cache entry
        cache_key     text PRIMARY KEY,
        access_token  text,
        api_domain    text,
        expires_at    timestamptz,
        refreshed_at  timestamptz
      )`);
    await q.query(`
      CREATE TABLE tds.zoho_token_requests (
        id            bigserial PRIMARY KEY,
        cache_key     text NOT NULL,
        requested_at  timestamptz NOT NULL DEFAULT now(),
        ok            boolean NOT NULL
      )`);
    await q.query(`CREATE INDEX zoho_token_requests_key_idx ON tds.zoho_token_requests (cache_key, requested_at)`);
    await q.query(`
      CREATE TABLE tds.zoho_api_usage (
        -- 'minute' or 'day', and the start of that window (UTC)
        window_kind   text NOT NULL CHECK (window_kind IN ('minute', 'day')),
        window_start  timestamptz NOT NULL,
        used          integer NOT NULL DEFAULT 0,
        PRIMARY KEY (window_kind, window_start)
      )`);
    await q.query(`
      CREATE TABLE tds.reconcile_state (
        entity_type        text PRIMARY KEY,
        -- the newest last_modified_time seen by a complete pass
        watermark          timestamptz,
        -- an unfinished pass: where it stopped ({since, page, maxSeen, backfill})
        cursor             jsonb,
        first_complete_at  timestamptz,
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE tds.reconcile_passes (
        id                    bigserial PRIMARY KEY,
        entity_type           text NOT NULL,
        trigger               text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
        admin_key_name        text,
        dry_run               boolean NOT NULL DEFAULT false,
        -- no complete pass before this one (the first run over an empty ERP)
        backfill              boolean NOT NULL,
        -- a complete pass of this entity type existed when this one started (the alert rule counts only these)
        after_first_complete  boolean NOT NULL,
        resumed               boolean NOT NULL DEFAULT false,
        window_since          timestamptz,
        window_until          timestamptz,
        status                text NOT NULL CHECK (status IN ('running', 'completed', 'incomplete', 'failed')),
        stop_reason           text,
        pages                 integer NOT NULL DEFAULT 0,
        requests              integer NOT NULL DEFAULT 0,
        listed                integer NOT NULL DEFAULT 0,
        missing               integer NOT NULL DEFAULT 0,
        enqueued              integer NOT NULL DEFAULT 0,
        duplicates            integer NOT NULL DEFAULT 0,
        sample_ids            text[] NOT NULL DEFAULT '{}',
        started_at            timestamptz NOT NULL DEFAULT now(),
        finished_at           timestamptz,
        duration_ms           integer,
        error                 text
      )`);
    await q.query(`CREATE INDEX reconcile_passes_entity_idx ON tds.reconcile_passes (entity_type, id DESC)`);
    await q.query(`
      CREATE TABLE tds.reconcile_seen (
        entity_type   text NOT NULL,
        zoho_id       text NOT NULL,
        content_hash  text,
        seen_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (entity_type, zoho_id)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tds.reconcile_seen`);
    await q.query(`DROP TABLE tds.reconcile_passes`);
    await q.query(`DROP TABLE tds.reconcile_state`);
    await q.query(`DROP TABLE tds.zoho_api_usage`);
    await q.query(`DROP TABLE tds.zoho_token_requests`);
    await q.query(`DROP TABLE tds.zoho_tokens`);
    await q.query(`ALTER TABLE tds.events DROP COLUMN source`);
  }
}
