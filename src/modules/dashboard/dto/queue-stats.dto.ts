import { ApiProperty } from '@nestjs/swagger';
import type { QueueBreakdown } from '../../queue/event-browser.service';
import { QueueStatsDto } from '../../queue/dto/queue.dto';
import { SeriesPointDto } from './metrics.dto';

export class EntityTypeStatsDto {
  @ApiProperty({ example: 'invoice' }) entityType: string;
  @ApiProperty({ example: 3 }) pending: number;
  @ApiProperty({ example: 0 }) processing: number;
  @ApiProperty({ example: 1 }) failed: number;
  @ApiProperty({ example: 2 }) deadLetter: number;
  @ApiProperty({ example: 4120, description: 'Completed events received in the last 24 hours' }) completedLast24h: number;
}

export class OldestPendingDto {
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt: Date;
  @ApiProperty({ example: 35 }) ageSeconds: number;
}

export class AttemptBucketDto {
  @ApiProperty({ example: 1, description: 'Tries so far' }) attempts: number;
  @ApiProperty({ example: 4050 }) count: number;
}

export class QueueBreakdownDto {
  @ApiProperty({ type: QueueStatsDto, description: 'Unfinished events per status with the age of the oldest' }) totals: QueueStatsDto;
  @ApiProperty({ type: [EntityTypeStatsDto] }) byEntityType: EntityTypeStatsDto[];
  @ApiProperty({
    type: OldestPendingDto,
    nullable: true,
    description: 'The oldest event waiting to be applied (pending, processing or failed)',
  })
  oldestPending: OldestPendingDto | null;
  @ApiProperty({ type: [AttemptBucketDto], description: 'Events received in the last 24 hours by number of tries' })
  retryHistogram: AttemptBucketDto[];
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-12-01T10:15:00.000Z',
    description: 'When `completedLast24h` and `retryHistogram` were counted: at most 15 s ago (they are shared by pollers)',
  })
  last24hAsOf: Date;
  @ApiProperty({ type: [SeriesPointDto], description: 'One point per monitoring snapshot of the last `hours` hours, oldest first' })
  series?: SeriesPointDto[];
}

type Status = 'pending' | 'processing' | 'failed' | 'deadLetter';
const STATUS_KEY: Record<string, Status> = { pending: 'pending', processing: 'processing', failed: 'failed', dead_letter: 'deadLetter' };

export function toQueueBreakdown(b: QueueBreakdown, now = Date.now()): QueueBreakdownDto {
  const byType = new Map<string, EntityTypeStatsDto>();
  const typeRow = (t: string) => {
    let r = byType.get(t);
    if (!r) byType.set(t, (r = { entityType: t, pending: 0, processing: 0, failed: 0, deadLetter: 0, completedLast24h: 0 }));
    return r;
  };
  const totals: Record<Status, { count: number; oldest: number | null }> = {
    pending: { count: 0, oldest: null },
    processing: { count: 0, oldest: null },
    failed: { count: 0, oldest: null },
    deadLetter: { count: 0, oldest: null },
  };
  let oldestWaiting: number | null = null;
  for (const r of b.unfinished) {
    const key = STATUS_KEY[r.status];
    typeRow(r.entity_type)[key] += r.count;
    const t = totals[key];
    const at = new Date(r.oldest_received_at).getTime();
    t.count += r.count;
    t.oldest = t.oldest === null ? at : Math.min(t.oldest, at);
    if (key !== 'deadLetter') oldestWaiting = oldestWaiting === null ? at : Math.min(oldestWaiting, at);
  }
  for (const r of b.completedLastDay) typeRow(r.entity_type).completedLast24h = r.count;
  const age = (at: number | null) => (at === null ? null : Math.max(0, Math.round((now - at) / 1000)));
  const total = (s: Status) => ({ count: totals[s].count, oldestAgeSeconds: age(totals[s].oldest) });
  return {
    totals: { pending: total('pending'), processing: total('processing'), failed: total('failed'), deadLetter: total('deadLetter') },
    byEntityType: [...byType.values()].sort((a, b) => a.entityType.localeCompare(b.entityType)),
    oldestPending: oldestWaiting === null ? null : { receivedAt: new Date(oldestWaiting), ageSeconds: age(oldestWaiting)! },
    retryHistogram: b.attemptsLastDay.map((r) => ({ attempts: r.attempts, count: r.count })),
    last24hAsOf: b.lastDayAsOf,
  };
}
