import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import type { CollectContext, MetricsCollector } from './metrics-collector';
import type { EntityFreshness, QueueDepth, QueueSection, WorkersSection } from './monitoring-snapshot';
import { MonitoringRepository } from './monitoring.repository';

// Applies are re-read from this far before the previous snapshot: a batch whose attempt rows carry a finish time just
// before that snapshot may have committed just after it (a batch transaction is bounded by TDS_LOCK_TIMEOUT_SECONDS).
const FRESHNESS_OVERLAP_MS = 2 * 60_000;

// Latency percentiles come from about this many of the window's completions (all of them when fewer).
const LATENCY_SAMPLE = 1000;

const zero = (): QueueDepth => ({ pending: 0, failedAwaitingRetry: 0, deadLetter: 0 });
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const laterOf = (a: string | null | undefined, b: string | null | undefined): string | null => {
  if (!a) return b ?? null;
  if (!b) return a;
  return new Date(a).getTime() >= new Date(b).getTime() ? a : b;
};

/**
 * `queue`: depth by status × entity type, oldest pending age, stuck events, and the window's throughput, failure rate
 * and latency; per-entity freshness carried forward from the previous snapshot (only the applies since then are read).
 * Runs after WorkersCollector: stuck events count only while a worker is alive.
 */
@Injectable()
export class QueueMetricsCollector implements MetricsCollector {
  readonly section = 'queue';

  constructor(
    private readonly repo: MonitoringRepository,
    private readonly config: AppConfigService,
  ) {}

  async collect(ctx: CollectContext): Promise<QueueSection> {
    const stuckMinutes = this.config.monitoring.stuckMinutes;
    const windowStart = new Date(Date.now() - ctx.windowMinutes * 60_000);
    const previous = ctx.previous;
    const since = previous ? new Date(previous.takenAt.getTime() - FRESHNESS_OVERLAP_MS) : windowStart;
    // Independent reads, each on its own pooled connection: the run's wall time is the slowest of them.
    const [depthRows, attempts, applied] = await Promise.all([
      this.repo.queueDepth(stuckMinutes),
      this.repo.window(ctx.windowMinutes, LATENCY_SAMPLE),
      this.repo.appliedSince(since),
    ]);

    const freshness: Record<string, EntityFreshness> = { ...(previous?.freshness ?? {}) };
    for (const r of applied) {
      const before = freshness[r.entity_type];
      freshness[r.entity_type] = {
        lastAppliedAt: laterOf(before?.lastAppliedAt, r.last_applied_at.toISOString()),
        newestZohoModifiedAt: laterOf(before?.newestZohoModifiedAt, r.newest_zoho_modified_at?.toISOString()),
      };
    }

    const total = zero();
    const byEntity: Record<string, QueueDepth> = {};
    let oldestPendingAge: number | undefined;
    let stuck = 0;
    let oldestStuckId: string | null = null;
    for (const r of depthRows) {
      const e = (byEntity[r.entity_type] ??= zero());
      if (r.status === 'dead_letter') {
        e.deadLetter += r.count;
        total.deadLetter += r.count;
        continue;
      }
      e.pending += r.count;
      total.pending += r.count;
      if (r.status === 'failed') {
        e.failedAwaitingRetry += r.count;
        total.failedAwaitingRetry += r.count;
      }
      if (oldestPendingAge === undefined || r.oldest_age_s > oldestPendingAge) oldestPendingAge = r.oldest_age_s;
      stuck += r.stuck;
      if (r.oldest_stuck_id && (!oldestStuckId || BigInt(r.oldest_stuck_id) < BigInt(oldestStuckId))) oldestStuckId = r.oldest_stuck_id;
    }
    const workers = ctx.sections.workers as WorkersSection | undefined;
    const workersAlive = (workers?.live ?? 0) > 0;

    return {
      depth: { ...total, byEntity },
      oldestPendingAgeSeconds: oldestPendingAge === undefined ? null : round(Math.max(0, oldestPendingAge), 1),
      stuck: {
        count: workersAlive ? stuck : 0,
        thresholdMinutes: stuckMinutes,
        workersAlive,
        oldestEventId: workersAlive ? oldestStuckId : null,
      },
      window: {
        minutes: ctx.windowMinutes,
        attempts: attempts.attempts,
        failedAttempts: attempts.failed,
        failureRate: attempts.attempts > 0 ? round(attempts.failed / attempts.attempts, 4) : null,
        completed: attempts.completed,
        throughputPerMinute: round(attempts.completed / ctx.windowMinutes, 2),
        latencyMs:
          attempts.p50 !== null && attempts.p95 !== null
            ? { p50: round(attempts.p50, 1), p95: round(attempts.p95, 1), sampled: attempts.sampled }
            : null,
      },
      freshness,
      freshnessSince: previous?.freshnessSince ?? windowStart.toISOString(),
    };
  }
}
