import { CronTime } from 'cron';
import type { EnvironmentVariables } from './env.validation';

/** Warning and critical level of one alert rule (a rule with only a critical level has `warning: null`). */
export interface AlertLevels {
  warning: number | null;
  critical: number;
}

/** The thresholds of the built-in alert rules (issue #11), after defaults and the earlier system's names. */
export interface AlertThresholds {
  queueBacklog: AlertLevels;
  deadLetter: AlertLevels;
  failureRate: AlertLevels;
  stuckEvents: AlertLevels;
  syncLagMinutes: AlertLevels;
  dbConnections: AlertLevels;
}

type Key = keyof EnvironmentVariables;

interface LevelSpec {
  warning: Key;
  critical: Key;
  /** The earlier system's name, which set the critical level. */
  legacy?: Key;
  defaults: { warning: number; critical: number };
}

// The runbook's levels (issue #11), and the env names that change them.
const LEVELS: Record<keyof AlertThresholds, LevelSpec> = {
  queueBacklog: {
    warning: 'TDS_ALERT_QUEUE_BACKLOG_WARNING',
    critical: 'TDS_ALERT_QUEUE_BACKLOG_CRITICAL',
    legacy: 'TDS_ALERT_QUEUE_BACKLOG_THRESHOLD',
    defaults: { warning: 500, critical: 1000 },
  },
  deadLetter: { warning: 'TDS_ALERT_DLQ_WARNING', critical: 'TDS_ALERT_DLQ_CRITICAL', defaults: { warning: 50, critical: 100 } },
  failureRate: {
    warning: 'TDS_ALERT_FAILURE_RATE_WARNING',
    critical: 'TDS_ALERT_FAILURE_RATE_CRITICAL',
    legacy: 'TDS_ALERT_FAILURE_RATE_THRESHOLD',
    defaults: { warning: 0.05, critical: 0.1 },
  },
  stuckEvents: { warning: 'TDS_ALERT_STUCK_WARNING', critical: 'TDS_ALERT_STUCK_CRITICAL', defaults: { warning: 0, critical: 10 } },
  syncLagMinutes: {
    warning: 'TDS_ALERT_SYNC_LAG_WARNING_MINUTES',
    critical: 'TDS_ALERT_SYNC_LAG_CRITICAL_MINUTES',
    legacy: 'TDS_ALERT_SYNC_LAG_THRESHOLD_MINUTES',
    defaults: { warning: 15, critical: 60 },
  },
  dbConnections: {
    warning: 'TDS_ALERT_DB_CONNECTIONS_WARNING',
    critical: 'TDS_ALERT_DB_CONNECTIONS_CRITICAL',
    defaults: { warning: 0.8, critical: 0.95 },
  },
};

const num = (env: EnvironmentVariables, key: Key): number | undefined => {
  const v = env[key];
  return typeof v === 'number' ? v : undefined;
};

/**
 * Each rule's levels: the new name, else the earlier system's name (critical level only), else the default. A warning
 * level left at its default above a lowered critical level follows it down (an old `…_THRESHOLD=300` means "critical
 * above 300", and a warning at 500 would never be seen).
 */
export function alertThresholds(env: EnvironmentVariables): AlertThresholds {
  const out = {} as Record<keyof AlertThresholds, AlertLevels>;
  for (const [rule, spec] of Object.entries(LEVELS) as [keyof AlertThresholds, LevelSpec][]) {
    const critical = num(env, spec.critical) ?? (spec.legacy ? num(env, spec.legacy) : undefined) ?? spec.defaults.critical;
    const explicitWarning = num(env, spec.warning);
    const warning = explicitWarning ?? Math.min(spec.defaults.warning, critical);
    out[rule] = { warning, critical };
  }
  return out;
}

/** Lines the start logs as warnings: an old and a new name both set (the new one wins). */
export function monitoringEnvWarnings(env: EnvironmentVariables): string[] {
  const warnings: string[] = [];
  for (const spec of Object.values(LEVELS)) {
    if (spec.legacy && num(env, spec.legacy) !== undefined && num(env, spec.critical) !== undefined) {
      warnings.push(
        `${spec.legacy}=${num(env, spec.legacy)} and ${spec.critical}=${num(env, spec.critical)} are both set: ` +
          `${spec.critical} wins (${spec.legacy} is the earlier system's name; remove it)`,
      );
    }
  }
  return warnings;
}

/** Checks across keys, reported with every other bad key by validate(); keys in `invalid` are already reported. */
export function monitoringProblems(env: EnvironmentVariables, invalid: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = [];
  try {
    if (!invalid.has('TDS_MONITORING_CRON')) new CronTime(env.TDS_MONITORING_CRON);
  } catch (err) {
    problems.push(`TDS_MONITORING_CRON=${JSON.stringify(env.TDS_MONITORING_CRON)}: not a cron expression (${(err as Error).message})`);
  }
  const timeouts = ['TDS_WORKER_HEARTBEAT_TIMEOUT_S', 'TDS_HEARTBEAT_INTERVAL_MS'];
  if (!timeouts.some((k) => invalid.has(k))) {
    if (env.TDS_WORKER_HEARTBEAT_TIMEOUT_S * 1000 <= env.TDS_HEARTBEAT_INTERVAL_MS) {
      problems.push(
        `TDS_WORKER_HEARTBEAT_TIMEOUT_S=${env.TDS_WORKER_HEARTBEAT_TIMEOUT_S}: must be longer than TDS_HEARTBEAT_INTERVAL_MS ` +
          `(${env.TDS_HEARTBEAT_INTERVAL_MS} ms), else a live worker is reported down between two beats`,
      );
    }
  }
  const levels = alertThresholds(env);
  for (const [rule, spec] of Object.entries(LEVELS) as [keyof AlertThresholds, LevelSpec][]) {
    const { warning, critical } = levels[rule];
    const bad = invalid.has(spec.warning) || invalid.has(spec.critical) || (spec.legacy !== undefined && invalid.has(spec.legacy));
    if (!bad && num(env, spec.warning) !== undefined && warning !== null && warning > critical) {
      problems.push(`${spec.warning}=${warning}: must not be above the critical level (${critical})`);
    }
  }
  return problems;
}
