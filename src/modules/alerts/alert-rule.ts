import type { AppConfig } from '../../config/app-config';
import type { AlertLevels } from '../../config/monitoring-env';
import type { MonitoringSnapshot } from '../monitoring/monitoring-snapshot';

export type AlertsConfig = AppConfig['alerts'];

/**
 * One alert rule, as a definition (like a sync handler): what it reads from the snapshot and the levels it compares
 * it with. AlertsService owns the lifecycle (open, update, escalate, hysteresis, reminders, resolve) once for all.
 */
export interface AlertRuleDefinition {
  /** Stable name, stored in tds.alerts.rule and sent in notices: `queue_backlog`. */
  readonly name: string;
  /** What is measured, for titles: "Pending queue". */
  readonly title: string;
  /** The value's unit ('events', 'minutes', '%'); null for a yes/no rule. */
  readonly unit: string | null;
  /** 'above': fires when the value exceeds a level; 'below': when it falls under one. */
  readonly direction: 'above' | 'below';
  /** The levels from config (a rule with only a critical level has `warning: null`). */
  levels(config: AlertsConfig): Readonly<AlertLevels>;
  /**
   * The value from the snapshot. `null` = cannot be judged this run (too few samples, section missing): an alert of
   * this rule neither opens nor changes nor resolves.
   */
  read(snapshot: MonitoringSnapshot, config: AlertsConfig): number | null;
  /** A sentence on what is wrong (optional; the default names the value and the level crossed). */
  describe?(value: number, snapshot: MonitoringSnapshot): string;
  /** false for a yes/no rule: it resolves as soon as the condition clears (a margin below "1 worker" means nothing). */
  readonly hysteresis?: boolean;
  /** What an operator should do: the runbook entry. */
  readonly runbook: string;
}
