import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NoNul } from '../../../common/validation/no-nul.decorator';
import { NotBefore } from '../../../common/validation/not-before.decorator';
import { PageLimit } from '../../../common/validation/page-limit.decorator';
import type { AuditEntryRow } from '../../audit/audit.service';
import { MAX_PAGE } from './event-list.dto';

export class AuditQueryDto {
  @ApiPropertyOptional({ example: 'event.replay', description: 'Action name' })
  @IsOptional()
  @Matches(/^[a-z0-9.-]{1,64}$/, { message: 'action must be an action name such as event.replay' })
  action?: string;

  @ApiPropertyOptional({ example: 'ops', description: 'Name of the admin key (ADMIN_API_KEYS name:key)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @NoNul()
  keyName?: string;

  @ApiPropertyOptional({ example: '1842', description: 'What the action acted on' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @NoNul()
  target?: string;

  @ApiPropertyOptional({ enum: ['succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['succeeded', 'failed'])
  result?: 'succeeded' | 'failed';

  @ApiPropertyOptional({ example: '2026-11-28T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-29T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  @NotBefore('from')
  to?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (opaque)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 50 })
  @IsOptional()
  @PageLimit(MAX_PAGE)
  limit?: number;
}

export class AuditEntryDto {
  @ApiProperty({ example: '57' }) id: string;
  @ApiProperty({ type: String, format: 'date-time' }) at: Date;
  @ApiProperty({ example: 'ops', description: 'The admin key name; never the key' }) keyName: string;
  @ApiProperty({ example: 'event.replay' }) action: string;
  @ApiProperty({ type: String, nullable: true, example: '1842' }) target: string | null;
  @ApiProperty({ type: String, nullable: true, example: '10.0.0.5' }) clientIp: string | null;
  @ApiProperty({ example: 202 }) statusCode: number;
  @ApiProperty({ enum: ['succeeded', 'failed'] }) result: string;
  @ApiProperty({ type: String, nullable: true, example: 'replayed as event 2051' }) detail: string | null;
  @ApiProperty({ type: String, nullable: true }) requestId: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next (older) page; null on the last page' })
  nextCursor: string | null;
}

export const toAuditEntry = (a: AuditEntryRow): AuditEntryDto => ({
  id: a.id,
  at: a.at,
  keyName: a.key_name,
  action: a.action,
  target: a.target,
  clientIp: a.client_ip,
  statusCode: a.status_code,
  result: a.result,
  detail: a.detail,
  requestId: a.request_id,
});
