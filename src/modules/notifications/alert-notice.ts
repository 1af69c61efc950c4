/**
 * The contract between alerts and notifications: what the alert lifecycle hands to the notification channels.
 * Alerts decide *when* to notify (opened, severity changed, reminder, resolved); notifications decide *where*
 * (email, Slack, signed webhooks; each with its own minimum severity) and deliver in the background.
 */
export type AlertSeverity = 'info' | 'warning' | 'critical';

export const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = Object.freeze({ info: 0, warning: 1, critical: 2 });

/** Why a notice goes out. `test` comes from `POST /dashboard/notifications/test`. */
export type AlertNoticeKind = 'opened' | 'severity_changed' | 'reminder' | 'resolved' | 'test';

export interface AlertNotice {
  kind: AlertNoticeKind;
  /** tds.alerts.id; null for a test message. */
  alertId: string | null;
  /** The rule's stable name, e.g. `queue_backlog`. */
  rule: string;
  /** One line for a subject or a header, e.g. "Pending queue above 1000". */
  title: string;
  severity: AlertSeverity;
  /** The measured value and the threshold it crossed, in `unit` (null when the rule is yes/no). */
  value: number | null;
  threshold: number | null;
  unit: string | null;
  /** When the alert opened, and when its rule last saw the condition. */
  openedAt: Date;
  lastSeenAt: Date;
  occurrences: number;
  /** A sentence on what is wrong, and what an operator should do about it. */
  summary: string;
  action: string;
}
