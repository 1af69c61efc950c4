import { ApiProperty } from '@nestjs/swagger';

export class StatusCountDto {
  @ApiProperty({ example: 12 }) count: number;
  @ApiProperty({ example: 35, nullable: true, description: 'Age in seconds of the oldest event in this status' })
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
  @ApiProperty() startedAt: Date;
  @ApiProperty() finishedAt: Date;
  @ApiProperty({ example: 4 }) durationMs: number;
  @ApiProperty({ enum: ['applied', 'skipped_stale', 'retry', 'dead_letter'] }) outcome: string;
  @ApiProperty({ nullable: true }) error: string | null;
  @ApiProperty({ nullable: true }) errorCode: string | null;
}

export class QueueEventDto {
  @ApiProperty({ example: '1842' }) id: string;
  @ApiProperty({ example: 'invoice' }) entityType: string;
  @ApiProperty({ example: 'invoice' }) recordType: string;
  @ApiProperty({ example: '460000000026049' }) entityId: string;
  @ApiProperty({ enum: ['created', 'updated', 'deleted'] }) eventKind: string;
  @ApiProperty({ nullable: true }) organizationId: string | null;
  @ApiProperty({ enum: ['pending', 'processing', 'completed', 'failed', 'dead_letter'] }) status: string;
  @ApiProperty({ nullable: true, enum: ['applied', 'skipped_stale'] }) outcome: string | null;
  @ApiProperty({
    nullable: true,
    description: 'What an applied event did not do, and why',
    example: 'item 460000000017080 at location 460000000038080: delta 5 not applied, the stock snapshot of 2026-11-28T07:00:01.000000Z already counts it',
  })
  outcomeDetail: string | null;
  @ApiProperty({ description: 'Tries so far, manual retries included (attempt numbers never restart)' }) attempts: number;
  @ApiProperty({ nullable: true }) lastError: string | null;
  @ApiProperty({ nullable: true }) lastErrorCode: string | null;
  @ApiProperty() receivedAt: Date;
  @ApiProperty({ nullable: true }) completedAt: Date | null;
  @ApiProperty({ nullable: true, example: 'tds-core:worker:4242', description: 'While processing: the worker process (application_name) applying it' })
  processingBy: string | null;
  @ApiProperty({ nullable: true, description: 'While processing: when its batch transaction began' })
  processingSince: Date | null;
  @ApiProperty({ type: [EventAttemptDto] }) attemptLog: EventAttemptDto[];
}

export class RetryAcceptedDto {
  @ApiProperty({ example: '1842' }) eventId: string;
  @ApiProperty({ example: 'pending' }) status: 'pending';
}

type Raw = Record<string, unknown>;
export function toQueueEvent(e: Raw & { attemptLog: Raw[] }): QueueEventDto {
  return {
    id: e.id as string,
    entityType: e.entity_type as string,
    recordType: e.record_type as string,
    entityId: e.entity_id as string,
    eventKind: e.event_kind as string,
    organizationId: (e.organization_id as string) ?? null,
    status: e.status as string,
    outcome: (e.outcome as string) ?? null,
    outcomeDetail: (e.outcome_detail as string) ?? null,
    attempts: e.attempts as number,
    lastError: (e.last_error as string) ?? null,
    lastErrorCode: (e.last_error_code as string) ?? null,
    receivedAt: e.received_at as Date,
    completedAt: (e.completed_at as Date) ?? null,
    processingBy: (e.processing_by as string) ?? null,
    processingSince: (e.processing_since as Date) ?? null,
    attemptLog: e.attemptLog.map((a) => ({
      attempt: a.attempt as number,
      workerId: a.worker_id as string,
      startedAt: a.started_at as Date,
      finishedAt: a.finished_at as Date,
      durationMs: a.duration_ms as number,
      outcome: a.outcome as string,
      error: (a.error as string) ?? null,
      errorCode: (a.error_code as string) ?? null,
    })),
  };
}
