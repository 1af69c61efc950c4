import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { AlertNoticeKind, AlertSeverity } from './alert-notice';
import type { ChannelName } from './notification-channel';

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'abandoned';

/** One try to deliver a notice on one channel target (tds.notification_attempts). */
export interface NotificationAttemptRow {
  id: string;
  delivery_id: string;
  channel: ChannelName;
  target: string;
  alert_id: string | null;
  notice_kind: AlertNoticeKind;
  severity: AlertSeverity;
  attempt: number;
  outcome: AttemptOutcome;
  http_status: number | null;
  smtp_response: string | null;
  error: string | null;
  duration_ms: number;
  attempted_at: Date;
}

export type NewNotificationAttempt = Omit<NotificationAttemptRow, 'id'>;

// Written after the try ends (its outcome is known then). The (delivery, attempt) key makes a repeated write a no-op.
const INSERT = `
  INSERT INTO tds.notification_attempts
    (delivery_id, channel, target, alert_id, notice_kind, severity, attempt, outcome, http_status, smtp_response, error, duration_ms, attempted_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  ON CONFLICT (delivery_id, attempt) DO NOTHING`;

// Newest first; with an alert id, the partial index (alert_id, attempted_at) serves it, else the attempted_at index.
const RECENT = `
  SELECT id::text AS id, delivery_id::text AS delivery_id, channel, target, alert_id, notice_kind, severity, attempt, outcome,
         http_status, smtp_response, error, duration_ms, attempted_at
  FROM tds.notification_attempts ORDER BY attempted_at DESC, id DESC LIMIT $1`;

const RECENT_FOR_ALERT = `
  SELECT id::text AS id, delivery_id::text AS delivery_id, channel, target, alert_id, notice_kind, severity, attempt, outcome,
         http_status, smtp_response, error, duration_ms, attempted_at
  FROM tds.notification_attempts WHERE alert_id = $2 ORDER BY attempted_at DESC, id DESC LIMIT $1`;

@Injectable()
export class NotificationAttemptRepository {
  constructor(private readonly db: DatabaseService) {}

  async record(a: NewNotificationAttempt): Promise<void> {
    await this.db.execute(INSERT, [
      a.delivery_id,
      a.channel,
      a.target,
      a.alert_id,
      a.notice_kind,
      a.severity,
      a.attempt,
      a.outcome,
      a.http_status,
      a.smtp_response?.slice(0, 1000) ?? null,
      a.error?.slice(0, 2000) ?? null,
      a.duration_ms,
      a.attempted_at,
    ]);
  }

  /** The latest attempts, newest first: of one alert, or on every channel. */
  recent(limit: number, alertId?: string): Promise<NotificationAttemptRow[]> {
    return alertId === undefined
      ? this.db.query<NotificationAttemptRow>(RECENT, [limit])
      : this.db.query<NotificationAttemptRow>(RECENT_FOR_ALERT, [limit, alertId]);
  }
}
