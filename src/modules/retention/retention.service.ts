import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { PruneBatchRow, RetentionRepository } from './retention.repository';

export interface PrunePassResult {
  /** Events deleted (delete pass) or cleared (inbox pass). */
  rows: number;
  attemptsDeleted: number;
  scanned: number;
  batches: number;
  ms: number;
  /** Milliseconds per statement, in order (the benchmark's per-batch figures). */
  batchMs: number[];
}

export interface PruneResult {
  deleted: PrunePassResult;
  cleared: PrunePassResult;
  /** The run stopped early (shutdown or a lost job lock); the next run continues. */
  interrupted: boolean;
}

const DAY_MS = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retention of the service's own data (docs/decisions/0017-backups-and-retention.md): completed events older than
 * TDS_EVENT_RETENTION_DAYS are deleted with their attempts, then completed events older than TDS_INBOX_RETENTION_DAYS
 * lose their raw body and payload. Dead letters and unfinished events are never touched. Windows of
 * TDS_RETENTION_BATCH_SIZE events in id order, one short statement each, so ingest and the worker are never blocked
 * behind a long transaction; the walk ends at the first window received after the cutoff.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly repo: RetentionRepository,
  ) {}

  async prune(options: { signal?: AbortSignal; now?: Date; pauseMs?: number } = {}): Promise<PruneResult> {
    const now = options.now ?? new Date();
    const { eventDays, inboxDays, batchSize } = this.config.retention;
    const run = (step: (after: string, cutoff: Date) => Promise<PruneBatchRow>, days: number) =>
      this.pass(step, new Date(now.getTime() - days * DAY_MS), options.signal, options.pauseMs ?? 0);
    // Deleting first: rows about to go are not cleared first.
    const deleted = await run((after, cutoff) => this.repo.deleteCompleted(after, batchSize, cutoff), eventDays);
    const cleared = await run((after, cutoff) => this.repo.clearBodies(after, batchSize, cutoff), inboxDays);
    const interrupted = options.signal?.aborted ?? false;
    this.logger.log(
      `retention: deleted ${deleted.rows} events (${deleted.attemptsDeleted} attempts) older than ${eventDays} d, ` +
        `cleared ${cleared.rows} bodies older than ${inboxDays} d in ${Math.round(deleted.ms + cleared.ms)} ms${interrupted ? ' (interrupted)' : ''}`,
    );
    return { deleted, cleared, interrupted };
  }

  private async pass(
    step: (after: string, cutoff: Date) => Promise<PruneBatchRow>,
    cutoff: Date,
    signal: AbortSignal | undefined,
    pauseMs: number,
  ): Promise<PrunePassResult> {
    const result: PrunePassResult = { rows: 0, attemptsDeleted: 0, scanned: 0, batches: 0, ms: 0, batchMs: [] };
    const started = performance.now();
    let after = '0';
    while (!signal?.aborted) {
      const t = performance.now();
      const batch = await step(after, cutoff);
      result.batchMs.push(performance.now() - t);
      result.batches++;
      result.rows += batch.affected;
      result.attemptsDeleted += batch.attempts_deleted;
      result.scanned += batch.scanned;
      if (!batch.last_id || !batch.first_received_at || batch.first_received_at.getTime() >= cutoff.getTime()) break;
      after = batch.last_id;
      if (pauseMs > 0) await sleep(pauseMs);
    }
    result.ms = performance.now() - started;
    return result;
  }
}
