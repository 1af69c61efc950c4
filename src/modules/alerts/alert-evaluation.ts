import type { AlertLevels } from '../../config/monitoring-env';
import { AlertSeverity, SEVERITY_RANK } from '../notifications/alert-notice';

export type FiringSeverity = Exclude<AlertSeverity, 'info'>;

export interface EvaluationInput {
  direction: 'above' | 'below';
  levels: Readonly<AlertLevels>;
  /** null: not judged this run. */
  value: number | null;
  /** The rule's unresolved alert's severity, if it has one. */
  current: AlertSeverity | null;
  /** TDS_ALERT_HYSTERESIS (0.1 = 10%); 0 for a rule without hysteresis. */
  hysteresis: number;
}

export type Evaluation =
  | { action: 'none' }
  /** Open a new alert (no unresolved one). */
  | { action: 'open'; severity: FiringSeverity; threshold: number }
  /** The condition holds (or is inside the hysteresis margin): update the alert, maybe at another severity. */
  | { action: 'update'; severity: AlertSeverity; threshold: number; firing: boolean }
  /** Clear by the margin: resolve. */
  | { action: 'resolve' };

const crosses = (direction: 'above' | 'below', value: number, level: number) => (direction === 'above' ? value > level : value < level);

/** The level a value reaches: 'critical', 'warning' or null, against the given levels. */
function levelOf(direction: 'above' | 'below', value: number, levels: Readonly<AlertLevels>): FiringSeverity | null {
  if (crosses(direction, value, levels.critical)) return 'critical';
  if (levels.warning !== null && crosses(direction, value, levels.warning)) return 'warning';
  return null;
}

const thresholdOf = (severity: AlertSeverity, levels: Readonly<AlertLevels>) =>
  severity === 'critical' || levels.warning === null ? levels.critical : levels.warning;

/**
 * What a rule's value means for its alert (pure; AlertsService applies it).
 *  - Levels are strict: "> 500" fires at 501.
 *  - A new alert opens at the level the value reaches.
 *  - An existing alert goes up at once when the value reaches a higher level. It goes down (to a lower severity, or
 *    resolved) only once the value has cleared its current level by the hysteresis margin: with levels 500/1000 and
 *    10%, a critical alert stays critical above 900, is a warning from 900 down to 451, and resolves at 450 or less
 *    (at least 10% below the level; a level of 0 resolves at 0).
 */
export function evaluateRule(input: EvaluationInput): Evaluation {
  const { direction, levels, value, current, hysteresis } = input;
  if (value === null) return { action: 'none' };
  const raw = levelOf(direction, value, levels);
  if (!current) return raw ? { action: 'open', severity: raw, threshold: thresholdOf(raw, levels) } : { action: 'none' };
  if (raw && SEVERITY_RANK[raw] >= SEVERITY_RANK[current]) {
    return { action: 'update', severity: raw, threshold: thresholdOf(raw, levels), firing: true };
  }
  // Below its current level: held where the margin says (levels moved by the margin towards clearing).
  const factor = direction === 'above' ? 1 - hysteresis : 1 + hysteresis;
  const margin = { warning: levels.warning === null ? null : levels.warning * factor, critical: levels.critical * factor };
  const held = levelOf(direction, value, margin);
  const kept = held && SEVERITY_RANK[held] > SEVERITY_RANK[current] ? current : held;
  if (!kept && !raw) return { action: 'resolve' };
  const severity = kept ?? raw!;
  return { action: 'update', severity, threshold: thresholdOf(severity, levels), firing: raw !== null };
}
