import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { parseJsonExact } from '../../common/json/exact-json';
import { ErpRecord, SyncService } from '../sync/sync.service';
import { EventBrowserRepository, EventFilter, EventSummaryRow, LastDayRow } from './event-browser.repository';
import { EventAttemptRow, EventDetailRow, EventRepository } from './event.repository';
import { isEventId } from './queue.service';
import { AppConfigService } from '../../config/app-config.service';
import { SharedRead } from '../../common/cache/shared-read';
import { LiveQueueCounts } from './live-queue-counts';

export type { EventFilter, EventSummaryRow } from './event-browser.repository';
export type { ErrorGroupRow } from './event-browser.repository';

/** One event in full: the row, its stored request, every attempt and the ERP row of its record. */
export interface EventFull {
  event: EventDetailRow;
  attempts: EventAttemptRow[];
  contentType: string;
  requestId: string | null;
  replayOf: string | null;
  /** null once retention pruned it */
  rawBody: string | null;
  /** The record as stored (numbers as exact strings); null once pruned. */
  payload: unknown;
  erp: ErpRecord | null;
}

export interface QueueBreakdown {
  unfinished: Awaited<ReturnType<EventBrowserRepository['unfinishedByType']>>;
  completedLastDay: { entity_type: string; count: number }[];
  attemptsLastDay: { attempts: number; count: number }[];
  /** When the 24-hour figures were counted (at most DASHBOARD_STATS_CACHE_S ago). */
  lastDayAsOf: Date;
}

export interface BulkRetryResult {
  dryRun: boolean;
  /** Dead letters matching the filter (all of them, not only the first `limit`). */
  matched: number;
  /** The ids retried (or that would be, for a dry run), oldest first, at most `limit`. */
  eventIds: string[];
}

const notFound = (id: string) => new DomainError(ErrorCode.EventNotFound, `Event ${id} not found`, { id });

/**
 * The operator's view of the queue (dashboard): lists with keyset pagination, one event in full, replay, dead-letter
 * groups and bulk retry. Other modules call this; the SQL is in EventBrowserRepository.
 */
@Injectable()
export class EventBrowserService {
  private readonly logger = new Logger(EventBrowserService.name);

  constructor(
    private readonly browser: EventBrowserRepository,
    private readonly events: EventRepository,
    private readonly sync: SyncService,
    private readonly live: LiveQueueCounts,
    config: AppConfigService,
  ) {
    this.lastDay = new SharedRead(config.dashboard.statsCacheMs, () => this.browser.lastDay());
  }

  list(filter: EventFilter, limit: number, beforeId?: string): Promise<EventSummaryRow[]> {
    return this.browser.list(filter, limit, beforeId);
  }

  listDeadLetters(filter: EventFilter, limit: number, beforeId?: string): Promise<EventSummaryRow[]> {
    return this.browser.listDeadLetters(filter, limit, beforeId);
  }

  errorGroups(filter: EventFilter, limit: number) {
    return this.browser.errorGroups(filter, limit);
  }

  async get(id: string): Promise<EventFull> {
    if (!isEventId(id)) throw notFound(id);
    const event = await this.events.findById(id);
    if (!event) throw notFound(id);
    const [attempts, content, erp] = await Promise.all([
      this.events.attemptsOf(id),
      this.browser.content(id),
      this.sync.erpRecordOf(event.entity_type, event.record_type, event.entity_id),
    ]);
    if (!content) throw notFound(id);
    return {
      event,
      attempts,
      contentType: content.content_type,
      requestId: content.request_id,
      replayOf: content.replay_of,
      rawBody: content.body ? content.body.toString('utf8') : null,
      payload: content.payload_text === null ? null : parseJsonExact(content.payload_text),
      erp: erp ?? null,
    };
  }

  /** Queues event `id` again as a new event; 404 unknown, 410 when its stored request was pruned. */
  async replay(id: string, requestId: string | null): Promise<string> {
    if (!isEventId(id)) throw notFound(id);
    const r = await this.browser.replay(id, randomUUID(), requestId);
    if (!r.found) throw notFound(id);
    if (r.pruned || !r.id) {
      throw new DomainError(
        ErrorCode.EventPayloadPruned,
        `Event ${id} can no longer be replayed: its stored payload was pruned by retention`,
        {
          id,
        },
      );
    }
    this.logger.log(`event ${id} replayed as event ${r.id}`);
    return r.id;
  }

  async bulkRetry(filter: EventFilter, limit: number, dryRun: boolean): Promise<BulkRetryResult> {
    const candidates = await this.browser.bulkRetryCandidates(filter, limit);
    if (dryRun) return { dryRun, matched: candidates.matched, eventIds: candidates.ids };
    const ids = await this.browser.bulkRetry(filter, limit);
    this.logger.log(`bulk retry: ${ids.length} dead-lettered event(s) re-queued (${candidates.matched} matched)`);
    return { dryRun, matched: candidates.matched, eventIds: ids };
  }

  /**
   * The 24-hour figures (completed per type, retry histogram) count a day of events, which grows with the traffic
   * (~1M rows at a steady 12 events/s) and moves slowly: counted at most once per DASHBOARD_STATS_CACHE_S, shared
   * by every caller. The unfinished figures read every waiting event (a backlog makes them cost): shared for
   * DASHBOARD_LIVE_CACHE_MS (LiveQueueCounts, also behind /dashboard/metrics).
   */
  private readonly lastDay: SharedRead<LastDayRow[]>;

  async breakdown(): Promise<QueueBreakdown> {
    const day = this.lastDay.get();
    const [unfinished, lastDay] = await Promise.all([this.live.byType(), day.value]);
    const completed = new Map<string, number>();
    const attempts = new Map<number, number>();
    for (const r of lastDay) {
      if (r.completed) completed.set(r.entity_type, (completed.get(r.entity_type) ?? 0) + r.count);
      attempts.set(r.attempts, (attempts.get(r.attempts) ?? 0) + r.count);
    }
    return {
      unfinished,
      completedLastDay: [...completed].map(([entity_type, count]) => ({ entity_type, count })),
      attemptsLastDay: [...attempts].sort((a, b) => a[0] - b[0]).map(([a, count]) => ({ attempts: a, count })),
      lastDayAsOf: new Date(day.at),
    };
  }
}
