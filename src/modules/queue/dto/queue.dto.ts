import type { EventAttemptRow, EventDetailRow } from '../event.repository';
import { ApiProperty } from '@nestjs/swagger';

export class StatusCountDto {
  @ApiProperty({ example: 12 }) count: number;
  @ApiProperty({ type: Number, example: 35, nullable: true, description: 'Age in seconds of the oldest event in this status' })
  oldestAgeSeconds: number | null;
}

export class QueueStatsDto {
  @ApiProperty({ type: StatusCountDto }) pending: StatusCountDto;
  @ApiProperty({
    type: StatusCountDto,
    description:
      'Being applied right now: locked by an open batch transaction of a worker (derived from PostgreSQL, not stored); the age is how long that transaction has run',
  })
  processing: StatusCountDto;
  @ApiProperty({ type: StatusCountDto }) failed: StatusCountDto;
  @ApiProperty({ type: StatusCountDto }) deadLetter: StatusCountDto;
}

export class EventAttemptDto {
  @ApiProperty({ example: 1 }) attempt: number;
  @ApiProperty({ example: 'host:1234:ab12cd' }) workerId: string;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) finishedAt: Date;
  @ApiProperty({ example: 4 }) durationMs: number;
  @ApiProperty({ enum: ['applied', 'skipped_stale', 'retry', 'dead_letter'] }) outcome: string;
  @ApiProperty({ type: String, nullable: true, example: 'invoice.total: "not-a-number" is not a number' }) error: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'INVALID_PAYLOAD' }) errorCode: string | null;
}

export class QueueEventDto {
  @ApiProperty({ example: '1842' }) id: string;
  @ApiProperty({ example: 'invoice' }) entityType: string;
  @ApiProperty({ example: 'invoice' }) recordType: string;
  @ApiProperty({ example: '460000000026049' }) entityId: string;
  @ApiProperty({ enum: ['created', 'updated', 'deleted'] }) eventKind: string;
  @ApiProperty({ type: String, nullable: true, example: '10234695' }) organizationId: string | null;
  @ApiProperty({ enum: ['pending', 'processing', 'completed', 'failed', 'dead_letter'] }) status: string;
  @ApiProperty({ type: String, nullable: true, enum: ['applied', 'skipped_stale'] }) outcome: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'What an applied event did not do, and why',
    example:
      'item 460000000017080 at location 460000000038080: delta 5 not applied, the stock snapshot of 2026-11-28T07:00:01.000000Z already counts it',
  })
  outcomeDetail: string | null;
  @ApiProperty({ example: 1, description: 'Tries so far, manual retries included (attempt numbers never restart)' }) attempts: number;
  @ApiProperty({ type: String, nullable: true, example: 'invoice.total: "not-a-number" is not a number' }) lastError: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'INVALID_PAYLOAD' }) lastErrorCode: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: Date | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'tds-core:worker:4242',
    description: 'While processing: the worker process (application_name) applying it',
  })
  processingBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'While processing: when its batch transaction began' })
  processingSince: Date | null;
  @ApiProperty({ type: [EventAttemptDto] }) attemptLog: EventAttemptDto[];
}

export class RetryAcceptedDto {
  @ApiProperty({ example: '1842' }) eventId: string;
  @ApiProperty({ enum: ['pending'], example: 'pending' }) status: 'pending';
}

/** The event row and its attempt rows → the API's shape. */
export function toQueueEvent(e: EventDetailRow & { attemptLog: EventAttemptRow[] }): QueueEventDto {
  return {
    id: e.id,
    entityType: e.entity_type,
    recordType: e.record_type,
    entityId: e.entity_id,
    eventKind: e.event_kind,
    organizationId: e.organization_id ?? null,
    status: e.status,
    outcome: e.outcome ?? null,
    outcomeDetail: e.outcome_detail ?? null,
    attempts: e.attempts,
    lastError: e.last_error ?? null,
    lastErrorCode: e.last_error_code ?? null,
    receivedAt: e.received_at,
    completedAt: e.completed_at ?? null,
    processingBy: e.processing_by ?? null,
    processingSince: e.processing_since ?? null,
    attemptLog: e.attemptLog.map((a) => ({
      attempt: a.attempt,
      workerId: a.worker_id,
      startedAt: a.started_at,
      finishedAt: a.finished_at,
      durationMs: a.duration_ms,
      outcome: a.outcome,
      error: a.error ?? null,
      errorCode: a.error_code ?? null,
    })),
  };
}
