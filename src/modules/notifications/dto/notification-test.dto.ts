import { ApiProperty } from '@nestjs/swagger';
import type { AttemptReport } from '../notifications.service';

export class NotificationTestResultDto {
  @ApiProperty({ enum: ['email', 'slack', 'webhook'], example: 'slack' })
  channel: string;

  @ApiProperty({
    description: 'The target, without secrets (Slack path, URL credentials and query are masked)',
    example: 'https://hooks.slack.com/services/***',
  })
  target: string;

  @ApiProperty({ description: 'Whether the first attempt was accepted by the receiver', example: true })
  delivered: boolean;

  @ApiProperty({
    enum: ['delivered', 'retry', 'failed', 'pending'],
    description:
      'delivered; retry = the first attempt failed and the delivery goes on retrying in the background; failed = refused for good; pending = no answer in time',
    example: 'delivered',
  })
  outcome: string;

  @ApiProperty({ nullable: true, description: 'HTTP status of the receiver (Slack, webhooks)', example: 200 })
  httpStatus: number | null;

  @ApiProperty({ nullable: true, description: 'SMTP server reply (email)', example: '250 2.0.0 OK  1733030000 queued' })
  smtpResponse: string | null;

  @ApiProperty({ nullable: true, description: 'Why the attempt failed (no secrets)', example: null })
  error: string | null;

  @ApiProperty({ description: 'Duration of the attempt in milliseconds', example: 87 })
  durationMs: number;

  @ApiProperty({
    description: 'Groups the attempts of this delivery in tds.notification_attempts',
    example: '5b0a2f47-0d5c-4f51-9a47-5a6c2b2f1e0e',
  })
  deliveryId: string;
}

export class NotificationTestResponseDto {
  @ApiProperty({ example: '3 of 3 notification targets accepted the test message' })
  message: string;

  @ApiProperty({ description: 'True when every target accepted its first attempt', example: true })
  allDelivered: boolean;

  @ApiProperty({
    type: [NotificationTestResultDto],
    description: 'One entry per channel target (each generic webhook URL is its own target)',
  })
  results: NotificationTestResultDto[];
}

export function toNotificationTestResponse(reports: AttemptReport[]): NotificationTestResponseDto {
  const results = reports.map((r) => ({
    channel: r.channel,
    target: r.target,
    delivered: r.outcome === 'delivered',
    outcome: r.outcome,
    httpStatus: r.httpStatus,
    smtpResponse: r.smtpResponse,
    error: r.error,
    durationMs: r.durationMs,
    deliveryId: r.deliveryId,
  }));
  const ok = results.filter((r) => r.delivered).length;
  return {
    message: `${ok} of ${results.length} notification target${results.length === 1 ? '' : 's'} accepted the test message`,
    allDelivered: ok === results.length,
    results,
  };
}
