import { Injectable } from '@nestjs/common';
import type { ClientBase } from 'pg';
import { DatabaseService } from '../../database/database.service';
import type { Queryable } from '../../database/queryable';
import { namedQuery } from '../../database/named-query';

/** A webhook event ready to be stored. */
export interface NewEvent {
  /**
   * The event's identity without its content: organization, entity type, record type, id, event kind and, when the
   * record has one, its Zoho timestamp. PostgreSQL completes the dedup key with the record's content (see INSERT).
   */
  keyPrefix: string;
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
  /** The document key the record is under when it is not `recordType` (an envelope alias); absent/null = recordType. */
  bodyKey?: string | null;
}

/** What the insert did with one event of a batch (same order as the input). */
export interface InsertedEvent {
  dedupKey: string;
  /** The new row's id; or, for a record without a timestamp equal to its newest event, that event's id; else null (conflict). */
  id: string | null;
  inserted: boolean;
}

export interface ClaimedEventRow {
  id: string;
  entity_type: string;
  record_type: string;
  entity_id: string;
  event_kind: string;
  zoho_modified_at: string | null;
  received_at: string;
  payload_text: string;
  /** The attempt number of this try (increasing for the event's whole life, manual retries included). */
  attempt: number;
  /** The try's number within the current retry budget (restarts at 1 after a manual retry). */
  budget_attempt: number;
}

export type FinishedOutcome = 'applied' | 'skipped_stale';

/** One event as the operator API shows it (GET /dashboard/events/:id); `status` is `processing` while a batch holds it. */
export interface EventDetailRow {
  id: string;
  entity_type: string;
  record_type: string;
  entity_id: string;
  event_kind: string;
  organization_id: string | null;
  status: 'pending' | 'processing' | 'completed' | 'failed' | 'dead_letter';
  outcome: FinishedOutcome | null;
  outcome_detail: string | null;
  attempts: number;
  zoho_modified_at: Date | null;
  next_attempt_at: Date;
  last_error: string | null;
  last_error_code: string | null;
  received_at: Date;
  completed_at: Date | null;
  request_id: string | null;
  processing_by: string | null;
  processing_since: Date | null;
  /** Who delivered it: a Zoho webhook, or reconciliation with the Zoho API. */
  source: 'webhook' | 'reconcile';
}

/** Why a manual retry matched no row (RETRY_BLOCKER). */
export interface RetryBlockerRow {
  status: 'pending' | 'completed' | 'failed' | 'dead_letter';
  pruned: boolean;
}

/** One try of an event (tds.event_attempts). */
export interface EventAttemptRow {
  attempt: number;
  worker_id: string;
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  outcome: 'applied' | 'skipped_stale' | 'retry' | 'dead_letter';
  error: string | null;
  error_code: string | null;
}

export const EVENTS_CHANNEL = 'tds_events';

// Zoho documents no timestamp on these record types, so their events may mix timed and untimed versions; the
// partial index events_untimed_record_idx covers every event of theirs (migration 1764300000005).
export const UNTIMED_RECORD_TYPES = `('inventory_adjustment', 'pricebook')`;

// Multi-row insert of a micro-batch: one VALUES row per event, each value its own bind parameter (a Buffer goes
// over the wire as binary; array parameters would hex-encode and escape every body).
//  - payload = document[body_key ?? record_type], parsed by PostgreSQL (exact numbers, no re-serialisation in Node): from the body
//    bytes, or from the cleaned JSON text the receiver passes for form bodies, a BOM or \u0000 escapes.
//  - dedup_key = sha256(identity prefix) + the record's content hash, jsonb_hash_extended(payload): the hash of the
//    JSON value (key order, whitespace and a number's spelling such as 1.0 / 1.00 do not count), computed from the
//    parsed jsonb without printing it (~4 µs a row where sha256 of its text took ~19).
//    With a Zoho timestamp the prefix holds it: a redelivery (same kind, timestamp and content) conflicts, while two
//    different edits in the same second are two events. Without one, an event is a duplicate only of the record's
//    newest accepted event (same kind and content): it is not inserted and answers with that event's id; otherwise
//    its key also names that newest event, so A → B → A stores three events while two concurrent copies of one
//    delivery still conflict (the receiver never has two untimed events of one record in flight; see IngestBatcher).
//  - ON CONFLICT DO NOTHING also absorbs duplicates within the batch. One pg_notify per statement (NOTIFY is
//    transactional: workers wake only once the rows are committed; one call per batch keeps the notify lock short).
//  - source: webhook rows leave it to the column's DEFAULT 'webhook' (the webhook statement's text is unchanged by the
//    column); events found by reconciliation use the variant that names it ('reconcile'), same dedup rules.
const INSERT_COLUMNS = 13;
export type EventSource = 'webhook' | 'reconcile';
const insertSqlByRows: string[] = [];
const reconcileInsertSqlByRows: string[] = [];
function insertEventsSql(rows: number, source: EventSource = 'webhook'): string {
  if (source === 'reconcile') return (reconcileInsertSqlByRows[rows] ??= buildInsertEventsSql(rows, source));
  return (insertSqlByRows[rows] ??= buildInsertEventsSql(rows));
}
function buildInsertEventsSql(rows: number, source?: 'reconcile'): string {
  const sourceColumn = source ? ', source' : '';
  const sourceValue = source ? `, '${source}'` : '';
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const b = r * INSERT_COLUMNS;
    const p = (i: number) => `$${b + i}`;
    tuples.push(
      `(${p(1)}::int, ${p(2)}::text, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text, ${p(6)}::text, ${p(7)}::text, ` +
        `${p(8)}::timestamptz, ${p(9)}::text, ${p(10)}::bytea, ${p(11)}::text, ${p(12)}::text, ${p(13)}::text)`,
    );
  }
  // The leading comment names the statement in pg_stat_activity, whose text is cut at track_activity_query_size.
  return `/* ingest: INSERT INTO tds.events */
    WITH k AS (
      SELECT v.ord, v.entity_type, v.record_type, v.entity_id, v.event_kind, v.organization_id, v.zoho_modified_at,
             v.content_type, v.body, v.request_id, p.payload, n.id AS newest_id,
             coalesce(n.event_kind = v.event_kind AND n.payload = p.payload, false) AS same_as_newest,
             encode(sha256(convert_to(v.key_prefix, 'UTF8')), 'hex') || ':' || jsonb_hash_extended(p.payload, 0)::text
               || CASE WHEN v.zoho_modified_at IS NULL THEN ':' || coalesce(n.id, 0)::text ELSE '' END AS dedup_key
      FROM (VALUES ${tuples.join(',\n                   ')})
        AS v(ord, key_prefix, entity_type, record_type, entity_id, event_kind, organization_id, zoho_modified_at,
             content_type, body, payload_json, request_id, body_key)
      -- the record is parsed once per row (OFFSET 0 keeps this subquery from being folded into each use of payload)
      CROSS JOIN LATERAL (
        SELECT coalesce(v.payload_json::jsonb, convert_from(v.body, 'UTF8')::jsonb) -> coalesce(v.body_key, v.record_type) AS payload OFFSET 0
      ) p
      LEFT JOIN LATERAL (
        SELECT e.id, e.event_kind, e.payload FROM tds.events e
        WHERE v.zoho_modified_at IS NULL AND e.record_type = v.record_type AND e.entity_id = v.entity_id
          AND (e.zoho_modified_at IS NULL OR e.record_type IN ${UNTIMED_RECORD_TYPES})
          AND e.organization_id IS NOT DISTINCT FROM v.organization_id
        ORDER BY e.id DESC LIMIT 1
      ) n ON true
    ), ins AS (
      INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, organization_id,
                              zoho_modified_at, content_type, body, payload, request_id, stock_item_ids${sourceColumn})
      SELECT dedup_key, entity_type, record_type, entity_id, event_kind, organization_id, zoho_modified_at,
             content_type, body, payload, request_id,
             CASE WHEN record_type = 'inventory_adjustment' THEN tds.adjustment_item_ids(payload) END${sourceValue}
      FROM k WHERE NOT same_as_newest ORDER BY ord
      ON CONFLICT (dedup_key) DO NOTHING
      RETURNING id, dedup_key
    ), wake AS (
      SELECT pg_notify('${EVENTS_CHANNEL}', '') FROM (SELECT 1 FROM ins LIMIT 1) AS any_row
    )
    SELECT k.dedup_key, (CASE WHEN k.same_as_newest THEN k.newest_id ELSE ins.id END)::text AS id,
           ins.id IS NOT NULL AS inserted
    FROM k LEFT JOIN ins ON ins.dedup_key = k.dedup_key LEFT JOIN wake ON true
    ORDER BY k.ord`;
}

// Reconciliation: the newest version of each record still waiting in the queue (pending/failed: a finished event is
// already reflected in the ERP row). The partial index events_record_chain_idx covers exactly these rows.
const NEWEST_WAITING_VERSIONS = `
  SELECT entity_id, floor(extract(epoch FROM max(zoho_modified_at)) * 1000)::float8 AS modified_ms, count(*)::int AS waiting
  FROM tds.events
  WHERE record_type = $1 AND entity_id = ANY($2::text[]) AND status IN ('pending', 'failed')
  GROUP BY entity_id`;

/** Per record: the newest Zoho time among its waiting events (epoch ms; null when they carry none). */
export interface WaitingVersionRow {
  entity_id: string;
  modified_ms: number | null;
  waiting: number;
}

const FIND_BY_DEDUP_KEYS = `SELECT id::text AS id, dedup_key FROM tds.events WHERE dedup_key = ANY($1::text[])`;

// Claim, inside the batch transaction: the heads of the per-record chains — a row is runnable only when no earlier
// event for the same record is still unfinished, so two events of one record never run at once and always run in
// arrival order. Stock is shared across records: an item record (absolute levels) and an inventory adjustment (deltas
// on the items it lists) move the same erp.stock_levels rows, so an item record never runs before an earlier unfinished
// adjustment listing it, nor an adjustment before an earlier unfinished record of one of its items (an adjustment
// applied before an older snapshot of its item would be overwritten by it; decision 0007). `stock_item_ids` holds an
// adjustment's items (migration 0017): a GIN index over the waiting adjustments answers the first question, the
// record chain index the second; other events pay one test of their record type. The row locks are the claim: SKIP LOCKED gives concurrent workers disjoint sets, nothing is written
// until the batch commits, and a worker that dies (or stalls past idle_in_transaction_session_timeout) loses its
// session, its transaction rolls back and the rows are claimable again at once. `attempt` is the number this try has (`budget_attempt` counts
// from the last manual retry).
const CLAIM = `
  SELECT e.id::text AS id, e.entity_type, e.record_type, e.entity_id, e.event_kind,
         to_char(e.zoho_modified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS zoho_modified_at,
         to_char(e.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS received_at,
         e.payload::text AS payload_text, e.attempts + 1 AS attempt, e.attempts + 1 - e.retry_base AS budget_attempt
  FROM tds.events e
  WHERE e.status IN ('pending', 'failed') AND e.next_attempt_at <= now() AND e.id > $2
    AND NOT EXISTS (
      SELECT 1 FROM tds.events p
      WHERE p.record_type = e.record_type AND p.entity_id = e.entity_id AND p.id < e.id
        AND p.status IN ('pending', 'failed'))
    AND (e.record_type <> 'item' OR NOT EXISTS (
      SELECT 1 FROM tds.events s
      WHERE s.record_type = 'inventory_adjustment' AND s.status IN ('pending', 'failed')
        AND s.stock_item_ids @> ARRAY[e.entity_id] AND s.id < e.id))
    AND (e.record_type <> 'inventory_adjustment' OR NOT EXISTS (
      SELECT 1 FROM tds.events s
      WHERE s.record_type = 'item' AND s.entity_id = ANY (e.stock_item_ids) AND s.id < e.id
        AND s.status IN ('pending', 'failed')))
  ORDER BY e.id
  LIMIT $1
  FOR UPDATE OF e SKIP LOCKED`;

// The end of a try, for a whole batch in one statement: each event's new state (completed / failed with its backoff /
// dead_letter) and one tds.event_attempts row per event. Times come from PostgreSQL's clock: the try started with the
// batch transaction (now()) and finished at this statement (clock_timestamp()).
const FINISH = `
  WITH f AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $10::text[])
      AS f(id, status, outcome, event_error, attempt_error, code, delay_ms, detail)
  ), upd AS (
    UPDATE tds.events e
    SET status = f.status, outcome = f.outcome, attempts = e.attempts + 1, updated_at = now(),
        completed_at = CASE WHEN f.status = 'completed' THEN clock_timestamp() END,
        next_attempt_at = CASE WHEN f.status = 'failed' THEN now() + make_interval(secs => f.delay_ms / 1000.0)
                               ELSE e.next_attempt_at END,
        last_error = f.event_error, last_error_code = f.code, outcome_detail = f.detail
    FROM f
    WHERE e.id = f.id
    RETURNING e.id, e.attempts, e.status, e.outcome, f.attempt_error, f.code
  )
  INSERT INTO tds.event_attempts (event_id, attempt, worker_id, started_at, finished_at, duration_ms, outcome, error, error_code)
  SELECT id, attempts, $8, now(), clock_timestamp(), $9::int,
         CASE status WHEN 'completed' THEN outcome WHEN 'failed' THEN 'retry' ELSE 'dead_letter' END, attempt_error, code
  FROM upd`;

// Attempt numbers keep increasing (each attempt row keeps its number); the retry budget restarts from here.
// An event whose record was pruned by retention (payload NULL) has nothing left to apply: it is not retried.
const RETRY_DEAD_LETTER = `
  UPDATE tds.events
  SET status = 'pending', retry_base = attempts, next_attempt_at = now(), last_error = NULL, last_error_code = NULL,
      updated_at = now(), completed_at = NULL
  WHERE id = $1 AND status IN ('dead_letter', 'failed') AND payload IS NOT NULL
  RETURNING id::text AS id, pg_notify('${EVENTS_CHANNEL}', '') IS NULL AS notified`;

// Why RETRY_DEAD_LETTER matched no row, read by a new statement after it: under READ COMMITTED it sees a concurrent
// retry that won the row (the UPDATE waited for that transaction), so a lost race reads as `pending`, not as pruned.
const RETRY_BLOCKER = `SELECT status, payload IS NULL AS pruned FROM tds.events WHERE id = $1`;

// `processing` is derived, not stored: an unfinished event whose row is locked by an open transaction of one of our
// processes (its xmax is that transaction's id) is being applied right now. Its age is how long that transaction
// has run — the basis for "stuck" (a batch takes milliseconds; TDS_LOCK_TIMEOUT_SECONDS ends a stalled one).
export const IN_FLIGHT = `
  SELECT backend_xid AS xid, xact_start, application_name FROM pg_stat_activity
  WHERE backend_xid IS NOT NULL AND application_name LIKE 'tds-core:%'`;

const FIND_BY_ID = `
  WITH inflight AS (${IN_FLIGHT})
  SELECT e.id::text AS id, e.entity_type, e.record_type, e.entity_id, e.event_kind, e.organization_id,
         CASE WHEN f.xid IS NOT NULL THEN 'processing' ELSE e.status END AS status, e.outcome, e.outcome_detail, e.attempts,
         e.zoho_modified_at, e.next_attempt_at, e.last_error, e.last_error_code, e.received_at, e.completed_at,
         e.request_id, f.application_name AS processing_by, f.xact_start AS processing_since, e.source
  FROM tds.events e LEFT JOIN inflight f ON f.xid = e.xmax AND e.status IN ('pending', 'failed')
  WHERE e.id = $1`;

const ATTEMPTS_OF = `
  SELECT attempt, worker_id, started_at, finished_at, duration_ms, outcome, error, error_code
  FROM tds.event_attempts WHERE event_id = $1 ORDER BY id`;

// The health probe: index-only (events_runnable_idx), cheap even with a large backlog.
const OLDEST_WAITING_AGE = `
  SELECT extract(epoch FROM now() - received_at)::float8 AS age
  FROM tds.events WHERE status IN ('pending', 'failed') ORDER BY id LIMIT 1`;

// Wake-ups: the ingest INSERT and a manual retry notify this channel; NOTIFY is delivered on commit.
const LISTEN = `LISTEN ${EVENTS_CHANNEL}`;

/** How one try of an event ended. */
export interface FinishedEvent {
  id: string;
  status: 'completed' | 'failed' | 'dead_letter';
  outcome?: FinishedOutcome;
  /** The error of this try (the attempt row). */
  error?: string;
  /** What the event keeps as last_error, when it differs (e.g. "… (gave up after 8 attempts)"). */
  eventError?: string;
  code?: string;
  /** failed: the backoff before the next try. */
  delayMs?: number;
  /** completed: what the apply did not do and why (stored as outcome_detail). */
  detail?: string;
}

@Injectable()
export class EventRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Inserts a micro-batch; returns what happened to each event, in input order. */
  async insertBatch(
    events: NewEvent[],
    q: Queryable = this.db.queryable,
    source: EventSource = 'webhook',
    /** The client gives up after this long (a webhook's WEBHOOK_COMMIT_TIMEOUT_MS); the pool's own bound otherwise. */
    queryTimeoutMs?: number,
  ): Promise<InsertedEvent[]> {
    const params: unknown[] = [];
    events.forEach((e, i) => {
      params.push(i, e.keyPrefix, e.entityType, e.recordType, e.entityId, e.eventKind, e.organizationId, e.zohoModifiedAt);
      params.push(e.contentType, e.body, e.payloadJson, e.requestId, e.bodyKey ?? null);
    });
    const res = await namedQuery<{ id: string | null; dedup_key: string; inserted: boolean }>(
      q,
      insertEventsSql(events.length, source),
      params,
      queryTimeoutMs,
    );
    return res.rows.map((r) => ({ dedupKey: r.dedup_key, id: r.id, inserted: r.inserted }));
  }

  /** Records of `recordType` among `ids` with events still waiting to run, and the newest Zoho time among them. */
  async newestWaitingVersions(recordType: string, ids: string[]): Promise<WaitingVersionRow[]> {
    if (!ids.length) return [];
    return this.db.query<WaitingVersionRow>(NEWEST_WAITING_VERSIONS, [recordType, ids]);
  }

  async findIdsByDedupKeys(keys: string[]): Promise<Map<string, string>> {
    const rows = await this.db.query<{ id: string; dedup_key: string }>(FIND_BY_DEDUP_KEYS, [keys]);
    return new Map(rows.map((r) => [r.dedup_key, r.id]));
  }

  /**
   * Locks up to `limit` runnable events with an id above `afterId` inside `tx` (the caller's batch transaction).
   * `afterId` only narrows the scan (the worker's cursor); ordering per record never depends on it.
   */
  async claim(tx: Queryable, limit: number, afterId = '0'): Promise<ClaimedEventRow[]> {
    const res = await namedQuery<ClaimedEventRow>(tx, CLAIM, [limit, afterId]);
    return res.rows;
  }

  /** Records the end of one try of each event (state + attempt row); returns how many events were updated. */
  async finish(tx: Queryable, items: FinishedEvent[], workerId: string, durationMs: number): Promise<number> {
    if (!items.length) return 0;
    const res = await namedQuery(tx, FINISH, [
      items.map((i) => i.id),
      items.map((i) => i.status),
      items.map((i) => i.outcome ?? null),
      items.map((i) => (i.eventError ?? i.error ?? null)?.slice(0, 4000) ?? null),
      items.map((i) => i.error?.slice(0, 4000) ?? null),
      items.map((i) => i.code ?? null),
      items.map((i) => i.delayMs ?? 0),
      workerId,
      Math.round(durationMs),
      items.map((i) => i.detail?.slice(0, 4000) ?? null),
    ]);
    return res.rowCount ?? 0;
  }

  /** Dead letter (or failed) → pending with a fresh retry budget. Returns false when the event is not retryable. */
  async retry(id: string): Promise<boolean> {
    return (await this.db.execute(RETRY_DEAD_LETTER, [id])) > 0;
  }

  /** The row as it is now, after a retry matched nothing: its status and whether retention pruned its payload. */
  async retryBlocker(id: string): Promise<RetryBlockerRow | undefined> {
    return (await this.db.query<RetryBlockerRow>(RETRY_BLOCKER, [id]))[0];
  }

  async findById(id: string): Promise<EventDetailRow | undefined> {
    return (await this.db.query<EventDetailRow>(FIND_BY_ID, [id]))[0];
  }

  async attemptsOf(id: string): Promise<EventAttemptRow[]> {
    return this.db.query<EventAttemptRow>(ATTEMPTS_OF, [id]);
  }

  /** Age in seconds of the oldest event waiting to run (0 when none), on the health probes' pool. */
  async oldestWaitingAgeSeconds(): Promise<number> {
    const rows = await this.db.probes.query<{ age: number }>(OLDEST_WAITING_AGE);
    return rows.length ? rows[0].age : 0;
  }

  /** Subscribes a dedicated session to the queue's wake-ups (DatabaseService.dedicatedClient). */
  async listen(session: ClientBase): Promise<void> {
    await session.query(LISTEN);
  }
}
