import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { AppConfigService } from '../../config/app-config.service';
import { isDatabaseUnavailable } from '../../common/errors/sqlstate';
import { DatabaseService } from '../../database/database.service';
import type { DedicatedClient } from '../../database/pg-connections';
import { releaseSavepoint, rollbackToSavepoint, savepoint } from '../../database/savepoint';
import { SyncService } from '../sync/sync.service';
import { isPlainObject, parseJsonExact } from '../../common/json/exact-json';
import { SyncEvent, SyncEntityType, EventKind, SyncOutcome } from '../sync/sync.types';
import { HeartbeatService } from '../workers/heartbeat.service';
import { MetricsService } from '../metrics/metrics.service';
import { PROCESS_ID } from '../../common/process/process-identity';
import { backoffDelayMs } from './backoff';
import { classifyError } from './error-classification';
import { ClaimedEventRow, EventRepository, FinishedEvent } from './event.repository';

/** The longest a row below the claim cursor waits for a scan from the start (see claim()). */
const CURSOR_RESCAN_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Drains tds.events into the ERP tables.
 *
 * Each loop runs one transaction per batch: lock up to TDS_BATCH_SIZE runnable events (heads of their per-record
 * chains, FOR UPDATE SKIP LOCKED — the locks are the claim) → apply them through SyncService → mark them
 * completed / failed / dead_letter and record one attempt each → COMMIT. ERP writes and completion commit together,
 * so an event is applied exactly once whatever happens to the process: a worker killed mid-batch loses its session,
 * PostgreSQL rolls the batch back and releases the rows at once; a worker stalled longer than
 * TDS_LOCK_TIMEOUT_SECONDS between two statements is cut off by idle_in_transaction_session_timeout (pool setting)
 * and cannot commit afterwards (the fence). One bad event is isolated under savepoints (see processBatch).
 * Wakes on LISTEN/NOTIFY; polls every TDS_QUEUE_POLL_INTERVAL_MS as a fallback.
 */
@Injectable()
export class QueueWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueWorker.name);
  private running = false;
  private loops: Promise<void>[] = [];
  private waiters = new Set<() => void>();
  private cursor = '0';
  private rescanAt = 0;
  private listener?: DedicatedClient;
  private listening?: Promise<void>;
  private readonly q: AppConfigService['queue'];

  constructor(
    private readonly events: EventRepository,
    private readonly db: DatabaseService,
    private readonly sync: SyncService,
    private readonly config: AppConfigService,
    private readonly heartbeat: HeartbeatService,
    private readonly metrics: MetricsService,
  ) {
    this.q = config.queue;
  }

  onApplicationBootstrap(): void {
    if (this.config.app.runsWorker) this.start();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.listening = this.listen();
    for (let i = 0; i < this.q.concurrency; i++) this.loops.push(this.loop(i));
    this.logger.log(
      `worker started: ${this.q.concurrency} loop(s), batch ${this.q.batchSize}, transaction idle limit ${this.q.lockTimeoutSeconds}s, max attempts ${this.q.maxAttempts}`,
    );
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeAll();
    // Loops finish the batch in hand (a batch is one short transaction), then exit.
    await Promise.race([Promise.all(this.loops), sleep(this.config.app.shutdownTimeoutMs)]);
    this.loops = [];
    await this.listener?.end();
    await this.listening;
    this.listener = undefined;
    this.logger.log('worker stopped');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Processes until the queue has nothing runnable (tests and tools). */
  async drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) return total;
    }
  }

  private wakeAll(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private waitForWork(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private async listen(): Promise<void> {
    while (this.running) {
      let session: DedicatedClient | undefined;
      try {
        session = await this.db.dedicatedClient('tds-core:listen');
        this.listener = session;
        // stop() may have run while connecting: it found no listener to end.
        if (!this.running) break;
        session.client.on('notification', () => this.wakeAll());
        await this.events.listen(session.client);
        this.wakeAll(); // catch up on anything that arrived while we were not listening
        if (this.running) await session.closed;
      } catch {
        /* database unreachable: polling goes on; try again shortly */
      } finally {
        await session?.end();
      }
      if (this.running) await sleep(1000);
    }
  }

  private async loop(index: number): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const n = await this.runOnce();
        failures = 0;
        if (n === 0 && this.running) await this.waitForWork(this.q.pollIntervalMs);
      } catch (err) {
        failures++;
        const delay = Math.min(this.q.pollIntervalMs, 250 * 2 ** Math.min(failures, 5));
        if (failures === 1 || failures % 20 === 0) {
          this.logger.warn(`worker loop ${index}: ${(err as Error).message} (retrying in ${delay} ms)`);
        }
        await sleep(delay);
      }
    }
  }

  /**
   * One batch, one transaction: claim (row locks) → apply → finish (state + attempt rows) → COMMIT.
   * Returns how many events were claimed.
   */
  async runOnce(): Promise<number> {
    const started = Date.now();
    const batch = await this.db.transaction(
      async (tx) => {
        const rows = await this.claim(tx);
        if (rows.length === 0) return undefined;
        return { rows, finished: await this.processBatch(tx, rows) };
      },
      { asyncCommit: true },
    );
    const n = batch?.rows.length ?? 0;
    if (batch) this.recordMetrics(batch.rows, batch.finished);
    if (n > 0) {
      this.heartbeat.recordProcessed(n);
      this.logger.debug(`batch of ${n} in ${Date.now() - started} ms`);
    }
    return n;
  }

  /**
   * The claim scan starts after a cursor: the highest id this process claimed lately. Finished events leave dead
   * entries at the low end of the runnable index until vacuum or the scans mark them, and a scan from the start
   * under load walks thousands of them per batch (EXPLAIN: ~2,000 buffers for 100 rows; docs/PERFORMANCE.md).
   * Rows below the cursor that become runnable later (the next event of a record whose head just finished, a retry
   * whose backoff ran out, a batch rolled back elsewhere, an insert that committed late) are found by a scan from
   * the start: whenever the scan above the cursor comes back short, and at least every CURSOR_RESCAN_MS.
   */
  private async claim(tx: PoolClient): Promise<ClaimedEventRow[]> {
    const now = Date.now();
    const fromStart = this.cursor === '0' || now >= this.rescanAt;
    if (fromStart) this.rescanAt = now + CURSOR_RESCAN_MS;
    let rows = await this.events.claim(tx, this.q.batchSize, fromStart ? '0' : this.cursor);
    // Nothing above the cursor: look below it before reporting an empty queue (the loop would go to sleep).
    if (rows.length === 0 && !fromStart) rows = await this.events.claim(tx, this.q.batchSize, '0');
    if (rows.length < this.q.batchSize) {
      this.cursor = '0';
    } else {
      const last = rows[rows.length - 1].id; // ORDER BY id
      if (BigInt(last) > BigInt(this.cursor)) this.cursor = last;
    }
    return rows;
  }

  private decode(row: ClaimedEventRow): SyncEvent {
    // Numbers arrive as their exact digits (strings); jsonb never holds NUL, so nothing else to clean.
    const record = parseJsonExact(row.payload_text, 10_000);
    // The receiver refuses these; a row stored by an older version may still hold one.
    if (!isPlainObject(record)) throw new Error(`the stored ${row.record_type} record is not a JSON object`);
    return {
      id: row.id,
      entityType: row.entity_type as SyncEntityType,
      eventKind: row.event_kind as EventKind,
      recordType: row.record_type,
      entityId: row.entity_id,
      record,
      zohoModifiedAt: row.zoho_modified_at,
      receivedAt: row.received_at,
    };
  }

  /**
   * Applies the claimed rows inside `tx`. The apply runs under a savepoint: when the database refuses the batch,
   * it is rolled back to the savepoint (the claim's row locks stay) and the events are re-run one by one, each
   * under its own savepoint, so one bad event cannot hold back the others. A lost connection is not isolated: it is
   * thrown, the transaction is gone, and the events are claimable again as they were.
   */
  private async processBatch(tx: PoolClient, rows: ClaimedEventRow[]): Promise<FinishedEvent[]> {
    const t0 = performance.now();
    const attemptsById = new Map(rows.map((r) => [r.id, r.budget_attempt]));
    const decoded: SyncEvent[] = [];
    const finished: FinishedEvent[] = [];
    for (const row of rows) {
      try {
        decoded.push(this.decode(row));
      } catch (err) {
        finished.push(
          this.outcomeToFinished({ eventId: row.id, status: 'invalid', error: `stored payload unreadable: ${(err as Error).message}` }),
        );
      }
    }
    if (decoded.length) {
      await savepoint(tx, 'batch');
      try {
        const outcomes = await this.sync.applyBatch(tx, decoded);
        finished.push(...outcomes.map((o) => this.outcomeToFinished(o)));
      } catch (err) {
        if (isDatabaseUnavailable(err)) throw err;
        await rollbackToSavepoint(tx, 'batch');
        if (decoded.length === 1) {
          finished.push(this.failure(decoded[0].id, attemptsById.get(decoded[0].id) ?? 1, err));
        } else {
          this.logger.warn(`batch of ${decoded.length} failed (${(err as Error).message}); re-running one by one`);
          for (const event of decoded) {
            await savepoint(tx, 'one');
            try {
              const outcomes = await this.sync.applyBatch(tx, [event]);
              await releaseSavepoint(tx, 'one');
              finished.push(...outcomes.map((o) => this.outcomeToFinished(o)));
            } catch (oneErr) {
              if (isDatabaseUnavailable(oneErr)) throw oneErr;
              await rollbackToSavepoint(tx, 'one');
              finished.push(this.failure(event.id, attemptsById.get(event.id) ?? 1, oneErr));
            }
          }
        }
      }
    }
    const durationMs = (performance.now() - t0) / Math.max(finished.length, 1);
    await this.events.finish(tx, finished, PROCESS_ID, durationMs);
    this.report(finished);
    return finished;
  }

  /** After the commit: one try per event in the Prometheus counters, by entity type and outcome. */
  private recordMetrics(rows: ClaimedEventRow[], finished: FinishedEvent[]): void {
    const byId = new Map(rows.map((r) => [r.id, r]));
    this.metrics.recordBatch(
      finished.map((f) => {
        const row = byId.get(f.id);
        const outcome = f.status === 'completed' ? (f.outcome ?? 'applied') : f.status === 'failed' ? 'retry' : 'dead_letter';
        return { entityType: row?.entity_type ?? 'unknown', outcome, receivedAt: row?.received_at };
      }),
    );
  }

  private outcomeToFinished(o: SyncOutcome): FinishedEvent {
    if (o.status === 'invalid') return { id: o.eventId, status: 'dead_letter', error: o.error, code: 'INVALID_PAYLOAD' };
    return { id: o.eventId, status: 'completed', outcome: o.status, detail: o.detail };
  }

  /** A failed try: retry later with backoff, or dead letter (permanent error, or the retry budget spent). */
  private failure(id: string, attempt: number, err: unknown): FinishedEvent {
    const { kind, code, message } = classifyError(err);
    const exhausted = attempt >= this.q.maxAttempts;
    if (kind === 'permanent') return { id, status: 'dead_letter', error: message, code };
    if (exhausted) return { id, status: 'dead_letter', error: message, eventError: `${message} (gave up after ${attempt} attempts)`, code };
    return { id, status: 'failed', error: message, code, delayMs: backoffDelayMs(attempt, this.q.backoffBaseMs, this.q.backoffMaxMs) };
  }

  private report(finished: FinishedEvent[]): void {
    const failed = finished.filter((f) => f.status !== 'completed');
    if (!failed.length) return;
    const dead = failed.filter((f) => f.status === 'dead_letter').length;
    this.logger.warn(
      `${failed.length} event(s) failed, ${dead} to dead letter, ${failed.length - dead} retry later: ` +
        failed
          .slice(0, 10)
          .map((f) => `${f.id} (${f.code}: ${f.error})`)
          .join('; '),
    );
  }
}
