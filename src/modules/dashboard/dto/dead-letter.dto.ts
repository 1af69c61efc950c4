import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { PageLimit } from '../../../common/validation/page-limit.decorator';
import type { BulkRetryResult, ErrorGroupRow } from '../../queue/event-browser.service';
import { EventFilterFieldsDto, PageQueryDto } from './event-list.dto';

export const MAX_BULK_RETRY = 1000;
const FINGERPRINT = /^[0-9a-f]{12}$/;

export class DeadLetterQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['error'], description: 'error: one row per error fingerprint (counts, first/last seen) instead of events' })
  @IsOptional()
  @IsIn(['error'])
  groupBy?: 'error';

  @ApiPropertyOptional({ example: '3f2a9c1b7d4e', description: 'Only dead letters of this error fingerprint (from groupBy=error)' })
  @IsOptional()
  @Matches(FINGERPRINT, { message: 'fingerprint must be 12 lower-case hex digits (from groupBy=error)' })
  fingerprint?: string;
}

export class ErrorGroupDto {
  @ApiProperty({ example: '3f2a9c1b7d4e', description: 'Stable id of the normalised message' }) fingerprint: string;
  @ApiProperty({
    example: 'invoice.total: "…" is not a number (gave up after # attempts)',
    description: 'The message with ids, numbers, UUIDs and quoted values replaced',
  })
  pattern: string;
  @ApiProperty({ example: 17 }) count: number;
  @ApiProperty({ type: [String], example: ['invoice'] }) entityTypes: string[];
  @ApiProperty({ type: [String], example: ['INVALID_PAYLOAD'] }) errorCodes: string[];
  @ApiProperty({ type: String, format: 'date-time', description: 'Earliest dead-lettering of the group' }) firstSeen: Date;
  @ApiProperty({ type: String, format: 'date-time', description: 'Latest dead-lettering of the group' }) lastSeen: Date;
  @ApiProperty({ example: '1842' }) latestEventId: string;
}

export class ErrorGroupsDto {
  @ApiProperty({ type: [ErrorGroupDto] }) groups: ErrorGroupDto[];
}

export function toErrorGroup(g: ErrorGroupRow): ErrorGroupDto {
  return {
    fingerprint: g.fingerprint,
    pattern: g.pattern,
    count: g.count,
    entityTypes: g.entity_types,
    errorCodes: g.error_codes,
    firstSeen: g.first_seen,
    lastSeen: g.last_seen,
    latestEventId: g.latest_event_id,
  };
}

export class BulkRetryDto extends EventFilterFieldsDto {
  @ApiPropertyOptional({ example: '3f2a9c1b7d4e', description: 'Only dead letters of this error fingerprint' })
  @IsOptional()
  @Matches(FINGERPRINT, { message: 'fingerprint must be 12 lower-case hex digits (from groupBy=error)' })
  fingerprint?: string;

  @ApiProperty({ example: true, description: 'true: answer what would be retried and change nothing' })
  @IsBoolean()
  dryRun: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_BULK_RETRY, default: MAX_BULK_RETRY, description: 'At most this many (oldest first)' })
  @IsOptional()
  @PageLimit(MAX_BULK_RETRY)
  limit?: number;
}

export class BulkRetryResultDto {
  @ApiProperty({ example: true }) dryRun: boolean;
  @ApiProperty({
    example: 17,
    description: 'Dead letters matching the filter (all of them; any whose payload retention pruned are counted but never retried)',
  })
  matched: number;
  @ApiProperty({ example: 17, description: 'How many were (dryRun: would be) retried: at most limit' }) retried: number;
  @ApiProperty({ type: [String], example: ['1801', '1842'], description: 'Their ids, oldest first' }) eventIds: string[];
}

export const toBulkRetryResult = (r: BulkRetryResult): BulkRetryResultDto => ({
  dryRun: r.dryRun,
  matched: r.matched,
  retried: r.eventIds.length,
  eventIds: r.eventIds,
});
