import type { AlertSeverity } from '../notifications/alert-notice';

/** Queue depth of one entity type (or the total): `pending` counts pending and failed-awaiting-retry events. */
export interface QueueDepth {
  pending: number;
  failedAwaitingRetry: number;
  deadLetter: number;
}

/** Per entity type: the last successful apply, and the newest Zoho modification time applied. */
export interface EntityFreshness {
  lastAppliedAt: string | null;
  newestZohoModifiedAt: string | null;
}

/** The `queue` section (QueueMetricsCollector). */
export interface QueueSection {
  depth: QueueDepth & { byEntity: Record<string, QueueDepth> };
  oldestPendingAgeSeconds: number | null;
  /** Unfinished events older than TDS_ALERT_STUCK_MINUTES; counted only while a worker is alive (else 0). */
  stuck: { count: number; thresholdMinutes: number; workersAlive: boolean; oldestEventId: string | null };
  window: {
    minutes: number;
    attempts: number;
    failedAttempts: number;
    /** failed attempts / attempts; null when there were none. */
    failureRate: number | null;
    completed: number;
    throughputPerMinute: number;
    /** received → completed, of the events completed in the window (`sampled` of them); null when none. */
    latencyMs: { p50: number; p95: number; sampled: number } | null;
  };
  freshness: Record<string, EntityFreshness>;
  /** Applies are tracked from here on (the first snapshot's window start); older ones are not in `freshness`. */
  freshnessSince: string;
}

export interface WorkerInfo {
  workerId: string;
  role: string;
  hostname: string;
  lastHeartbeatAt: string;
  live: boolean;
}

/** The `workers` section (WorkersCollector). */
export interface WorkersSection {
  live: number;
  timeoutSeconds: number;
  /** The newest heartbeat of a worker process (live or not); null when none ever beat. */
  lastHeartbeatAt: string | null;
  recent: WorkerInfo[];
}

/** The `database` section (DatabaseHealthCollector). */
export interface DatabaseSection {
  connections: { used: number; max: number; ratio: number };
  sizeBytes: number;
  largestTables: { table: string; totalBytes: number }[];
  /** blocks found in shared buffers / blocks read, since the statistics were reset; null before any read. */
  cacheHitRatio: number | null;
  longestRunningQuery: { seconds: number; state: string; application: string; query: string } | null;
  statStatements:
    | { installed: true; slowest: { query: string; calls: number; meanMs: number; totalMs: number }[] }
    | { installed: false; reason: string };
}

/** Open alerts after a run's rules, by severity. */
export type OpenAlertCounts = Record<AlertSeverity, number>;

/**
 * One monitoring run's snapshot (stored whole in tds.metrics_snapshots.data). The core sections are typed; a module
 * that registers its own MetricsCollector adds a section under its name (read by its alert rules).
 */
export interface MonitoringSnapshot {
  takenAt: string;
  durationMs: number;
  windowMinutes: number;
  queue: QueueSection;
  workers: WorkersSection;
  database: DatabaseSection;
  /** Filled by the alert rules once they have run on this snapshot. */
  alerts?: { open: OpenAlertCounts };
  [section: string]: unknown;
}

/** What the previous snapshot carries forward to the next run. */
export interface PreviousSnapshot {
  takenAt: Date;
  freshness: Record<string, EntityFreshness>;
  freshnessSince: string;
}
