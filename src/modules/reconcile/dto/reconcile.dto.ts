import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsISO8601, IsOptional } from 'class-validator';
import { SyncEntityType } from '../../sync/sync.types';
import type { ReconcilePassRow } from '../reconcile.repository';
import type { PassSummary } from '../reconcile.service';

export class ReconcileRequestDto {
  @ApiPropertyOptional({ enum: SyncEntityType, description: 'One entity type; all of them when absent', example: 'invoice' })
  @IsOptional()
  @IsEnum(SyncEntityType)
  entityType?: SyncEntityType;

  @ApiPropertyOptional({
    description: 'A one-off window start (ISO 8601): records modified since then; the watermark and a stored cursor are left as they are',
    example: '2026-11-30T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({
    description:
      'Answer what would be enqueued (counts, a sample of ids) and change nothing (list requests still count against the budget)',
  })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class ReconcilePassDto {
  @ApiProperty({ example: '42' }) passId: string;
  @ApiProperty({ enum: SyncEntityType }) entityType: string;
  @ApiProperty({ enum: ['completed', 'incomplete', 'failed'] }) status: string;
  @ApiProperty({
    nullable: true,
    enum: ['budget_day', 'budget_run', 'aborted'],
    description: 'Why an incomplete pass stopped (it resumes next time)',
  })
  stopReason: string | null;
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ description: 'No complete pass of this type existed before it (the first run over an empty ERP)' }) backfill: boolean;
  @ApiProperty({ description: 'Continued from the cursor an earlier, unfinished pass stored' }) resumed: boolean;
  @ApiProperty({ nullable: true, description: 'Window start (watermark minus overlap); null = full listing' }) windowSince: Date | null;
  @ApiProperty({ nullable: true, description: 'Newest last_modified_time listed' }) windowUntil: Date | null;
  @ApiProperty({ example: 2 }) pages: number;
  @ApiProperty({ example: 5, description: 'Zoho API requests this pass made (token requests excluded)' }) requests: number;
  @ApiProperty({ example: 240 }) listed: number;
  @ApiProperty({ example: 3, description: 'Listed records the ERP lacked or held older, not already queued' }) missing: number;
  @ApiProperty({ example: 3 }) enqueued: number;
  @ApiProperty({ example: 0, description: 'Records whose event was already queued (webhook or an earlier pass)' }) duplicates: number;
  @ApiProperty({ type: [String], example: ['460000000026049'], description: 'Up to 20 ids of missing records' }) sampleIds: string[];
  @ApiProperty({ nullable: true }) error: string | null;
}

export class ReconcileResultDto {
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ type: [ReconcilePassDto] }) passes: ReconcilePassDto[];
}

export class LastPassDto extends ReconcilePassDto {
  @ApiProperty({ enum: ['schedule', 'manual'] }) trigger: string;
  @ApiProperty({ nullable: true, description: 'The admin key (name) that started a manual pass' }) adminKeyName: string | null;
  @ApiProperty({ description: 'A complete pass of this type existed before it (the missed-records alert counts only these)' })
  afterFirstComplete: boolean;
  @ApiProperty() startedAt: Date;
  @ApiProperty({ nullable: true }) finishedAt: Date | null;
  @ApiProperty({ nullable: true }) durationMs: number | null;
}

export class BudgetWindowDto {
  @ApiProperty({ example: 12 }) used: number;
  @ApiProperty({ example: 60 }) limit: number;
}

export class BudgetDto {
  @ApiProperty({ type: BudgetWindowDto, description: 'This minute (shared by every process)' }) minute: BudgetWindowDto;
  @ApiProperty({ type: BudgetWindowDto, description: 'This UTC day (shared by every process)' }) day: BudgetWindowDto;
}

export class ResumeCursorDto {
  @ApiProperty({ nullable: true }) since: Date | null;
  @ApiProperty({ example: 3 }) page: number;
}

export class EntitySyncStatusDto {
  @ApiProperty({ enum: SyncEntityType }) entityType: string;
  @ApiProperty({ nullable: true, description: 'Newest last_modified_time seen by a complete pass' }) watermark: Date | null;
  @ApiProperty({ nullable: true }) firstCompleteAt: Date | null;
  @ApiProperty({ type: ResumeCursorDto, nullable: true, description: 'Where the next pass continues an unfinished one' })
  resumeFrom: ResumeCursorDto | null;
  @ApiProperty({ type: LastPassDto, nullable: true }) lastPass: LastPassDto | null;
}

export class SyncStatusDto {
  @ApiProperty({ description: 'Reconciliation is configured (ZOHO_CLIENT_ID, …)' }) enabled: boolean;
  @ApiProperty({ example: '0 * * * *' }) cron: string;
  @ApiProperty({ type: BudgetDto }) budget: BudgetDto;
  @ApiProperty({ type: [EntitySyncStatusDto] }) entities: EntitySyncStatusDto[];
}

export function toReconcilePass(p: PassSummary): ReconcilePassDto {
  return {
    passId: p.passId,
    entityType: p.entityType,
    status: p.status,
    stopReason: p.stopReason,
    dryRun: p.dryRun,
    backfill: p.backfill,
    resumed: p.resumed,
    windowSince: p.windowSince,
    windowUntil: p.windowUntil,
    pages: p.pages,
    requests: p.requests,
    listed: p.listed,
    missing: p.missing,
    enqueued: p.enqueued,
    duplicates: p.duplicates,
    sampleIds: p.sampleIds,
    error: p.error,
  };
}

export function toLastPass(r: ReconcilePassRow): LastPassDto {
  return {
    passId: r.id,
    entityType: r.entity_type,
    status: r.status,
    stopReason: r.stop_reason,
    dryRun: r.dry_run,
    backfill: r.backfill,
    resumed: r.resumed,
    windowSince: r.window_since,
    windowUntil: r.window_until,
    pages: r.pages,
    requests: r.requests,
    listed: r.listed,
    missing: r.missing,
    enqueued: r.enqueued,
    duplicates: r.duplicates,
    sampleIds: r.sample_ids,
    error: r.error,
    trigger: r.trigger,
    adminKeyName: r.admin_key_name,
    afterFirstComplete: r.after_first_complete,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
  };
}
