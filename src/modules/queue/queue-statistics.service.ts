import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { QueueStatisticsRepository, QueueTable, QueueTableStatsRow } from './queue-statistics.repository';

/** What one check found and did, table by table. */
export interface QueueStatisticsCheck {
  tables: (Pick<QueueTableStatsRow, 'table' | 'reltuples' | 'changed' | 'autovacuum'> & { analyzed: boolean })[];
}

/**
 * Keeps the planner statistics of the queue tables fresh, whatever autovacuum does (issue 15). The claim runs as a
 * prepared statement: its plan is made once and replanned only when the table's statistics change. On a server with
 * `autovacuum = off` (or a table that autovacuum never reaches in time) a plan made while tds.events was empty stays
 * in use as the table grows, and each claim scans the whole backlog: a worker that kept up at 300 events/s fell to
 * 40/s. So every TDS_QUEUE_ANALYZE_INTERVAL_S a worker process reads how many rows changed since the last ANALYZE
 * (pg_stat_user_tables counts them with autovacuum off too) and analyzes a table once that exceeds
 * max(TDS_QUEUE_ANALYZE_MIN_CHANGES, TDS_QUEUE_ANALYZE_SCALE_FACTOR × rows): the new statistics invalidate the cached
 * plans and the next claim is planned for the table as it is. With autovacuum on, it usually got there first and
 * this check finds nothing to do.
 */
@Injectable()
export class QueueStatisticsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueStatisticsService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private autovacuumWarned = false;

  constructor(
    private readonly repo: QueueStatisticsRepository,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const { intervalMs } = this.config.queue.analyze;
    if (!this.config.app.runsWorker || intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.checkOnce()
        .catch((err: Error) => this.logger.warn(`queue statistics check failed: ${err.message}`))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** The queue tables' statistics as PostgreSQL reports them (for monitoring). */
  tableStats(): Promise<QueueTableStatsRow[]> {
    return this.repo.tableStats();
  }

  /** Whether a table with these counts is due for ANALYZE. */
  isStale(row: Pick<QueueTableStatsRow, 'reltuples' | 'changed'>): boolean {
    const { minChanges, scaleFactor } = this.config.queue.analyze;
    return row.changed >= Math.max(minChanges, scaleFactor * Math.max(row.reltuples, 0));
  }

  /** One check: analyzes each queue table whose statistics are stale. */
  async checkOnce(): Promise<QueueStatisticsCheck> {
    const rows = await this.repo.tableStats();
    const tables: QueueStatisticsCheck['tables'] = [];
    for (const row of rows) {
      let analyzed = false;
      if (this.isStale(row)) {
        const started = Date.now();
        analyzed = await this.repo.analyze(row.table as QueueTable);
        if (analyzed) this.logger.debug(`analyzed queue table ${row.table}: ${row.changed} rows had changed (${Date.now() - started} ms)`);
      }
      tables.push({ table: row.table, reltuples: row.reltuples, changed: row.changed, autovacuum: row.autovacuum, analyzed });
    }
    if (!this.autovacuumWarned && rows.some((r) => !r.autovacuum)) {
      this.autovacuumWarned = true;
      this.logger.warn(
        'autovacuum is off for the queue tables: the worker analyzes them itself, but dead rows are not vacuumed; ' +
          'turn autovacuum on (docs/OPERATIONS.md)',
      );
    }
    return { tables };
  }
}
