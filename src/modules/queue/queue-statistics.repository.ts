import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

/** The queue tables whose planner statistics the worker keeps fresh (the claim's plan depends on them). */
export const QUEUE_TABLES = ['events', 'event_attempts'] as const;
export type QueueTable = (typeof QUEUE_TABLES)[number];

export interface QueueTableStatsRow {
  table: QueueTable;
  /** The planner's row estimate: -1 when the table was never analyzed (PostgreSQL 14+). */
  reltuples: number;
  /** Rows inserted, updated or deleted since the last ANALYZE (the statistics collector counts them either way). */
  changed: number;
  last_analyzed: Date | null;
  /** The table's effective autovacuum switch: the server's `autovacuum` and the table's autovacuum_enabled option. */
  autovacuum: boolean;
}

const TABLE_STATS = `
  SELECT c.relname AS table, c.reltuples::float8 AS reltuples, coalesce(s.n_mod_since_analyze, 0)::float8 AS changed,
         greatest(s.last_analyze, s.last_autoanalyze) AS last_analyzed,
         current_setting('autovacuum')::boolean
           AND coalesce((SELECT option_value::boolean FROM pg_options_to_table(c.reloptions)
                         WHERE option_name = 'autovacuum_enabled'), true) AS autovacuum
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'tds'
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
  WHERE c.relname = ANY($1::text[]) AND c.relkind = 'r'
  ORDER BY c.relname`;

// One ANALYZE of a table at a time across every process (a second one would only wait for the first); a short lock
// timeout so that a VACUUM holding the table's lock makes this check skip, never wait.
const ANALYZE_LOCK_KEY = 0x7464735f61; // 'tds_a'

@Injectable()
export class QueueStatisticsRepository {
  constructor(private readonly db: DatabaseService) {}

  tableStats(): Promise<QueueTableStatsRow[]> {
    return this.db.query<QueueTableStatsRow>(TABLE_STATS, [QUEUE_TABLES]);
  }

  /** ANALYZE one queue table unless another process is analyzing one; false when skipped. */
  analyze(table: QueueTable): Promise<boolean> {
    if (!QUEUE_TABLES.includes(table)) throw new Error(`not a queue table: ${table}`);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [ANALYZE_LOCK_KEY]);
      if (!rows[0].locked) return false;
      await tx.query(`SET LOCAL lock_timeout = '2s'`);
      await tx.query(`ANALYZE tds.${table}`);
      return true;
    });
  }
}
