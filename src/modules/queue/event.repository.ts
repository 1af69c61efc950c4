import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { PgPoolService } from '../../database/pg-pool.service';
import type { Queryable } from '../../database/queryable';

/** A webhook event ready to be stored. */
export interface NewEvent {
  dedupKey: string;
  entityType: string;
  recordType: string;
  entityId: string;
  eventKind: string;
  organizationId: string | null;
  zohoModifiedAt: string | null;
  contentType: string;
  body: Buffer;
  /** The whole JSON document as text when the body cannot be used as is; null = parse the body. */
  payloadJson: string | null;
  requestId: string | null;
}

export interface ClaimedEventRow {
  id: string;
  entity_type: string;
  record_type: string;
  entity_id: string;
  event_kind: string;
  zoho_modified_at: string | null;
  payload_text: string;
  attempts: number;
}

export type FinishedOutcome = 'applied' | 'skipped_stale';

export const EVENTS_CHANNEL = 'tds_events';

// Multi-row insert of a micro-batch: one VALUES row per event, each value its own bind parameter (a Buffer goes
// over the wire as binary; array parameters would hex-encode and escape every body). ON CONFLICT DO NOTHING also
// absorbs duplicates within the batch. One pg_notify per statement (NOTIFY is transactional: workers wake only
// once the rows are committed; one call per batch keeps the commit-time notify queue lock short).
const INSERT_COLUMNS = 11;
function insertEventsSql(rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const b = r * INSERT_COLUMNS;
    const p = (i: number) => `$${b + i}`;
    tuples.push(
      `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}::timestamptz, ${p(8)}, ${p(9)}::bytea, ` +
        // payload = document[record_type], parsed by PostgreSQL (exact numbers, no re-serialisation in Node): from the
        // body bytes, or from the cleaned JSON text the receiver passes for form bodies, a BOM or \u0000 escapes
        `coalesce(${p(10)}::jsonb, convert_from(${p(9)}::bytea, 'UTF8')::jsonb) -> ${p(3)}, ${p(11)})`,
    );
  }
  return `
    WITH ins AS (
      INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, organization_id,
                              zoho_modified_at, content_type, body, payload, request_id)
      VALUES ${tuples.join(',\n             ')}
      ON CONFLICT (dedup_key) DO NOTHING
      RETURNING id, dedup_key
    ), wake AS (
      SELECT pg_notify('${EVENTS_CHANNEL}', '') FROM (SELECT 1 FROM ins LIMIT 1) AS any_row
    )
    SELECT ins.id::text AS id, ins.dedup_key FROM ins LEFT JOIN wake ON true`;
}

const FIND_BY_DEDUP_KEYS = `SELECT id::text AS id, dedup_key FROM tds.events WHERE dedup_key = ANY($1::text[])`;

// Claim the heads of the per-record chains: a row is runnable only when no earlier event for the same record is
// still unfinished, so two events of one record never run at once and always run in arrival order.
// SKIP LOCKED lets concurrent workers claim disjoint sets.
const CLAIM = `
  WITH candidates AS (
    SELECT e.id FROM tds.events e
    WHERE e.status IN ('pending', 'failed') AND e.next_attempt_at <= now()
      AND NOT EXISTS (
        SELECT 1 FROM tds.events p
        WHERE p.record_type = e.record_type AND p.entity_id = e.entity_id AND p.id < e.id
          AND p.status IN ('pending', 'processing', 'failed'))
    ORDER BY e.id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  )
  UPDATE tds.events e
  SET status = 'processing', attempts = e.attempts + 1, lease_token = $2::uuid, lease_owner = $3,
      lease_expires_at = now() + make_interval(secs => $4::float8), updated_at = now()
  FROM candidates c
  WHERE e.id = c.id
  RETURNING e.id::text AS id, e.entity_type, e.record_type, e.entity_id, e.event_kind,
            to_char(e.zoho_modified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS zoho_modified_at,
            e.payload::text AS payload_text, e.attempts`;

// Fencing: inside the apply transaction, lock the rows we still hold. Rows re-claimed by another worker after
// our lease expired carry another token and are not returned; their results are not committed by us.
const LOCK_HELD = `
  SELECT id::text AS id FROM tds.events
  WHERE id = ANY($1::bigint[]) AND lease_token = $2::uuid AND status = 'processing'
  FOR UPDATE`;

const COMPLETE = `
  UPDATE tds.events e
  SET status = 'completed', outcome = o.outcome, completed_at = now(), updated_at = now(),
      lease_token = NULL, lease_expires_at = NULL, last_error = NULL, last_error_code = NULL
  FROM unnest($1::bigint[], $2::text[]) AS o(id, outcome)
  WHERE e.id = o.id AND e.lease_token = $3::uuid`;

const FAIL = `
  UPDATE tds.events e
  SET status = f.status, last_error = f.error, last_error_code = f.code, updated_at = now(),
      next_attempt_at = now() + make_interval(secs => f.delay_ms / 1000.0),
      lease_token = NULL, lease_expires_at = NULL
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::float8[]) AS f(id, status, error, code, delay_ms)
  WHERE e.id = f.id AND e.lease_token = $6::uuid`;

const RECORD_ATTEMPTS = `
  INSERT INTO tds.event_attempts (event_id, attempt, worker_id, started_at, duration_ms, outcome, error, error_code)
  SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::text[], $8::text[])`;

// Graceful stop: hand back rows we claimed but did not start (the attempt is given back too).
const RELEASE = `
  UPDATE tds.events SET status = 'pending', attempts = greatest(attempts - 1, 0), lease_token = NULL,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
  WHERE id = ANY($1::bigint[]) AND lease_token = $2::uuid AND status = 'processing'
  RETURNING id::text AS id`;

// Leases that ran out (worker killed or stalled): back to pending, or to dead letter when attempts are spent
// (a payload that kills its worker every time must not loop forever).
const REAP_EXPIRED = `
  WITH expired AS (
    SELECT id FROM tds.events
    WHERE status = 'processing' AND lease_expires_at < now()
    ORDER BY lease_expires_at
    LIMIT 1000
    FOR UPDATE SKIP LOCKED
  )
  UPDATE tds.events e
  SET status = CASE WHEN e.attempts >= $1 THEN 'dead_letter' ELSE 'pending' END,
      last_error = 'lease expired: worker ' || coalesce(e.lease_owner, '?') || ' stopped or stalled',
      last_error_code = 'LEASE_EXPIRED',
      lease_token = NULL, lease_expires_at = NULL, next_attempt_at = now(), updated_at = now()
  FROM expired x
  WHERE e.id = x.id
  RETURNING e.id::text AS id, e.attempts, e.lease_owner, e.status`;

const RETRY_DEAD_LETTER = `
  UPDATE tds.events
  SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL, last_error_code = NULL,
      updated_at = now(), completed_at = NULL
  WHERE id = $1 AND status IN ('dead_letter', 'failed')
  RETURNING id::text AS id, pg_notify('${EVENTS_CHANNEL}', '') IS NULL AS notified`;

const STATS = `
  SELECT status, count(*)::int AS count,
         extract(epoch FROM now() - min(received_at))::float8 AS oldest_age_seconds
  FROM tds.events
  WHERE status <> 'completed'
  GROUP BY status`;

export interface AttemptRecord {
  eventId: string;
  attempt: number;
  workerId: string;
  startedAt: Date;
  durationMs: number;
  outcome: 'applied' | 'skipped_stale' | 'retry' | 'dead_letter' | 'lease_expired' | 'released';
  error?: string | null;
  errorCode?: string | null;
}

export interface FailureUpdate {
  id: string;
  status: 'failed' | 'dead_letter';
  error: string;
  code: string;
  delayMs: number;
}

@Injectable()
export class EventRepository {
  constructor(private readonly db: PgPoolService) {}

  /** Inserts a micro-batch; returns dedup_key → id for rows inserted now. */
  async insertBatch(events: NewEvent[], q: Queryable = this.db.pool): Promise<Map<string, string>> {
    const params: unknown[] = [];
    for (const e of events) {
      params.push(e.dedupKey, e.entityType, e.recordType, e.entityId, e.eventKind, e.organizationId, e.zohoModifiedAt);
      params.push(e.contentType, e.body, e.payloadJson, e.requestId);
    }
    const res = await q.query<{ id: string; dedup_key: string }>(insertEventsSql(events.length), params);
    return new Map(res.rows.map((r) => [r.dedup_key, r.id]));
  }

  async findIdsByDedupKeys(keys: string[]): Promise<Map<string, string>> {
    const res = await this.db.query<{ id: string; dedup_key: string }>(FIND_BY_DEDUP_KEYS, [keys]);
    return new Map(res.rows.map((r) => [r.dedup_key, r.id]));
  }

  async claim(limit: number, leaseToken: string, owner: string, leaseSeconds: number): Promise<ClaimedEventRow[]> {
    const res = await this.db.query<ClaimedEventRow>(CLAIM, [limit, leaseToken, owner, leaseSeconds]);
    return res.rows;
  }

  async lockHeld(tx: PoolClient, ids: string[], leaseToken: string): Promise<Set<string>> {
    const res = await tx.query<{ id: string }>(LOCK_HELD, [ids, leaseToken]);
    return new Set(res.rows.map((r) => r.id));
  }

  async complete(tx: Queryable, items: { id: string; outcome: FinishedOutcome }[], leaseToken: string): Promise<number> {
    if (!items.length) return 0;
    const res = await tx.query(COMPLETE, [items.map((i) => i.id), items.map((i) => i.outcome), leaseToken]);
    return res.rowCount ?? 0;
  }

  async fail(tx: Queryable, items: FailureUpdate[], leaseToken: string): Promise<number> {
    if (!items.length) return 0;
    const res = await tx.query(FAIL, [
      items.map((i) => i.id),
      items.map((i) => i.status),
      items.map((i) => i.error.slice(0, 4000)),
      items.map((i) => i.code),
      items.map((i) => i.delayMs),
      leaseToken,
    ]);
    return res.rowCount ?? 0;
  }

  async recordAttempts(tx: Queryable, attempts: AttemptRecord[]): Promise<void> {
    if (!attempts.length) return;
    await tx.query(RECORD_ATTEMPTS, [
      attempts.map((a) => a.eventId),
      attempts.map((a) => a.attempt),
      attempts.map((a) => a.workerId),
      attempts.map((a) => a.startedAt),
      attempts.map((a) => Math.round(a.durationMs)),
      attempts.map((a) => a.outcome),
      attempts.map((a) => (a.error ? a.error.slice(0, 4000) : null)),
      attempts.map((a) => a.errorCode ?? null),
    ]);
  }

  async release(ids: string[], leaseToken: string): Promise<string[]> {
    if (!ids.length) return [];
    const res = await this.db.query<{ id: string }>(RELEASE, [ids, leaseToken]);
    return res.rows.map((r) => r.id);
  }

  async reapExpired(maxAttempts: number): Promise<{ id: string; attempts: number; lease_owner: string; status: string }[]> {
    const res = await this.db.query<{ id: string; attempts: number; lease_owner: string; status: string }>(REAP_EXPIRED, [maxAttempts]);
    return res.rows;
  }

  /** Dead letter (or failed) → pending, attempts reset. Returns false when the event is not retryable. */
  async retry(id: string): Promise<boolean> {
    const res = await this.db.query(RETRY_DEAD_LETTER, [id]);
    return (res.rowCount ?? 0) > 0;
  }

  async stats(): Promise<{ status: string; count: number; oldest_age_seconds: number }[]> {
    return (await this.db.query<{ status: string; count: number; oldest_age_seconds: number }>(STATS)).rows;
  }

  async findById(id: string) {
    const res = await this.db.query(
      `SELECT id::text AS id, entity_type, record_type, entity_id, event_kind, organization_id, status, outcome, attempts,
              zoho_modified_at, next_attempt_at, last_error, last_error_code, received_at, completed_at, request_id
       FROM tds.events WHERE id = $1`,
      [id],
    );
    return res.rows[0] as Record<string, unknown> | undefined;
  }

  async attemptsOf(id: string) {
    const res = await this.db.query(
      `SELECT attempt, worker_id, started_at, finished_at, duration_ms, outcome, error, error_code
       FROM tds.event_attempts WHERE event_id = $1 ORDER BY id`,
      [id],
    );
    return res.rows;
  }
}
