import { Injectable } from '@nestjs/common';
import type { CollectContext, MetricsCollector } from './metrics-collector';
import type { DatabaseSection } from './monitoring-snapshot';
import { MonitoringRepository } from './monitoring.repository';

/**
 * `database`: connections used / max_connections, database size, the largest tables, cache hit ratio, the longest
 * running statement, and the slowest statements from pg_stat_statements when it is installed and loaded (otherwise
 * the section says why there are none).
 */
@Injectable()
export class DatabaseHealthCollector implements MetricsCollector {
  readonly section = 'database';

  constructor(private readonly repo: MonitoringRepository) {}

  async collect(_ctx: CollectContext): Promise<DatabaseSection> {
    const [stats, tables, longest, statStatements] = await Promise.all([
      this.repo.databaseStats(),
      this.repo.largestTables(),
      this.repo.longestRunningQuery(),
      this.statStatements(),
    ]);
    const hit = Number(stats.blks_hit ?? 0);
    const read = Number(stats.blks_read ?? 0);
    return {
      connections: { used: stats.used, max: stats.max, ratio: Math.round((stats.used / stats.max) * 10000) / 10000 },
      sizeBytes: Number(stats.size_bytes),
      largestTables: tables.map((t) => ({ table: t.table_name, totalBytes: Number(t.total_bytes) })),
      cacheHitRatio: hit + read > 0 ? Math.round((hit / (hit + read)) * 10000) / 10000 : null,
      longestRunningQuery: longest
        ? {
            seconds: Math.round(longest.seconds * 1000) / 1000,
            state: longest.state,
            application: longest.application,
            query: longest.query,
          }
        : null,
      statStatements,
    };
  }

  private async statStatements(): Promise<DatabaseSection['statStatements']> {
    const schema = await this.repo.statStatementsSchema();
    if (!schema) return { installed: false, reason: 'the pg_stat_statements extension is not installed in this database' };
    try {
      const rows = await this.repo.slowestStatements(schema);
      return {
        installed: true,
        slowest: rows.map((r) => ({
          query: r.query,
          calls: Number(r.calls),
          meanMs: Math.round(r.mean_ms * 1000) / 1000,
          totalMs: Math.round(r.total_ms),
        })),
      };
    } catch (err) {
      // e.g. "pg_stat_statements must be loaded via shared_preload_libraries"
      return { installed: false, reason: `pg_stat_statements is installed but cannot be read: ${(err as Error).message}` };
    }
  }
}
