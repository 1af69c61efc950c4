import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { METRICS_COLLECTORS, MetricsCollector } from './metrics-collector';
import type { MonitoringSnapshot, OpenAlertCounts, PreviousSnapshot } from './monitoring-snapshot';
import { MonitoringRepository, SnapshotSummaryRow } from './monitoring.repository';

/** Runs the alert rules on a fresh snapshot; returns the open alerts by severity afterwards. */
export type SnapshotEvaluator = (snapshot: MonitoringSnapshot, signal: AbortSignal) => Promise<OpenAlertCounts>;

/** What /health shows without a query: the newest snapshot's summary, as this process last saw it. */
export interface SnapshotSummary {
  snapshotId: string;
  takenAt: Date;
  openAlerts: OpenAlertCounts;
  liveWorkers: number;
}

// How often every process re-reads the newest snapshot's summary (one indexed row, on the probes' pool) so /health
// reflects runs made by another process. The process that runs the job updates its copy at once.
export const SUMMARY_REFRESH_MS = 15_000;

const NO_ALERTS: OpenAlertCounts = { critical: 0, warning: 0, info: 0 };

/**
 * One monitoring run: collectors in order → alert rules (the evaluator the alerts module registers) → the snapshot
 * stored with the open-alert counts → old snapshots pruned. The scheduler runs it under the singleton-job lock.
 */
@Injectable()
export class MonitoringService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MonitoringService.name);
  private evaluator?: SnapshotEvaluator;
  private summary?: SnapshotSummary;
  private refreshTimer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;

  constructor(
    private readonly repo: MonitoringRepository,
    private readonly config: AppConfigService,
    @Inject(METRICS_COLLECTORS) private readonly collectors: MetricsCollector[],
  ) {}

  /** The alerts module hands its rule evaluation here (alerts depend on monitoring, not the other way round). */
  setEvaluator(evaluator: SnapshotEvaluator): void {
    this.evaluator = evaluator;
  }

  onApplicationBootstrap(): void {
    this.refreshing = this.refreshSummary();
    this.refreshTimer = setInterval(() => {
      this.refreshing = this.refreshSummary();
    }, SUMMARY_REFRESH_MS);
    this.refreshTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    await this.refreshing;
  }

  /** The newest snapshot's summary known to this process (no I/O). */
  latestSummary(): SnapshotSummary | undefined {
    return this.summary;
  }

  /** Collects, evaluates and stores one snapshot; returns it. */
  async runOnce(signal: AbortSignal = new AbortController().signal): Promise<MonitoringSnapshot> {
    const started = performance.now();
    const windowMinutes = this.config.monitoring.windowMinutes;
    const previousRow = await this.repo.previousSnapshot();
    const previous: PreviousSnapshot | undefined =
      previousRow && previousRow.freshness_since
        ? { takenAt: previousRow.taken_at, freshness: previousRow.freshness ?? {}, freshnessSince: previousRow.freshness_since }
        : undefined;
    const sections: Record<string, unknown> = {};
    for (const collector of this.collectors) {
      signal.throwIfAborted();
      sections[collector.section] = await collector.collect({ windowMinutes, previous, sections, signal });
    }
    const snapshot = {
      takenAt: new Date().toISOString(),
      durationMs: 0,
      windowMinutes,
      ...sections,
    } as MonitoringSnapshot;
    signal.throwIfAborted();
    const open = this.evaluator ? await this.evaluator(snapshot, signal) : { ...NO_ALERTS };
    snapshot.alerts = { open };
    snapshot.durationMs = Math.round(performance.now() - started);
    const row = await this.repo.insertSnapshot({
      durationMs: snapshot.durationMs,
      pending: snapshot.queue.depth.pending,
      deadLetter: snapshot.queue.depth.deadLetter,
      oldestPendingAgeSeconds: snapshot.queue.oldestPendingAgeSeconds,
      failureRate: snapshot.queue.window.failureRate,
      liveWorkers: snapshot.workers.live,
      openAlerts: open,
      data: snapshot,
    });
    snapshot.takenAt = row.taken_at.toISOString();
    this.remember(row);
    await this.repo.pruneSnapshots(this.config.monitoring.retentionDays);
    return snapshot;
  }

  private remember(row: SnapshotSummaryRow): void {
    if (this.summary && this.summary.takenAt > row.taken_at) return;
    this.summary = {
      snapshotId: row.id,
      takenAt: row.taken_at,
      openAlerts: { ...NO_ALERTS, ...row.open_alerts },
      liveWorkers: row.live_workers,
    };
  }

  private async refreshSummary(): Promise<void> {
    try {
      const row = await this.repo.latestSummary();
      if (row) this.remember(row);
    } catch (err) {
      this.logger.debug(`could not refresh the latest snapshot summary: ${(err as Error).message}`);
    }
  }
}
