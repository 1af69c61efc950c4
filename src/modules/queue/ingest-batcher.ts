import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { DomainError, isDatabaseUnavailable } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { EventRepository, NewEvent } from './event.repository';

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
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly events: EventRepository,
    config: AppConfigService,
  ) {
    this.maxBatch = config.webhooks.batchMax;
    this.maxInFlight = config.webhooks.maxInFlight;
    this.retryAfter = String(config.webhooks.retryAfterSeconds);
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
        const batch = this.queue.splice(0, this.maxBatch);
        this.inFlight++;
        void this.flush(batch).finally(() => {
          this.inFlight--;
          if (this.inFlight === 0 && this.queue.length === 0) this.idleWaiters.splice(0).forEach((w) => w());
          this.schedule();
        });
      }
    });
  }

  private unavailable(err: unknown): DomainError {
    return new DomainError(
      ErrorCode.DatabaseUnavailable,
      'The event could not be stored (database unavailable); retry later',
      { cause: (err as Error)?.message },
      { 'Retry-After': this.retryAfter },
    );
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
    const inserted = await this.events.insertBatch(batch.map((p) => p.event));
    const missing = batch.filter((p) => !inserted.has(p.event.dedupKey)).map((p) => p.event.dedupKey);
    const existing = missing.length ? await this.events.findIdsByDedupKeys([...new Set(missing)]) : new Map<string, string>();
    const claimed = new Set<string>();
    for (const p of batch) {
      const key = p.event.dedupKey;
      const newId = inserted.get(key);
      if (newId && !claimed.has(key)) {
        claimed.add(key);
        p.resolve({ eventId: newId, duplicate: false });
      } else {
        const id = newId ?? existing.get(key);
        if (id) p.resolve({ eventId: id, duplicate: true });
        else p.reject(this.unavailable(new Error('event vanished after conflict')));
      }
    }
  }

  private classify(err: unknown): unknown {
    if (err instanceof DomainError) return err;
    const code = (err as { code?: string }).code ?? '';
    // Class 22 (data exception) / 23 (integrity): the payload itself is unacceptable: a clear 422, not a 500.
    if (/^2[23]/.test(code)) {
      return new DomainError(ErrorCode.InvalidEnvelope, `The database refused the payload: ${(err as Error).message}`, {
        sqlstate: code,
      });
    }
    if (!isDatabaseUnavailable(err)) this.logger.error(`ingest insert failed: ${(err as Error).message}`);
    return this.unavailable(err);
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
