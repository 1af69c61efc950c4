import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { LiveQueueCounts } from './live-queue-counts';
import { EventAttemptRow, EventDetailRow, EventRepository, InsertedEvent, NewEvent, WaitingVersionRow } from './event.repository';

const BIGINT_MAX = 9223372036854775807n;

/** An event id is a positive bigint; anything else names no event (404), never a database error. */
export function isEventId(id: string): boolean {
  return /^\d{1,19}$/.test(id) && BigInt(id) <= BIGINT_MAX;
}

/** Queue operations other modules (dashboard, alerts) use; they never touch the repository. */
@Injectable()
export class QueueService {
  private readonly logger = new Logger(QueueService.name);

  constructor(
    private readonly events: EventRepository,
    private readonly live: LiveQueueCounts,
  ) {}

  /** Manual retry of a dead-lettered (or failed) event: back to pending with a fresh attempt budget. */
  async retry(id: string): Promise<void> {
    if (!isEventId(id)) throw new DomainError(ErrorCode.EventNotFound, `Event ${id} not found`, { id });
    const event = await this.events.findById(id);
    if (!event) throw new DomainError(ErrorCode.EventNotFound, `Event ${id} not found`, { id });
    if (!(await this.events.retry(id))) {
      // Decided from the row as it is after the UPDATE, not from `event` read before it: a concurrent retry of the
      // same dead letter wins the row and leaves it pending, which is a conflict (409), not a pruned payload (410).
      const now = await this.events.retryBlocker(id);
      if (!now) throw new DomainError(ErrorCode.EventNotFound, `Event ${id} not found`, { id });
      if (now.pruned && (now.status === 'dead_letter' || now.status === 'failed')) {
        throw new DomainError(
          ErrorCode.EventPayloadPruned,
          `Event ${id} can no longer be retried: its stored payload was pruned by retention`,
          { id },
        );
      }
      throw new DomainError(ErrorCode.EventNotRetryable, `Event ${id} is ${now.status}; only dead_letter or failed events can be retried`, {
        id,
        status: now.status,
      });
    }
    this.logger.log(`event ${id} re-queued by manual retry (was ${event.status})`);
  }

  async get(id: string): Promise<EventDetailRow & { attemptLog: EventAttemptRow[] }> {
    if (!isEventId(id)) throw new DomainError(ErrorCode.EventNotFound, `Event ${id} not found`, { id });
    const event = await this.events.findById(id);
    if (!event) throw new DomainError(ErrorCode.EventNotFound, `Event ${id} not found`, { id });
    return { ...event, attemptLog: await this.events.attemptsOf(id) };
  }

  /**
   * Events found by reconciliation: the same ingest statement and dedup rules as a webhook delivery, with
   * `source = 'reconcile'`. The caller sends at most one event per record per call (untimed records are compared
   * with the record's newest committed event, as IngestBatcher guarantees for webhooks).
   */
  enqueueReconciled(events: NewEvent[]): Promise<InsertedEvent[]> {
    if (!events.length) return Promise.resolve([]);
    return this.events.insertBatch(events, undefined, 'reconcile');
  }

  /** Records among `ids` with events still waiting to run, and the newest Zoho time among them. */
  waitingVersions(recordType: string, ids: string[]): Promise<WaitingVersionRow[]> {
    return this.events.newestWaitingVersions(recordType, ids);
  }

  /** Counts and oldest age per unfinished status. */
  /** Unfinished events per status with the age of the oldest: the live count shared for DASHBOARD_LIVE_CACHE_MS. */
  async stats() {
    const by = await this.live.byStatus();
    return { pending: by.pending, processing: by.processing, failed: by.failed, deadLetter: by.dead_letter };
  }
}
