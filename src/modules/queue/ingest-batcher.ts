import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { DomainError } from '../../common/errors/domain-error';
import { isDataRejected, isDatabaseUnavailable, sqlStateOf } from '../../common/errors/sqlstate';
import { ErrorCode } from '../../common/errors/error-codes';
import { EventRepository, NewEvent } from './event.repository';

const untimedRecordOf = (e: NewEvent) => `${e.organizationId ?? ''}\u001f${e.recordType}\u001f${e.entityId}`;

export interface IngestResult {
  eventId: string;
  duplicate: boolean;
}

interface Pending {
  event: NewEvent;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for webhook inserts. A request resolves only after its row is committed (so a 202 always means
 * "stored"). While up to `maxInFlight` INSERTs run, newly arriving requests queue up and are written together by
 * the next one: one commit per batch instead of one per request, which is what lifts ingest above the
 * disk's per-commit rate. At low load a request is written on the next tick, alone, with no added wait.
 */
@Injectable()
export class IngestBatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(IngestBatcher.name);
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly retryAfter: string;
  private readonly commitTimeoutMs: number;
  private idleWaiters: (() => void)[] = [];
  /** Records with an untimed event in a batch being written (see takeBatch). */
  private readonly untimedInFlight = new Set<string>();

  constructor(
    private readonly events: EventRepository,
    config: AppConfigService,
  ) {
    this.maxBatch = config.webhooks.batchMax;
    this.maxInFlight = config.webhooks.maxInFlight;
    this.retryAfter = String(config.webhooks.retryAfterSeconds);
    this.commitTimeoutMs = config.webhooks.commitTimeoutMs;
  }

  submit(event: NewEvent): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate gathers everything that arrived in this turn of the event loop into one batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
        const batch = this.takeBatch();
        if (batch.length === 0) break; // only untimed events of records already in flight: they go when those finish
        const records = batch.filter((p) => p.event.zohoModifiedAt === null).map((p) => untimedRecordOf(p.event));
        for (const r of records) this.untimedInFlight.add(r);
        this.inFlight++;
        void this.flush(batch).finally(() => {
          for (const r of records) this.untimedInFlight.delete(r);
          this.inFlight--;
          if (this.inFlight === 0 && this.queue.length === 0) this.idleWaiters.splice(0).forEach((w) => w());
          this.schedule();
        });
      }
    });
  }

  /**
   * The next batch, in arrival order. An event without a Zoho timestamp is a duplicate only of its record's newest
   * accepted event, which the INSERT looks up in the committed table: so at most one untimed event per record is
   * written at a time (in one batch, or across the batches in flight); a later one waits for the next batch, behind
   * every earlier event of its record, and so keeps its arrival order.
   */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const held = new Set<string>();
    for (const p of this.queue) {
      if (batch.length >= this.maxBatch) {
        rest.push(p);
        continue;
      }
      if (p.event.zohoModifiedAt === null) {
        const record = untimedRecordOf(p.event);
        if (held.has(record) || this.untimedInFlight.has(record)) {
          held.add(record);
          rest.push(p);
          continue;
        }
        held.add(record);
      }
      batch.push(p);
    }
    this.queue = rest;
    return batch;
  }

  /**
   * The 503 a webhook gets when its event could not be stored. The cause is logged (classify), never answered: a
   * driver's message names hosts, ports and users.
   */
  private unavailable(): DomainError {
    return new DomainError(ErrorCode.DatabaseUnavailable, 'The event could not be stored (database unavailable); retry later', undefined, {
      'Retry-After': this.retryAfter,
    });
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      await this.write(batch);
    } catch (err) {
      if (isDatabaseUnavailable(err) || batch.length === 1) {
        const e = this.classify(err);
        for (const p of batch) p.reject(e);
        return;
      }
      // One row the database refuses must not fail its neighbours: write them one by one.
      for (const p of batch) {
        try {
          await this.write([p]);
        } catch (single) {
          p.reject(this.classify(single));
        }
      }
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    // A database that hangs (a partition: no answer, no reset) would hold the batch, and every webhook behind it, until
    // the kernel gives up on the socket: the INSERT is bounded by WEBHOOK_COMMIT_TIMEOUT_MS, then 503. (An INSERT the
    // server still commits after that is a stored event answered 503: a resend is a duplicate, nothing is lost.)
    const results = await this.events.insertBatch(
      batch.map((p) => p.event),
      undefined,
      'webhook',
      this.commitTimeoutMs,
    );
    const missing = results.filter((r) => r.id === null).map((r) => r.dedupKey);
    const existing = missing.length ? await this.events.findIdsByDedupKeys([...new Set(missing)]) : new Map<string, string>();
    // Several identical events in one batch: the first is the one stored, the others are its duplicates.
    const claimed = new Set<string>();
    batch.forEach((p, i) => {
      const r = results[i];
      if (r.inserted && !claimed.has(r.dedupKey)) {
        claimed.add(r.dedupKey);
        p.resolve({ eventId: r.id as string, duplicate: false });
        return;
      }
      const id = r.id ?? existing.get(r.dedupKey);
      if (id) p.resolve({ eventId: id, duplicate: true });
      else p.reject(this.classify(new Error('event vanished after conflict')));
    });
  }

  private classify(err: unknown): unknown {
    if (err instanceof DomainError) return err;
    // Class 22 (data exception) / 23 (integrity): the payload itself is unacceptable: a clear 422, not a 500.
    if (isDataRejected(err)) {
      const sqlstate = sqlStateOf(err);
      // 22P02 on the jsonb cast says only "invalid input syntax for type json" for a body our parser accepted; its
      // DETAIL says why ("Unicode low surrogate must follow a high surrogate."). Other DETAILs can quote a whole row.
      const detail = (err as { detail?: unknown }).detail;
      const why = sqlstate === '22P02' && typeof detail === 'string' && detail ? ` (${detail.replace(/\.$/, '')})` : '';
      return new DomainError(ErrorCode.InvalidEnvelope, `The database refused the payload: ${(err as Error).message}${why}`, { sqlstate });
    }
    if (isDatabaseUnavailable(err)) this.logger.warn(`webhook events not stored, database unavailable: ${(err as Error).message}`);
    else this.logger.error(`ingest insert failed: ${(err as Error).message}`);
    return this.unavailable();
  }

  /** Resolves when nothing is queued or in flight (graceful shutdown). */
  drain(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.race([this.drain(), new Promise((r) => setTimeout(r, 10000))]);
  }
}
