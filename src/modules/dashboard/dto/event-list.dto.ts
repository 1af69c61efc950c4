import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NoNul } from '../../../common/validation/no-nul.decorator';
import { NotBefore } from '../../../common/validation/not-before.decorator';
import { PageLimit } from '../../../common/validation/page-limit.decorator';
import type { EventFilter, EventSummaryRow } from '../../queue/event-browser.service';
import { SyncEntityType } from '../../sync/sync.types';

export const ENTITY_TYPES = Object.values(SyncEntityType);
export const STORED_STATUSES = ['pending', 'completed', 'failed', 'dead_letter'] as const;
export const EVENT_STATUSES = ['pending', 'processing', 'completed', 'failed', 'dead_letter'] as const;
export const MAX_PAGE = 200;

/** Filters shared by the event lists and the bulk retry. */
export class EventFilterFieldsDto {
  @ApiPropertyOptional({ enum: ENTITY_TYPES, example: 'invoice', description: 'The webhook route the event came in on' })
  @IsOptional()
  @IsIn(ENTITY_TYPES)
  entityType?: SyncEntityType;

  @ApiPropertyOptional({ example: '460000000026049', description: 'The Zoho id of the record' })
  @IsOptional()
  @Matches(/^\d{1,100}$/, { message: 'entityId must be a Zoho id (digits)' })
  entityId?: string;

  @ApiPropertyOptional({ example: '2026-11-28T00:00:00Z', description: 'Received at or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-29T00:00:00Z', description: 'Received before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  @NotBefore('from')
  to?: string;

  @ApiPropertyOptional({ example: 'invoice.total', description: "Text in the event's last error (case-insensitive)" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @NoNul()
  q?: string;
}

export class PageQueryDto extends EventFilterFieldsDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (opaque)', example: 'ZToxODQy' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 50 })
  @IsOptional()
  @PageLimit(MAX_PAGE)
  limit?: number;
}

export class ListEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STORED_STATUSES, example: 'dead_letter' })
  @IsOptional()
  @IsIn(STORED_STATUSES)
  status?: (typeof STORED_STATUSES)[number];
}

export class EventSummaryDto {
  @ApiProperty({ example: '1842' }) id: string;
  @ApiProperty({ enum: ENTITY_TYPES, example: 'invoice' }) entityType: string;
  @ApiProperty({ example: 'invoice', description: 'The body key the record came under' }) recordType: string;
  @ApiProperty({ example: '460000000026049' }) entityId: string;
  @ApiProperty({ enum: ['created', 'updated', 'deleted'] }) eventKind: string;
  @ApiProperty({ enum: EVENT_STATUSES }) status: string;
  @ApiProperty({ type: String, nullable: true, enum: ['applied', 'skipped_stale'] }) outcome: string | null;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiProperty({ type: String, nullable: true, example: 'invoice.total: "not-a-number" is not a number' }) lastError: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'INVALID_PAYLOAD' }) lastErrorCode: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: "Zoho's last_modified_time" })
  zohoModifiedAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt: Date;
  @ApiProperty({ type: String, format: 'date-time', description: 'Last status change' }) updatedAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: Date | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'For a replay: the event it copies' })
  replayOf: string | null;
}

export class EventPageDto {
  @ApiProperty({ type: [EventSummaryDto] }) items: EventSummaryDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'ZToxODAw',
    description: 'Pass as ?cursor= for the next (older) page; null on the last page',
  })
  nextCursor: string | null;
}

export function toEventSummary(e: EventSummaryRow): EventSummaryDto {
  return {
    id: e.id,
    entityType: e.entity_type,
    recordType: e.record_type,
    entityId: e.entity_id,
    eventKind: e.event_kind,
    status: e.status,
    outcome: e.outcome,
    attempts: e.attempts,
    lastError: e.last_error,
    lastErrorCode: e.last_error_code,
    zohoModifiedAt: e.zoho_modified_at,
    receivedAt: e.received_at,
    updatedAt: e.updated_at,
    completedAt: e.completed_at,
    replayOf: e.replay_of,
  };
}

/** The filter fields of a query or body → the service's filter. */
export function filterOf(d: EventFilterFieldsDto & { status?: EventFilter['status']; fingerprint?: string }): EventFilter {
  return {
    status: d.status,
    entityType: d.entityType,
    entityId: d.entityId,
    from: d.from ? new Date(d.from) : undefined,
    to: d.to ? new Date(d.to) : undefined,
    q: d.q || undefined,
    fingerprint: d.fingerprint,
  };
}
