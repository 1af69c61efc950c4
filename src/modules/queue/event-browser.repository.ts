import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { EVENTS_CHANNEL, IN_FLIGHT, UNTIMED_RECORD_TYPES } from './event.repository';

/** Stored statuses an operator can filter on (`processing` is derived from row locks, see IN_FLIGHT). */
export type StoredEventStatus = 'pending' | 'completed' | 'failed' | 'dead_letter';

/** What the operator API filters events by; every field optional. */
export interface EventFilter {
  status?: StoredEventStatus;
  entityType?: string;
  /** The Zoho id of the record. */
  entityId?: string;
  /** received_at >= from */
  from?: Date;
  /** received_at < to */
  to?: Date;
  /** Text in the event's last error (case-insensitive, literal). */
  q?: string;
  /** Error fingerprint, left(md5(error_pattern), 12): one dead-letter group. */
  fingerprint?: string;
  /** Set by the repository from `fingerprint`: the dead letters' error patterns with that fingerprint. */
  patterns?: string[];
  /** Set by the repository from from/to (see ID_RANGE_MARGIN_MINUTES): id >= minId, id < maxIdExclusive. */
  minId?: string;
  maxIdExclusive?: string;
}

/** One event in a list (no payload). */
export interface EventSummaryRow {
  id: string;
  entity_type: string;
  record_type: string;
  entity_id: string;
  event_kind: string;
  status: 'pending' | 'processing' | 'completed' | 'failed' | 'dead_letter';
  outcome: string | null;
  attempts: number;
  last_error: string | null;
  last_error_code: string | null;
  zoho_modified_at: Date | null;
  received_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  replay_of: string | null;
}

/** The stored request of one event, for the detail view (NULLs once retention pruned them). */
export interface EventContentRow {
  content_type: string;
  request_id: string | null;
  replay_of: string | null;
  body: Buffer | null;
  payload_text: string | null;
}

/** Dead letters sharing one error fingerprint. */
export interface ErrorGroupRow {
  fingerprint: string;
  pattern: string;
  count: number;
  entity_types: string[];
  error_codes: string[];
  first_seen: Date;
  last_seen: Date;
  latest_event_id: string;
}

export interface StatusByTypeRow {
  entity_type: string;
  status: 'pending' | 'processing' | 'failed' | 'dead_letter';
  count: number;
  oldest_received_at: Date;
  /** Age of the oldest in seconds when counted; for processing rows, since their transaction started. */
  oldest_age_seconds: number;
}

export interface LastDayRow {
  entity_type: string;
  completed: boolean;
  attempts: number;
  count: number;
}

export interface ReplayRow {
  found: boolean;
  pruned: boolean;
  id: string | null;
}

export interface BulkCandidateRow {
  matched: number;
  ids: string[];
}

// A dead letter's error pattern is stored (tds.events.error_pattern, a generated column: the message with UUIDs,
// quoted values and every run of digits taken out, migration 1764300000013); two dead letters of one cause share it,
// and its md5 prefix is the fingerprint the API shows and filters by.
// A fingerprint is first resolved to its pattern(s), so the lists read one range of events_dead_letter_pattern_idx
// instead of hashing every dead letter. The distinct patterns come from a skip scan of that index (one probe per
// pattern: there are a handful), then each is hashed.
const PATTERNS_OF_FINGERPRINT = `
  WITH RECURSIVE d(p) AS (
    (SELECT e.error_pattern FROM tds.events e WHERE e.status = 'dead_letter' AND e.error_pattern IS NOT NULL
     ORDER BY e.error_pattern LIMIT 1)
    UNION ALL
    SELECT (SELECT e.error_pattern FROM tds.events e WHERE e.status = 'dead_letter' AND e.error_pattern > d.p
            ORDER BY e.error_pattern LIMIT 1)
    FROM d WHERE d.p IS NOT NULL
  )
  SELECT d.p AS pattern FROM d WHERE d.p IS NOT NULL AND left(md5(d.p), 12) = $1`;

/** LIKE pattern for literal text: %, _ and \ match themselves. */
const likeLiteral = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * WHERE clauses for a filter, each one bind parameter. Each is written so an index answers it with the id order
 * the lists use: status → the partial indexes (runnable, dead letter) or the primary key; entity id →
 * events_entity_idx; q → events_errored_idx (only rows with an error); from/to → events_received_brin.
 */
function whereOf(f: EventFilter, params: unknown[], alias = 'e'): string[] {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const w: string[] = [];
  if (f.status) w.push(`${alias}.status = ${p(f.status)}`);
  if (f.entityType) w.push(`${alias}.entity_type = ${p(f.entityType)}`);
  if (f.entityId) w.push(`${alias}.entity_id = ${p(f.entityId)}`);
  if (f.from) w.push(`${alias}.received_at >= ${p(f.from)}`);
  if (f.to) w.push(`${alias}.received_at < ${p(f.to)}`);
  if (f.q) w.push(`${alias}.last_error IS NOT NULL AND ${alias}.last_error ILIKE ${p(likeLiteral(f.q))}`);
  if (f.minId) w.push(`${alias}.id >= ${p(f.minId)}`);
  if (f.maxIdExclusive) w.push(`${alias}.id < ${p(f.maxIdExclusive)}`);
  if (f.patterns) w.push(`${alias}.status = 'dead_letter' AND ${alias}.error_pattern = ANY(${p(f.patterns)}::text[])`);
  return w;
}

const SUMMARY_COLUMNS = `
  e.id::text AS id, e.entity_type, e.record_type, e.entity_id, e.event_kind,
  CASE WHEN f.xid IS NOT NULL THEN 'processing' ELSE e.status END AS status, e.outcome, e.attempts,
  e.last_error, e.last_error_code, e.zoho_modified_at, e.received_at, e.updated_at, e.completed_at,
  e.replay_of::text AS replay_of`;

// Newest first by id (ids are given in commit order closely enough for a timeline, and unique: a keyset cursor).
// The page is chosen first (inner query, LIMIT on an index scan) and only its rows are joined to the in-flight
// transactions.
const listSql = (where: string[], limitParam: string) => `
  WITH inflight AS (${IN_FLIGHT})
  SELECT ${SUMMARY_COLUMNS}
  FROM (SELECT e.*, e.xmax AS row_xmax FROM tds.events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id DESC LIMIT ${limitParam}) e
  LEFT JOIN inflight f ON f.xid = e.row_xmax AND e.status IN ('pending', 'failed')
  ORDER BY e.id DESC`;

const CONTENT = `
  SELECT content_type, request_id, replay_of::text AS replay_of, body, payload::text AS payload_text
  FROM tds.events WHERE id = $1`;

// Grouped straight off events_dead_letter_pattern_idx, in its order (no sort of the messages; index-only when the
// filter names only indexed columns).
const ERROR_GROUPS = (where: string[], limitParam: string) => `
  SELECT left(md5(e.error_pattern), 12) AS fingerprint, e.error_pattern AS pattern, count(*)::int AS count,
         array_agg(DISTINCT e.entity_type ORDER BY e.entity_type) AS entity_types,
         array_remove(array_agg(DISTINCT e.last_error_code ORDER BY e.last_error_code), NULL) AS error_codes,
         min(e.updated_at) AS first_seen, max(e.updated_at) AS last_seen, max(e.id)::text AS latest_event_id
  FROM tds.events e WHERE ${where.join(' AND ')}
  GROUP BY e.error_pattern
  ORDER BY count DESC, max(e.id) DESC
  LIMIT ${limitParam}`;

// Each branch matches a partial index's predicate, so the history (completed rows) is never scanned.
const UNFINISHED_BY_TYPE = `
  WITH inflight AS (${IN_FLIGHT})
  SELECT e.entity_type, CASE WHEN f.xid IS NOT NULL THEN 'processing' ELSE e.status END AS status,
         count(*)::int AS count, min(e.received_at) AS oldest_received_at,
         -- the oldest's age; for processing rows, since their transaction started
         extract(epoch FROM now() - min(CASE WHEN f.xid IS NOT NULL THEN f.xact_start ELSE e.received_at END))::float8
           AS oldest_age_seconds
  FROM (
    SELECT entity_type, status, received_at, xmax FROM tds.events WHERE status IN ('pending', 'failed')
  ) AS e LEFT JOIN inflight f ON f.xid = e.xmax
  GROUP BY 1, 2
  UNION ALL
  -- index-only (events_dead_letter_type_idx)
  SELECT entity_type, 'dead_letter', count(*)::int, min(received_at), extract(epoch FROM now() - min(received_at))::float8
  FROM tds.events WHERE status = 'dead_letter' GROUP BY 1`;

// The last day through the BRIN index on received_at (the rows of one day are a contiguous run of pages), in one
// pass: completed counts per type and the histogram of tries.
const LAST_DAY = `
  SELECT entity_type, status = 'completed' AS completed, attempts, count(*)::int AS count FROM tds.events
  WHERE received_at >= now() - interval '24 hours'
  GROUP BY 1, 2, 3`;

// A replay is a new event: a copy of the stored request (same body, record, kind and Zoho time) under a dedup key of
// its own, so content dedup never swallows it (docs/decisions/0020). It is received now (received_at keeps following
// the id order, which the time filters rely on); a delete without a Zoho time, whose version is its receive time,
// carries the original receive time as its Zoho time, so the replay has the original's version and an older delete
// never overwrites a newer record (untimed record types keep NULL: such a delete is final either way). Pruned events
// (retention nulled body/payload) are not copied: the caller answers 410. The NOTIFY wakes the workers on commit.
const REPLAY = `
  WITH src AS (SELECT * FROM tds.events WHERE id = $1),
  ins AS (
    INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, organization_id,
                            zoho_modified_at, content_type, body, payload, request_id, replay_of, stock_item_ids)
    SELECT 'replay:' || src.id || ':' || $2::text, src.entity_type, src.record_type, src.entity_id, src.event_kind,
           src.organization_id,
           CASE WHEN src.zoho_modified_at IS NULL AND src.event_kind = 'deleted' AND src.record_type NOT IN ${UNTIMED_RECORD_TYPES}
                THEN src.received_at ELSE src.zoho_modified_at END,
           src.content_type, src.body, src.payload, $3, src.id, src.stock_item_ids
    FROM src WHERE src.payload IS NOT NULL AND src.body IS NOT NULL
    RETURNING id
  ), wake AS (
    SELECT count(pg_notify('${EVENTS_CHANNEL}', '')) AS n FROM ins
  )
  SELECT EXISTS (SELECT 1 FROM src) AS found,
         coalesce((SELECT payload IS NULL OR body IS NULL FROM src), false) AS pruned,
         (SELECT id::text FROM ins) AS id
  FROM wake`;

// Time windows: received_at follows the id order (both are taken at insert; concurrent ingest batches can invert
// them by the length of a batch transaction, bounded by the statement timeout), so a window is first turned into an
// id range by a binary search over the primary key (about 20 one-row probes), widened by ID_RANGE_MARGIN_MINUTES; the exact
// received_at test still applies inside it. The lists then read the id range newest first through the primary key
// instead of filtering the history row by row.
const ID_RANGE_MARGIN_MINUTES = 5;
// One statement: a recursive binary search over the primary key for the first id received at or after $1 + $2
// minutes (each step one index probe; NULL when no event is that recent; an id between two existing ids is as good
// a bound as the next existing one).
const FIRST_ID_AT_OR_AFTER = `
  WITH RECURSIVE s(lo, hi) AS (
    SELECT min(id), max(id) + 1 FROM tds.events
    UNION ALL
    SELECT CASE WHEN r.id IS NOT NULL AND r.received_at < t.at THEN r.id + 1 ELSE s.lo END,
           CASE WHEN r.id IS NULL OR r.received_at >= t.at THEN (s.lo + s.hi) / 2 ELSE s.hi END
    FROM s
    CROSS JOIN (SELECT $1::timestamptz + make_interval(mins => $2::int) AS at) t
    LEFT JOIN LATERAL (
      SELECT e.id, e.received_at FROM tds.events e WHERE e.id >= (s.lo + s.hi) / 2 ORDER BY e.id LIMIT 1
    ) r ON true
    WHERE s.lo < s.hi
  )
  SELECT (CASE WHEN s.lo > (SELECT max(id) FROM tds.events) THEN NULL ELSE s.lo END)::text AS id
  FROM s WHERE s.lo >= s.hi`;

const deadLetterWhere = (f: EventFilter, params: unknown[]) => [
  `e.status = 'dead_letter'`,
  ...whereOf({ ...f, status: undefined }, params),
];

// Bulk retry: at most `limit` dead letters matching the filter, oldest first, each moved back to pending with a
// fresh retry budget (as a single retry does). SKIP LOCKED: a row another retry is moving is left to it.
const bulkRetrySql = (where: string[], limitParam: string) => `
  WITH picked AS (
    SELECT e.id FROM tds.events e WHERE ${where.join(' AND ')} AND e.payload IS NOT NULL
    ORDER BY e.id LIMIT ${limitParam} FOR UPDATE SKIP LOCKED
  ), upd AS (
    UPDATE tds.events t
    SET status = 'pending', retry_base = t.attempts, next_attempt_at = now(), last_error = NULL, last_error_code = NULL,
        updated_at = now(), completed_at = NULL
    FROM picked WHERE t.id = picked.id
    RETURNING t.id
  ), wake AS (
    SELECT count(pg_notify('${EVENTS_CHANNEL}', '')) AS n FROM (SELECT 1 FROM upd LIMIT 1) AS any_row
  )
  SELECT count(*)::int AS matched, coalesce(array_agg(upd.id::text ORDER BY upd.id), '{}') AS ids
  FROM upd LEFT JOIN wake ON true`;

// The filter first (index-only on the dead-letter indexes when it names only indexed columns): `matched` counts
// every dead letter it selects; the ids are the first `limit` of them (oldest first) that still have their payload,
// found by visiting only as many rows as needed.
const bulkCandidatesSql = (where: string[], limitParam: string) => `
  WITH m AS MATERIALIZED (SELECT e.id FROM tds.events e WHERE ${where.join(' AND ')})
  SELECT (SELECT count(*)::int FROM m) AS matched,
         -- a scalar subquery per id (never turned into a join): the loop stops at the limit
         ARRAY(SELECT s.id::text FROM (SELECT id FROM m ORDER BY id) s
               WHERE (SELECT t.payload IS NOT NULL FROM tds.events t WHERE t.id = s.id)
               LIMIT ${limitParam}) AS ids`;

/** Reads and operator actions on the event history for the dashboard (the worker's statements are in EventRepository). */
@Injectable()
export class EventBrowserRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The first id received at or after `at` + `marginMinutes` (undefined when none is that recent). */
  private async firstIdAtOrAfter(at: Date, marginMinutes: number): Promise<string | undefined> {
    const rows = await this.db.query<{ id: string | null }>(FIRST_ID_AT_OR_AFTER, [at, marginMinutes]);
    return rows[0]?.id ?? undefined;
  }

  /** The filter with `fingerprint` resolved to its patterns and from/to also expressed as an id range. */
  private async resolved(f: EventFilter): Promise<EventFilter> {
    if (!f.fingerprint) return this.withIdRange(f);
    const patterns = (await this.db.query<{ pattern: string }>(PATTERNS_OF_FINGERPRINT, [f.fingerprint])).map((r) => r.pattern);
    return this.withIdRange({ ...f, fingerprint: undefined, patterns });
  }

  /** The filter with from/to also expressed as an id range (widened by the margin on both sides). */
  private async withIdRange(f: EventFilter): Promise<EventFilter> {
    if (!f.from && !f.to) return f;
    const [minId, maxIdExclusive] = await Promise.all([
      f.from ? this.firstIdAtOrAfter(f.from, -ID_RANGE_MARGIN_MINUTES) : undefined,
      f.to ? this.firstIdAtOrAfter(f.to, ID_RANGE_MARGIN_MINUTES) : undefined,
    ]);
    // nothing received since `from`: an empty range
    return { ...f, minId: f.from ? (minId ?? '9223372036854775807') : undefined, maxIdExclusive };
  }

  /** Up to `limit` events matching the filter with an id below `beforeId`, newest first. */
  async list(f: EventFilter, limit: number, beforeId?: string): Promise<EventSummaryRow[]> {
    const filter = await this.resolved(f);
    const params: unknown[] = [];
    const where = whereOf(filter, params);
    if (beforeId) {
      params.push(beforeId);
      where.push(`e.id < $${params.length}`);
    }
    params.push(limit);
    return this.db.query<EventSummaryRow>(listSql(where, `$${params.length}`), params);
  }

  /** Dead letters only (events_dead_letter_idx). */
  listDeadLetters(filter: EventFilter, limit: number, beforeId?: string): Promise<EventSummaryRow[]> {
    return this.list({ ...filter, status: 'dead_letter' }, limit, beforeId);
  }

  async content(id: string): Promise<EventContentRow | undefined> {
    return (await this.db.query<EventContentRow>(CONTENT, [id]))[0];
  }

  async errorGroups(f: EventFilter, limit: number): Promise<ErrorGroupRow[]> {
    const filter = await this.resolved(f);
    const params: unknown[] = [];
    const where = deadLetterWhere(filter, params);
    params.push(limit);
    return this.db.query<ErrorGroupRow>(ERROR_GROUPS(where, `$${params.length}`), params);
  }

  unfinishedByType(): Promise<StatusByTypeRow[]> {
    return this.db.query<StatusByTypeRow>(UNFINISHED_BY_TYPE);
  }

  /** Events received in the last 24 hours by type, completed or not, and number of tries. */
  lastDay(): Promise<LastDayRow[]> {
    return this.db.query<LastDayRow>(LAST_DAY);
  }

  /** Copies event `id` as a new pending event; `nonce` makes its dedup key unique. */
  async replay(id: string, nonce: string, requestId: string | null): Promise<ReplayRow> {
    return (await this.db.query<ReplayRow>(REPLAY, [id, nonce, requestId]))[0];
  }

  /** Dead letters the bulk retry would take: how many match, and the first `limit` ids (oldest first). */
  async bulkRetryCandidates(f: EventFilter, limit: number): Promise<BulkCandidateRow> {
    const filter = await this.resolved(f);
    const params: unknown[] = [];
    const where = deadLetterWhere(filter, params);
    params.push(limit);
    return (await this.db.query<BulkCandidateRow>(bulkCandidatesSql(where, `$${params.length}::int`), params))[0];
  }

  /** Moves up to `limit` matching dead letters back to pending; returns their ids. */
  async bulkRetry(f: EventFilter, limit: number): Promise<string[]> {
    const filter = await this.resolved(f);
    const params: unknown[] = [];
    const where = deadLetterWhere(filter, params);
    params.push(limit);
    return (await this.db.query<BulkCandidateRow>(bulkRetrySql(where, `$${params.length}`), params))[0].ids;
  }
}
