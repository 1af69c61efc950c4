import { Injectable } from '@nestjs/common';
import type { CollectContext, MetricsCollector } from '../monitoring/metrics-collector';
import type { QueueTablesSection } from '../monitoring/monitoring-snapshot';
import { QueueStatisticsService } from './queue-statistics.service';

/** A table whose statistics are due and that nobody analyzed for this long is reported stale. */
const STALE_AFTER_MS = 10 * 60_000;

/**
 * `queueTables`: autovacuum on or off for tds.events / tds.event_attempts, when they were last analyzed and how many
 * rows changed since (the claim's plan depends on their statistics; issue 15, decision 0021).
 */
@Injectable()
export class QueueTablesCollector implements MetricsCollector {
  readonly section = 'queueTables';

  constructor(private readonly statistics: QueueStatisticsService) {}

  async collect(_ctx: CollectContext): Promise<QueueTablesSection> {
    const rows = await this.statistics.tableStats();
    const now = Date.now();
    const tables = rows.map((r) => ({
      table: r.table,
      autovacuum: r.autovacuum,
      lastAnalyzedAt: r.last_analyzed?.toISOString() ?? null,
      changedSinceAnalyze: r.changed,
      stale: this.statistics.isStale(r) && (!r.last_analyzed || now - r.last_analyzed.getTime() > STALE_AFTER_MS),
    }));
    return {
      tables,
      autovacuumOff: tables.filter((t) => !t.autovacuum).length,
      stale: tables.filter((t) => t.stale).length,
    };
  }
}
