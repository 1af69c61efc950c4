import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { PageLimit } from '../../../common/validation/page-limit.decorator';
import type { BackupRunRow } from '../backup-run.repository';
import type { BackupStatus } from '../backups.service';

export class ListBackupsQueryDto {
  @ApiPropertyOptional({ description: 'How many runs, newest first', example: 50, minimum: 1, maximum: 500, default: 50 })
  @PageLimit(500)
  @IsOptional()
  limit?: number;
}

const COUNTS_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  example: { 'tds.events': 1204, 'erp.invoices': 311 },
} as const;

export class BackupRunDto {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({
    enum: ['schedule', 'manual', 'verify'],
    description: 'In-app schedule, npm run backup / cron script, or backup:verify of a file',
  })
  trigger: string;
  @ApiProperty({ nullable: true, description: 'The scheduled time this run is for (schedule runs)' }) scheduledAt: Date | null;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) status: string;
  @ApiProperty({ nullable: true, example: '/srv/tds/data/backups/tds_backup_20261201_020000_013.dump' }) file: string | null;
  @ApiProperty({ nullable: true, example: 1843221, description: 'Archive size in bytes' }) sizeBytes: number | null;
  @ApiProperty() startedAt: Date;
  @ApiProperty({ nullable: true }) finishedAt: Date | null;
  @ApiProperty({ nullable: true, example: 5230 }) durationMs: number | null;
  @ApiProperty({ nullable: true, enum: ['archive', 'full'], description: 'archive: reads back whole; full: also restored and counted' })
  verifyMode: string | null;
  @ApiProperty() verified: boolean;
  @ApiProperty({ nullable: true }) verifiedAt: Date | null;
  @ApiProperty({ nullable: true, description: 'Rows per tds/erp table inside the snapshot pg_dump read', ...COUNTS_SCHEMA })
  rowCounts: Record<string, number> | null;
  @ApiProperty({ nullable: true, description: 'Rows per table in the restored scratch copy (full verification)', ...COUNTS_SCHEMA })
  restoredCounts: Record<string, number> | null;
  @ApiProperty({ nullable: true, example: 'pg_dump (PostgreSQL) 15.10' }) toolVersion: string | null;
  @ApiProperty({ nullable: true, example: '15.10' }) serverVersion: string | null;
  @ApiProperty({ nullable: true }) error: string | null;
  @ApiProperty({ nullable: true, description: 'When retention removed the file' }) removedAt: Date | null;
}

export class BackupStatusDto {
  @ApiProperty({ description: 'BACKUP_ENABLED' }) enabled: boolean;
  @ApiProperty({ nullable: true }) lastVerifiedAt: Date | null;
  @ApiProperty({ nullable: true }) lastVerifiedFile: string | null;
  @ApiProperty({ nullable: true, description: 'The error of the newest run, when it failed' }) lastError: string | null;
  @ApiProperty({ nullable: true }) lastFailureAt: Date | null;
  @ApiProperty({ description: 'The newest run (backup or verification) failed' }) lastRunFailed: boolean;
  @ApiProperty({ description: 'Enabled, and no verified backup within maxVerifiedAgeHours' }) verifiedBackupOverdue: boolean;
  @ApiProperty({ example: 26 }) maxVerifiedAgeHours: number;
}

export class BackupListDto {
  @ApiProperty({ type: BackupStatusDto }) status: BackupStatusDto;
  @ApiProperty({ type: [BackupRunDto], description: 'Newest first' }) runs: BackupRunDto[];
}

export function toBackupRun(r: BackupRunRow): BackupRunDto {
  return {
    id: r.id,
    trigger: r.trigger,
    scheduledAt: r.scheduled_at,
    status: r.status,
    file: r.file,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    verifyMode: r.verify_mode,
    verified: r.verified,
    verifiedAt: r.verified_at,
    rowCounts: r.row_counts,
    restoredCounts: r.restored_counts,
    toolVersion: r.tool_version,
    serverVersion: r.server_version,
    error: r.error,
    removedAt: r.removed_at,
  };
}

export function toBackupStatus(s: BackupStatus): BackupStatusDto {
  return {
    enabled: s.enabled,
    lastVerifiedAt: s.lastVerifiedAt,
    lastVerifiedFile: s.lastVerifiedFile,
    lastError: s.lastError,
    lastFailureAt: s.lastFailureAt,
    lastRunFailed: s.lastRunFailed,
    verifiedBackupOverdue: s.verifiedBackupOverdue,
    maxVerifiedAgeHours: s.maxVerifiedAgeHours,
  };
}
