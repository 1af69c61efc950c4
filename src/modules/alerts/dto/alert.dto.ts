import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { NoNul } from '../../../common/validation/no-nul.decorator';
import { PageLimit } from '../../../common/validation/page-limit.decorator';
import type { AlertRow, AlertStatus } from '../alert.repository';

export const ALERT_STATUSES: AlertStatus[] = ['open', 'acknowledged', 'resolved'];

export class ListAlertsQueryDto {
  @ApiPropertyOptional({ enum: ALERT_STATUSES, description: 'Only alerts in this status (default: every status)', example: 'open' })
  @IsIn(ALERT_STATUSES, { message: `status must be one of: ${ALERT_STATUSES.join(', ')}` })
  @IsOptional()
  status?: AlertStatus;

  @ApiPropertyOptional({ description: 'At most this many alerts, newest first (1–500, default 100)', example: 50 })
  @PageLimit(500)
  @IsOptional()
  limit?: number;
}

export class AcknowledgeAlertDto {
  @ApiPropertyOptional({ description: 'Why, or what is being done about it (kept with the alert)', example: 'Restarting worker 2' })
  @IsString({ message: 'note must be a string' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  @NoNul()
  @IsOptional()
  note?: string;
}

export class AlertDto {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({ example: 'queue_backlog', description: 'The rule that raised it' }) rule: string;
  @ApiProperty({ example: 'Pending queue above 1000 events' }) title: string;
  @ApiProperty({ enum: ['info', 'warning', 'critical'], example: 'critical' }) severity: string;
  @ApiProperty({ enum: ALERT_STATUSES, example: 'open' }) status: string;
  @ApiProperty({ nullable: true, example: 1250, description: 'The latest value the rule measured' }) value: number | null;
  @ApiProperty({ nullable: true, example: 1000, description: 'The level crossed at the current severity' }) threshold: number | null;
  @ApiProperty({ nullable: true, example: 'events' }) unit: string | null;
  @ApiProperty({ example: 'Pending queue is 1250 events (above 1000 events)' }) summary: string;
  @ApiProperty({ example: 'Check that workers are running and keeping up …', description: 'What to do (the runbook entry)' })
  action: string;
  @ApiProperty({ example: 3, description: 'Monitoring runs that saw the condition' }) occurrences: number;
  @ApiProperty({ example: '2026-12-01T06:00:00.000Z' }) openedAt: Date;
  @ApiProperty({ example: '2026-12-01T06:10:00.000Z' }) lastSeenAt: Date;
  @ApiProperty({ example: '2026-12-01T06:00:00.000Z' }) lastNotifiedAt: Date;
  @ApiProperty({ nullable: true, example: null }) acknowledgedAt: Date | null;
  @ApiProperty({ nullable: true, example: null, description: 'The admin key name that acknowledged it' }) acknowledgedBy: string | null;
  @ApiProperty({ nullable: true, example: null }) acknowledgeNote: string | null;
  @ApiProperty({ nullable: true, example: null }) resolvedAt: Date | null;
}

export class AlertListDto {
  @ApiProperty({ type: [AlertDto] }) alerts: AlertDto[];
}

/** The alert row → the API's shape (`action`: the rule's runbook text). */
export function toAlertDto(a: AlertRow, action: string): AlertDto {
  return {
    id: a.id,
    rule: a.rule,
    title: a.title,
    severity: a.severity,
    status: a.status,
    value: a.value,
    threshold: a.threshold,
    unit: a.unit,
    summary: a.summary,
    action,
    occurrences: a.occurrences,
    openedAt: a.opened_at,
    lastSeenAt: a.last_seen_at,
    lastNotifiedAt: a.last_notified_at,
    acknowledgedAt: a.acknowledged_at,
    acknowledgedBy: a.acknowledged_by,
    acknowledgeNote: a.acknowledge_note,
    resolvedAt: a.resolved_at,
  };
}
