import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { QueueStatsDto } from '../../queue/dto/queue.dto';
import type { MonitoringSnapshot } from '../../monitoring/monitoring-snapshot';

export class QueueStatsQueryDto {
  @ApiProperty({ required: false, minimum: 1, maximum: 720, default: 24, description: 'Hours of monitoring snapshots in `series`' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(720)
  hours?: number;
}

export class SeriesPointDto {
  @ApiProperty({ type: String, format: 'date-time' }) takenAt: Date;
  @ApiProperty({ example: 12, description: 'Pending + failed awaiting a retry' }) pending: number;
  @ApiProperty({ example: 0 }) deadLetter: number;
  @ApiProperty({ type: Number, nullable: true, example: 4, description: 'Age of the oldest pending event (s)' }) oldestPendingAgeSeconds:
    number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.012, description: 'Failed attempts / attempts over the window (a fraction)' })
  failureRate: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 310.5, description: 'Events completed per minute over the window' })
  throughputPerMinute: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 180, description: 'Receive → apply latency p95 over the window (ms)' })
  latencyP95Ms: number | null;
  @ApiProperty({ example: 2 }) liveWorkers: number;
  @ApiProperty({ example: { info: 0, warning: 1, critical: 0 }, description: 'Open alerts by severity after that run' })
  openAlerts: Record<string, number>;
}

export class WindowFiguresDto {
  @ApiProperty({ example: 15 }) minutes: number;
  @ApiProperty({ example: 4620 }) attempts: number;
  @ApiProperty({ example: 3 }) failedAttempts: number;
  @ApiProperty({ type: Number, nullable: true, example: 0.00065 }) failureRate: number | null;
  @ApiProperty({ example: 308 }) throughputPerMinute: number;
  @ApiProperty({ type: Number, nullable: true, example: 95 }) latencyP50Ms: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 420 }) latencyP95Ms: number | null;
}

export class EntityFreshnessDto {
  @ApiProperty({ example: 'invoice' }) entityType: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastAppliedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) newestZohoModifiedAt: string | null;
}

export class DatabaseFiguresDto {
  @ApiProperty({ example: 14 }) connectionsUsed: number;
  @ApiProperty({ example: 100 }) connectionsMax: number;
  @ApiProperty({ example: 73400320 }) sizeBytes: number;
  @ApiProperty({ type: Number, nullable: true, example: 0.998 }) cacheHitRatio: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.4, description: 'Seconds the longest running query has run' })
  longestQuerySeconds: number | null;
}

export class DashboardMetricsDto {
  @ApiProperty({
    type: QueueStatsDto,
    description:
      'Live: unfinished events per status with the age of the oldest (one count shared by every caller for DASHBOARD_LIVE_CACHE_MS, 2 s by default)',
  })
  queue: QueueStatsDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the monitoring snapshot below was taken' })
  snapshotAt: Date | null;
  @ApiProperty({ type: Number, nullable: true, example: 42 }) snapshotAgeSeconds: number | null;
  @ApiProperty({ type: WindowFiguresDto, nullable: true, description: 'Throughput, failure rate and latency over the monitoring window' })
  window: WindowFiguresDto | null;
  @ApiProperty({ type: [EntityFreshnessDto] }) freshness: EntityFreshnessDto[];
  @ApiProperty({ example: { info: 0, warning: 1, critical: 0 } }) openAlerts: Record<string, number>;
  @ApiProperty({ type: Number, nullable: true, example: 2 }) liveWorkers: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0, description: 'Stuck events (unfinished too long while workers are alive)' })
  stuckEvents: number | null;
  @ApiProperty({ type: DatabaseFiguresDto, nullable: true }) database: DatabaseFiguresDto | null;
}

export function toDashboardMetrics(
  queue: QueueStatsDto,
  latest: { takenAt: Date; snapshot: MonitoringSnapshot } | undefined,
  now = Date.now(),
): DashboardMetricsDto {
  const s = latest?.snapshot;
  const w = s?.queue?.window;
  const db = s?.database;
  return {
    queue,
    snapshotAt: latest?.takenAt ?? null,
    snapshotAgeSeconds: latest ? Math.max(0, Math.round((now - latest.takenAt.getTime()) / 1000)) : null,
    window: w
      ? {
          minutes: w.minutes,
          attempts: w.attempts,
          failedAttempts: w.failedAttempts,
          failureRate: w.failureRate,
          throughputPerMinute: w.throughputPerMinute,
          latencyP50Ms: w.latencyMs?.p50 ?? null,
          latencyP95Ms: w.latencyMs?.p95 ?? null,
        }
      : null,
    freshness: Object.entries(s?.queue?.freshness ?? {})
      .map(([entityType, f]) => ({ entityType, lastAppliedAt: f.lastAppliedAt, newestZohoModifiedAt: f.newestZohoModifiedAt }))
      .sort((a, b) => a.entityType.localeCompare(b.entityType)),
    openAlerts: { info: 0, warning: 0, critical: 0, ...(s?.alerts?.open ?? {}) },
    liveWorkers: s?.workers?.live ?? null,
    stuckEvents: s?.queue?.stuck?.count ?? null,
    database: db
      ? {
          connectionsUsed: db.connections.used,
          connectionsMax: db.connections.max,
          sizeBytes: db.sizeBytes,
          cacheHitRatio: db.cacheHitRatio,
          longestQuerySeconds: db.longestRunningQuery?.seconds ?? null,
        }
      : null,
  };
}
