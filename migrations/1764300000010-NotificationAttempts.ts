import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every attempt to deliver an alert notice on a channel (src/modules/notifications): one row per try, written after
 * the try ends. `delivery_id` groups the tries of one (notice, channel, target) delivery. `target` is a label that
 * never holds a secret (no SMTP password, Slack URL path, webhook credentials or query). `alert_id` is tds.alerts.id
 * as text, without a foreign key: a test notice has none, and attempts stay readable after an alert is pruned.
 */
export class NotificationAttempts1764300000010 implements MigrationInterface {
  name = 'NotificationAttempts1764300000010';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tds.notification_attempts (
        id            bigserial PRIMARY KEY,
        delivery_id   uuid NOT NULL,
        channel       text NOT NULL CHECK (channel IN ('email', 'slack', 'webhook')),
        target        text NOT NULL,
        alert_id      text,
        notice_kind   text NOT NULL CHECK (notice_kind IN ('opened', 'severity_changed', 'reminder', 'resolved', 'test')),
        severity      text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        attempt       integer NOT NULL CHECK (attempt >= 1),
        -- delivered: the receiver accepted it; retry: failed, another try is scheduled; failed: failed and given up
        -- (last try, or a permanent refusal); abandoned: a retry that was due after shutdown, never tried
        outcome       text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'abandoned')),
        http_status   integer,
        smtp_response text,
        error         text,
        duration_ms   integer NOT NULL,
        attempted_at  timestamptz NOT NULL,
        CONSTRAINT notification_attempts_delivery_attempt_uq UNIQUE (delivery_id, attempt)
      )`);
    await q.query(
      `CREATE INDEX notification_attempts_alert_idx ON tds.notification_attempts (alert_id, attempted_at) WHERE alert_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX notification_attempts_attempted_at_idx ON tds.notification_attempts (attempted_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tds.notification_attempts`);
  }
}
