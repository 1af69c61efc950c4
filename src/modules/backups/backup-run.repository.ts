import { Injectable } from '@nestjs/common';
import type { ClientBase } from 'pg';
import { DatabaseService } from '../../database/database.service';

export type BackupTrigger = 'schedule' | 'manual' | 'verify';
export type BackupRunStatus = 'running' | 'succeeded' | 'failed';
export type VerifyMode = 'archive' | 'full';
/** Row count per table, keyed `schema.table`. */
export type RowCounts = Record<string, number>;

/** One row of tds.backup_runs. */
export interface BackupRunRow {
  id: string;
  trigger: BackupTrigger;
  scheduled_at: Date | null;
  status: BackupRunStatus;
  file: string | null;
  size_bytes: string | null;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  verify_mode: VerifyMode | null;
  verified: boolean;
  verified_at: Date | null;
  row_counts: RowCounts | null;
  restored_counts: RowCounts | null;
  tool_version: string | null;
  server_version: string | null;
  error: string | null;
  removed_at: Date | null;
}

/** What the alert rule and the dashboard need at a glance. */
export interface BackupStatusRow {
  last_id: string | null;
  last_trigger: BackupTrigger | null;
  last_status: BackupRunStatus | null;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  last_file: string | null;
  last_error: string | null;
  last_verified_at: Date | null;
  last_verified_file: string | null;
  last_failure_at: Date | null;
  last_failure_error: string | null;
}

const COLUMNS = `
  id::text AS id, trigger, scheduled_at, status, file, size_bytes::text AS size_bytes, started_at, finished_at,
  duration_ms, verify_mode, verified, verified_at, row_counts, restored_counts, tool_version, server_version, error,
  removed_at`;

const START = `
  INSERT INTO tds.backup_runs (trigger, scheduled_at, status, file, verify_mode)
  VALUES ($1, $2, 'running', $3, $4)
  RETURNING ${COLUMNS}`;

// After pg_dump: the file, its size and what the snapshot held.
const DUMPED = `
  UPDATE tds.backup_runs SET file = $2, size_bytes = $3, row_counts = $4, tool_version = $5, server_version = $6
  WHERE id = $1`;

const FINISH = `
  UPDATE tds.backup_runs
  SET status = $2, verified = $3, verified_at = CASE WHEN $3 THEN clock_timestamp() END, restored_counts = $4,
      error = $5, finished_at = clock_timestamp(),
      duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::int,
      file = coalesce($6, file), size_bytes = coalesce($7, size_bytes), row_counts = coalesce(row_counts, $8)
  WHERE id = $1
  RETURNING ${COLUMNS}`;

const RECENT = `SELECT ${COLUMNS} FROM tds.backup_runs ORDER BY started_at DESC, id DESC LIMIT $1`;

const BY_ID = `SELECT ${COLUMNS} FROM tds.backup_runs WHERE id = $1`;

// The counts stored when this very file was made (verification of a file compares against them).
const DUMPED_FILE = `
  SELECT ${COLUMNS} FROM tds.backup_runs
  WHERE file = $1 AND trigger IN ('schedule', 'manual') AND row_counts IS NOT NULL
  ORDER BY started_at DESC LIMIT 1`;

// The newest verified backup still on disk: retention never removes it.
const NEWEST_VERIFIED_FILE = `
  SELECT file FROM tds.backup_runs
  WHERE verified AND trigger IN ('schedule', 'manual') AND file IS NOT NULL AND removed_at IS NULL
  ORDER BY verified_at DESC LIMIT 1`;

const MARK_REMOVED = `UPDATE tds.backup_runs SET removed_at = clock_timestamp() WHERE file = ANY($1::text[]) AND removed_at IS NULL`;

// Last run of any kind, last verified backup, last failure: one round trip (both partial-index/ordered lookups).
const STATUS = `
  SELECT l.id::text AS last_id, l.trigger AS last_trigger, l.status AS last_status, l.started_at AS last_started_at,
         l.finished_at AS last_finished_at, l.file AS last_file, l.error AS last_error,
         v.verified_at AS last_verified_at, v.file AS last_verified_file,
         f.finished_at AS last_failure_at, f.error AS last_failure_error
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (SELECT * FROM tds.backup_runs ORDER BY started_at DESC, id DESC LIMIT 1) l ON true
  LEFT JOIN LATERAL (
    SELECT verified_at, file FROM tds.backup_runs WHERE verified AND trigger IN ('schedule', 'manual')
    ORDER BY verified_at DESC LIMIT 1) v ON true
  LEFT JOIN LATERAL (
    SELECT finished_at, error FROM tds.backup_runs WHERE status = 'failed' ORDER BY started_at DESC LIMIT 1) f ON true`;

// Processes of the service that are alive right now (a fresh heartbeat, not stopped): a restore under them would
// have workers writing into tables being replaced.
const LIVE_PROCESSES = `
  SELECT worker_id, role, hostname, pid FROM tds.workers
  WHERE stopped_at IS NULL AND last_heartbeat_at > now() - make_interval(secs => $1)
  ORDER BY worker_id`;

// The snapshot both the counts and pg_dump read: REPEATABLE READ keeps one snapshot for the whole transaction, and
// pg_export_snapshot() lets pg_dump (--snapshot) import it, so the counts describe exactly what the archive holds
// even while ingest and the worker keep writing. The transaction stays open until pg_dump ends.
const BEGIN_SNAPSHOT = `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY`;
const EXPORT_SNAPSHOT = `SELECT pg_export_snapshot() AS snapshot, current_setting('server_version') AS server_version`;
const END_SNAPSHOT = `COMMIT`;

const SERVER_VERSION = `SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS version`;

// Every ordinary (and partitioned) table of the service's schemas, in a stable order.
const TABLES = `
  SELECT format('%I.%I', n.nspname, c.relname) AS qualified, n.nspname || '.' || c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN ('tds', 'erp') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  ORDER BY n.nspname, c.relname`;

/** One count per table, in one statement (identifiers quoted by format('%I') above). */
const countSql = (tables: { qualified: string; name: string }[]) =>
  tables.map((t) => `SELECT ${quoteLiteral(t.name)} AS name, count(*)::bigint::text AS n FROM ${t.qualified}`).join('\nUNION ALL\n');

const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

const CREATE_SCRATCH = (name: string) => `CREATE DATABASE "${name}" TEMPLATE template0`;
const DROP_SCRATCH = (name: string) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`;

/** tds.backup_runs, the dump-time snapshot and counts, and the scratch databases of a full verification. */
@Injectable()
export class BackupRunRepository {
  constructor(private readonly db: DatabaseService) {}

  async start(trigger: BackupTrigger, scheduledAt: Date | null, file: string | null, verifyMode: VerifyMode | null): Promise<BackupRunRow> {
    return (await this.db.query<BackupRunRow>(START, [trigger, scheduledAt, file, verifyMode]))[0];
  }

  async dumped(id: string, file: string, sizeBytes: number, counts: RowCounts, toolVersion: string, serverVersion: string): Promise<void> {
    await this.db.execute(DUMPED, [id, file, sizeBytes, JSON.stringify(counts), toolVersion, serverVersion]);
  }

  async finish(
    id: string,
    outcome: {
      status: 'succeeded' | 'failed';
      verified: boolean;
      restoredCounts?: RowCounts | null;
      error?: string | null;
      file?: string | null;
      sizeBytes?: number | null;
      rowCounts?: RowCounts | null;
    },
  ): Promise<BackupRunRow> {
    const rows = await this.db.query<BackupRunRow>(FINISH, [
      id,
      outcome.status,
      outcome.verified,
      outcome.restoredCounts ? JSON.stringify(outcome.restoredCounts) : null,
      outcome.error?.slice(0, 4000) ?? null,
      outcome.file ?? null,
      outcome.sizeBytes ?? null,
      outcome.rowCounts ? JSON.stringify(outcome.rowCounts) : null,
    ]);
    return rows[0];
  }

  recent(limit: number): Promise<BackupRunRow[]> {
    return this.db.query<BackupRunRow>(RECENT, [limit]);
  }

  async byId(id: string): Promise<BackupRunRow | undefined> {
    return (await this.db.query<BackupRunRow>(BY_ID, [id]))[0];
  }

  async dumpOf(file: string): Promise<BackupRunRow | undefined> {
    return (await this.db.query<BackupRunRow>(DUMPED_FILE, [file]))[0];
  }

  async newestVerifiedFile(): Promise<string | undefined> {
    return (await this.db.query<{ file: string }>(NEWEST_VERIFIED_FILE))[0]?.file;
  }

  async markRemoved(files: string[]): Promise<number> {
    return files.length ? this.db.execute(MARK_REMOVED, [files]) : 0;
  }

  async status(): Promise<BackupStatusRow> {
    return (await this.db.query<BackupStatusRow>(STATUS))[0];
  }

  /** Live processes of the service; none when the database is empty (a restore into a new database). */
  async liveProcesses(withinSeconds: number): Promise<{ worker_id: string; role: string; hostname: string; pid: number }[]> {
    try {
      return await this.db.query(LIVE_PROCESSES, [withinSeconds]);
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') return []; // undefined_table: nothing was ever migrated here
      throw err;
    }
  }

  async serverVersion(): Promise<{ major: number; version: string }> {
    const row = (await this.db.query<{ num: number; version: string }>(SERVER_VERSION))[0];
    return { major: Math.floor(row.num / 10000), version: row.version };
  }

  /** Opens the dump snapshot on `session` (a dedicated connection); returns its id for pg_dump --snapshot. */
  async beginSnapshot(session: ClientBase): Promise<{ snapshot: string; serverVersion: string }> {
    await session.query(BEGIN_SNAPSHOT);
    const row = (await session.query<{ snapshot: string; server_version: string }>(EXPORT_SNAPSHOT)).rows[0];
    return { snapshot: row.snapshot, serverVersion: row.server_version };
  }

  async endSnapshot(session: ClientBase): Promise<void> {
    await session.query(END_SNAPSHOT);
  }

  /** Rows of every tds and erp table, as seen by `session` (inside the dump snapshot, or in a restored copy). */
  async countRows(session: ClientBase): Promise<RowCounts> {
    const tables = (await session.query<{ qualified: string; name: string }>(TABLES)).rows;
    if (!tables.length) return {};
    const rows = (await session.query<{ name: string; n: string }>(countSql(tables))).rows;
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
  }

  async createScratchDatabase(name: string): Promise<void> {
    await this.db.execute(CREATE_SCRATCH(name));
  }

  async dropScratchDatabase(name: string): Promise<void> {
    await this.db.execute(DROP_SCRATCH(name));
  }
}
