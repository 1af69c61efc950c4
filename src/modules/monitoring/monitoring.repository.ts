import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

// Read-only statistics over the queue's tables and PostgreSQL's catalogs, plus the snapshots themselves. Every query on
// tds.events reads through an existing partial index (the unfinished and dead-lettered rows only): the history of
// completed events is never scanned. Queries on tds.event_attempts read the window's tail through its BRIN index
// (migration 1764300000009). None takes a lock beyond a plain read: ingest and claims never wait on monitoring.

/** Unfinished and dead-lettered events per entity type and status. */
export interface DepthRow {
  entity_type: string;
  status: 'pending' | 'failed' | 'dead_letter';
  count: number;
  /** Of these, received more than the stuck limit ago. */
  stuck: number;
  /** Seconds since the oldest of these was received (PostgreSQL's clock). */
  oldest_age_s: number;
  oldest_stuck_id: string | null;
}

// Each branch matches one partial index's predicate exactly (events_runnable_idx, events_dead_letter_idx).
const QUEUE_DEPTH = `
  SELECT entity_type, status, count(*)::int AS count,
         count(*) FILTER (WHERE received_at < now() - make_interval(mins => $1::int))::int AS stuck,
         extract(epoch FROM now() - min(received_at))::float8 AS oldest_age_s,
         min(id) FILTER (WHERE received_at < now() - make_interval(mins => $1::int))::text AS oldest_stuck_id
  FROM tds.events WHERE status IN ('pending', 'failed')
  GROUP BY entity_type, status
  UNION ALL
  SELECT entity_type, status, count(*)::int, 0, extract(epoch FROM now() - min(received_at))::float8, NULL
  FROM tds.events WHERE status = 'dead_letter'
  GROUP BY entity_type, status`;

export interface WindowRow {
  attempts: number;
  failed: number;
  completed: number;
  p50: number | null;
  p95: number | null;
  sampled: number;
}

// The window in one pass over its attempts (read through the BRIN on finished_at, kept in memory once):
//  - counts: a failed attempt is one that did not complete its event (retry or dead letter);
//  - latency received → completed of the events completed in the window: the completing attempt's finished_at is the
//    event's completed_at (one statement sets both), and each event is read by its key. A busy window holds tens of
//    thousands of completions: a random ~$2 of them are looked up (a p95 from 1,000 samples is off by about one
//    percentile; the key lookups were most of the run's cost). Random, not every n-th id: attempt ids follow the
//    workers' batch patterns.
const WINDOW = `
  WITH w AS MATERIALIZED (
    SELECT event_id, outcome, finished_at FROM tds.event_attempts
    WHERE finished_at > now() - make_interval(mins => $1::int)
  ), c AS (
    SELECT count(*)::int AS attempts,
           count(*) FILTER (WHERE outcome IN ('retry', 'dead_letter'))::int AS failed,
           count(*) FILTER (WHERE outcome IN ('applied', 'skipped_stale'))::int AS completed
    FROM w
  ), s AS (
    SELECT extract(epoch FROM w.finished_at - e.received_at) * 1000 AS ms
    FROM w JOIN tds.events e ON e.id = w.event_id
    WHERE w.outcome IN ('applied', 'skipped_stale') AND random() < $2::float8 / greatest($2::int, (SELECT completed FROM c))
  )
  SELECT c.attempts, c.failed, c.completed, l.p50, l.p95, l.sampled
  FROM c CROSS JOIN (
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95,
           count(*)::int AS sampled
    FROM s
  ) AS l`;

export interface FreshnessRow {
  entity_type: string;
  last_applied_at: Date;
  newest_zoho_modified_at: Date | null;
}

// Applies since $1 per entity type; the service merges them into the previous snapshot's values (max is idempotent,
// so the overlap it asks for, for batches that committed late, does no harm).
const APPLIED_SINCE = `
  SELECT e.entity_type, max(a.finished_at) AS last_applied_at, max(e.zoho_modified_at) AS newest_zoho_modified_at
  FROM tds.event_attempts a JOIN tds.events e ON e.id = a.event_id
  WHERE a.finished_at > $1 AND a.outcome = 'applied'
  GROUP BY e.entity_type`;

export interface WorkerRow {
  worker_id: string;
  role: string;
  hostname: string;
  last_heartbeat_at: Date;
  live: boolean;
}

// A live worker as in WorkerRegistryRepository: drains the queue, not stopped, beat within the timeout ($1 s).
const RECENT_WORKERS = `
  SELECT worker_id, role, hostname, last_heartbeat_at,
         (stopped_at IS NULL AND role IN ('all', 'worker')
          AND last_heartbeat_at > now() - make_interval(secs => $1::float8)) AS live
  FROM tds.workers
  ORDER BY last_heartbeat_at DESC
  LIMIT 50`;

export interface DatabaseStatsRow {
  used: number;
  max: number;
  size_bytes: string;
  blks_hit: string | null;
  blks_read: string | null;
}

const DATABASE_STATS = `
  SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS used,
         current_setting('max_connections')::int AS max,
         pg_database_size(current_database())::text AS size_bytes,
         d.blks_hit::text AS blks_hit, d.blks_read::text AS blks_read
  FROM pg_stat_database d WHERE d.datname = current_database()`;

export interface TableSizeRow {
  table_name: string;
  total_bytes: string;
}

const LARGEST_TABLES = `
  SELECT format('%s.%s', n.nspname, c.relname) AS table_name, pg_total_relation_size(c.oid)::text AS total_bytes
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  ORDER BY pg_total_relation_size(c.oid) DESC
  LIMIT 5`;

export interface LongestQueryRow {
  seconds: number;
  state: string;
  application: string;
  query: string;
}

// String literals are masked: a statement's text may carry a value nobody should read in a snapshot (a password).
const LONGEST_RUNNING_QUERY = `
  SELECT extract(epoch FROM now() - query_start)::float8 AS seconds, state, application_name AS application,
         regexp_replace(left(query, 300), '''[^'']*''', '''…''', 'g') AS query
  FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND state <> 'idle' AND pid <> pg_backend_pid() AND query_start IS NOT NULL
  ORDER BY query_start
  LIMIT 1`;

const STAT_STATEMENTS_SCHEMA = `
  SELECT n.nspname AS schema FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
  WHERE x.extname = 'pg_stat_statements'`;

export interface SlowStatementRow {
  query: string;
  calls: string;
  mean_ms: number;
  total_ms: number;
}

// pg_stat_statements normalises constants to $n: no literal value appears in its text.
const slowestStatements = (schema: string) => `
  SELECT left(s.query, 300) AS query, s.calls::text AS calls, s.mean_exec_time AS mean_ms, s.total_exec_time AS total_ms
  FROM "${schema.replace(/"/g, '""')}".pg_stat_statements s
  WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  ORDER BY s.mean_exec_time DESC
  LIMIT 5`;

export interface PreviousSnapshotRow {
  taken_at: Date;
  freshness: Record<string, { lastAppliedAt: string | null; newestZohoModifiedAt: string | null }> | null;
  freshness_since: string | null;
}

const LATEST_FOR_NEXT_RUN = `
  SELECT taken_at, data->'queue'->'freshness' AS freshness, data->'queue'->>'freshnessSince' AS freshness_since
  FROM tds.metrics_snapshots ORDER BY taken_at DESC LIMIT 1`;

export interface SnapshotSummaryRow {
  id: string;
  taken_at: Date;
  open_alerts: Record<string, number>;
  live_workers: number;
}

// The health probe's cache refresh: the indexed columns of the newest row, never the jsonb.
const LATEST_SUMMARY = `
  SELECT id::text AS id, taken_at, open_alerts, live_workers FROM tds.metrics_snapshots ORDER BY taken_at DESC LIMIT 1`;

export interface NewSnapshot {
  durationMs: number;
  pending: number;
  deadLetter: number;
  oldestPendingAgeSeconds: number | null;
  failureRate: number | null;
  liveWorkers: number;
  openAlerts: Record<string, number>;
  data: unknown;
}

const INSERT_SNAPSHOT = `
  INSERT INTO tds.metrics_snapshots (duration_ms, pending, dead_letter, oldest_pending_age_s, failure_rate, live_workers,
                                     open_alerts, data)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)
  RETURNING id::text AS id, taken_at, open_alerts, live_workers`;

const PRUNE_SNAPSHOTS = `DELETE FROM tds.metrics_snapshots WHERE taken_at < now() - make_interval(days => $1::int)`;

@Injectable()
export class MonitoringRepository {
  constructor(private readonly db: DatabaseService) {}

  queueDepth(stuckMinutes: number): Promise<DepthRow[]> {
    return this.db.query<DepthRow>(QUEUE_DEPTH, [stuckMinutes]);
  }

  /** Attempts, failures, completions and latency percentiles (over about `sample` completions) of the window. */
  async window(windowMinutes: number, sample: number): Promise<WindowRow> {
    return (await this.db.query<WindowRow>(WINDOW, [windowMinutes, sample]))[0];
  }

  appliedSince(since: Date): Promise<FreshnessRow[]> {
    return this.db.query<FreshnessRow>(APPLIED_SINCE, [since]);
  }

  recentWorkers(timeoutSeconds: number): Promise<WorkerRow[]> {
    return this.db.query<WorkerRow>(RECENT_WORKERS, [timeoutSeconds]);
  }

  async databaseStats(): Promise<DatabaseStatsRow> {
    return (await this.db.query<DatabaseStatsRow>(DATABASE_STATS))[0];
  }

  largestTables(): Promise<TableSizeRow[]> {
    return this.db.query<TableSizeRow>(LARGEST_TABLES);
  }

  async longestRunningQuery(): Promise<LongestQueryRow | undefined> {
    return (await this.db.query<LongestQueryRow>(LONGEST_RUNNING_QUERY))[0];
  }

  /** The schema pg_stat_statements is installed in, or undefined when the extension is not installed. */
  async statStatementsSchema(): Promise<string | undefined> {
    return (await this.db.query<{ schema: string }>(STAT_STATEMENTS_SCHEMA))[0]?.schema;
  }

  /** Throws when the extension is installed but not loaded (shared_preload_libraries). */
  slowestStatements(schema: string): Promise<SlowStatementRow[]> {
    return this.db.query<SlowStatementRow>(slowestStatements(schema));
  }

  async previousSnapshot(): Promise<PreviousSnapshotRow | undefined> {
    return (await this.db.query<PreviousSnapshotRow>(LATEST_FOR_NEXT_RUN))[0];
  }

  /** On the health probes' pool: a refresh never waits behind the application pool. */
  async latestSummary(): Promise<SnapshotSummaryRow | undefined> {
    return (await this.db.probes.query<SnapshotSummaryRow>(LATEST_SUMMARY))[0];
  }

  async insertSnapshot(s: NewSnapshot): Promise<SnapshotSummaryRow> {
    const rows = await this.db.query<SnapshotSummaryRow>(INSERT_SNAPSHOT, [
      s.durationMs,
      s.pending,
      s.deadLetter,
      s.oldestPendingAgeSeconds,
      s.failureRate,
      s.liveWorkers,
      JSON.stringify(s.openAlerts),
      JSON.stringify(s.data),
    ]);
    return rows[0];
  }

  pruneSnapshots(retentionDays: number): Promise<number> {
    return this.db.execute(PRUNE_SNAPSHOTS, [retentionDays]);
  }
}
