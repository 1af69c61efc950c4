import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { PageLimit } from '../../../common/validation/page-limit.decorator';
import type { NotificationAttemptRow } from '../notification-attempt.repository';

export class ListNotificationAttemptsQueryDto {
  @ApiPropertyOptional({ description: 'Only the attempts for this alert (tds.alerts.id)', example: '42' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'alertId must be an alert id (digits)' })
  alertId?: string;

  @ApiPropertyOptional({ description: 'At most this many attempts, newest first (1-500)', example: 50, default: 50 })
  @PageLimit(500)
  @IsOptional()
  limit?: number;
}

export class NotificationAttemptDto {
  @ApiProperty({ example: '5b0a2f47-0d5c-4f51-9a47-5a6c2b2f1e0e', description: 'Groups the attempts of one delivery' })
  deliveryId: string;
  @ApiProperty({ enum: ['email', 'slack', 'webhook'], example: 'webhook' })
  channel: string;
  @ApiProperty({ example: 'https://ops.example.com/hooks/tds?***', description: 'The target, without secrets' })
  target: string;
  @ApiProperty({ nullable: true, example: '42', description: 'null for a test message' })
  alertId: string | null;
  @ApiProperty({ enum: ['opened', 'severity_changed', 'reminder', 'resolved', 'test'], example: 'opened' })
  kind: string;
  @ApiProperty({ enum: ['info', 'warning', 'critical'], example: 'critical' })
  severity: string;
  @ApiProperty({ example: 2 })
  attempt: number;
  @ApiProperty({
    enum: ['delivered', 'retry', 'failed', 'abandoned'],
    example: 'retry',
    description: 'retry = failed, another try was scheduled; failed = given up; abandoned = a retry dropped by a stop',
  })
  outcome: string;
  @ApiProperty({ nullable: true, example: 503 })
  httpStatus: number | null;
  @ApiProperty({ nullable: true, example: null })
  smtpResponse: string | null;
  @ApiProperty({ nullable: true, example: 'HTTP 503: busy' })
  error: string | null;
  @ApiProperty({ example: 87 })
  durationMs: number;
  @ApiProperty({ example: '2026-12-01T05:54:00.000Z' })
  attemptedAt: Date;
}

export function toNotificationAttempt(r: NotificationAttemptRow): NotificationAttemptDto {
  return {
    deliveryId: r.delivery_id,
    channel: r.channel,
    target: r.target,
    alertId: r.alert_id,
    kind: r.notice_kind,
    severity: r.severity,
    attempt: r.attempt,
    outcome: r.outcome,
    httpStatus: r.http_status,
    smtpResponse: r.smtp_response,
    error: r.error,
    durationMs: r.duration_ms,
    attemptedAt: r.attempted_at,
  };
}
