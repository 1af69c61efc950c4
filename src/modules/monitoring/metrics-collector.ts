import type { MonitoringSnapshot, PreviousSnapshot } from './monitoring-snapshot';

/** What a collector gets for one run. */
export interface CollectContext {
  /** The run's window (TDS_MONITORING_WINDOW_MINUTES). */
  windowMinutes: number;
  /** The latest stored snapshot, if any (for values carried forward). */
  previous: PreviousSnapshot | undefined;
  /** The sections collected so far in this run (collectors run in list order). */
  sections: Partial<MonitoringSnapshot>;
  /** Aborts when the run must stop (lost lock, shutdown). */
  signal: AbortSignal;
}

/**
 * One section of the monitoring snapshot. A module contributes its figures by implementing this and adding its
 * collector to METRICS_COLLECTORS (monitoring.module.ts); its alert rules then read `snapshot[section]`.
 */
export interface MetricsCollector {
  readonly section: string;
  collect(ctx: CollectContext): Promise<unknown>;
}

/** The collectors of a run, in order (injection token of a MetricsCollector[]). */
export const METRICS_COLLECTORS = Symbol('METRICS_COLLECTORS');
