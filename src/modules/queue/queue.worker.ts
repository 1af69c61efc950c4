import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AppConfigService } from '../../config/app-config.service';
import { isDatabaseUnavailable } from '../../common/errors/domain-error';
import { PgPoolService } from '../../database/pg-pool.service';
import { SyncService } from '../sync/sync.service';
import { parseJsonExact } from '../../common/json/exact-json';
import { SyncEvent, SyncEntityType, EventKind, SyncOutcome } from '../sync/sync.types';
import { HeartbeatService } from '../workers/heartbeat.service';
import { PROCESS_ID } from '../workers/process-identity';
import { backoffDelayMs } from './backoff';
import { classifyError } from './error-classification';
import { AttemptRecord, ClaimedEventRow, EVENTS_CHANNEL, EventRepository, FailureUpdate } from './event.repository';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Drains tds.events into the ERP tables.
 *
 * Each loop: claim up to TDS_BATCH_SIZE runnable events (heads of their per-record chains, SKIP LOCKED, with a
 * lease) → one transaction that (1) re-locks the rows still carrying our lease token — the fence: rows whose lease
 * expired and were re-claimed elsewhere are dropped, so a stalled worker never commits a stale result, (2) applies
 * the batch through SyncService, (3) marks the events completed and records the attempts, all-or-nothing. ERP
 * writes and the completion commit together, so an event is applied exactly once even if the process dies at any
 * point (before commit: nothing happened and the lease expires; after: it is completed).
 * If the batch transaction fails on bad data, the events are re-run one by one to isolate the culprit.
 * Wakes on LISTEN/NOTIFY; polls every TDS_QUEUE_POLL_INTERVAL_MS as a fallback.
 */
@Injectable()
export class QueueWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueWorker.name);
  private running = false;
  private loops: Promise<void>[] = [];
  private waiters = new Set<() => void>();
  private listener?: Client;
  private listening?: Promise<void>;
  private reaperTimer?: NodeJS.Timeout;
  private readonly q: AppConfigService['queue'];

  constructor(
    private readonly events: EventRepository,
    private readonly db: PgPoolService,
    private readonly sync: SyncService,
    private readonly config: AppConfigService,
    private readonly heartbeat: HeartbeatService,
  ) {
    this.q = config.queue;
  }

  onApplicationBootstrap(): void {
    if (this.config.app.runsWorker) this.start();
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.listening = this.listen();
    for (let i = 0; i < this.q.concurrency; i++) this.loops.push(this.loop(i));
    const reapEvery = Math.max(1000, Math.min(10000, (this.q.leaseSeconds * 1000) / 4));
    this.reaperTimer = setInterval(() => void this.reap(), reapEvery);
    this.logger.log(
      `worker started: ${this.q.concurrency} loop(s), batch ${this.q.batchSize}, lease ${this.q.leaseSeconds}s, max attempts ${this.q.maxAttempts}`,
    );
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.reaperTimer) clearInterval(this.reaperTimer);
    this.wakeAll();
    // Loops finish the batch in hand (a batch is one short transaction), then exit.
    await Promise.race([Promise.all(this.loops), sleep(this.config.app.shutdownTimeoutMs)]);
    this.loops = [];
    await this.listener?.end().catch(() => undefined);
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
      const client = new Client({ connectionString: this.config.database.url, application_name: 'tds-core:listen' });
      // Attached before connecting: a server shutdown must never surface as an unhandled 'error' event.
      const ended = new Promise<void>((resolve) => {
        client.on('error', () => resolve());
        client.on('end', () => resolve());
      });
      this.listener = client;
      try {
        await client.connect();
        client.on('notification', () => this.wakeAll());
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
        this.wakeAll(); // catch up on anything that arrived while we were not listening
        if (this.running) await ended;
      } catch {
        /* database unreachable: polling goes on; try again shortly */
      } finally {
        await client.end().catch(() => undefined);
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

  /** Claims and processes one batch; returns how many events were claimed. */
  async runOnce(): Promise<number> {
    const token = randomUUID();
    const rows = await this.events.claim(this.q.batchSize, token, PROCESS_ID, this.q.leaseSeconds);
    if (rows.length === 0) return 0;
    const started = Date.now();
    await this.processBatch(rows, token);
    this.heartbeat.recordProcessed(rows.length);
    this.logger.debug(`batch of ${rows.length} in ${Date.now() - started} ms`);
    return rows.length;
  }

  private decode(row: ClaimedEventRow): SyncEvent {
    // Numbers arrive as their exact digits (strings); jsonb never holds NUL, so nothing else to clean.
    const record = parseJsonExact(row.payload_text, 10_000) as Record<string, unknown>;
    return {
      id: row.id,
      entityType: row.entity_type as SyncEntityType,
      eventKind: row.event_kind as EventKind,
      recordType: row.record_type,
      entityId: row.entity_id,
      record,
      recordJson: row.payload_text,
      zohoModifiedAt: row.zoho_modified_at,
    };
  }

  private async processBatch(rows: ClaimedEventRow[], token: string): Promise<void> {
    const startedAt = new Date();
    const t0 = performance.now();
    const decoded: SyncEvent[] = [];
    const undecodable: SyncOutcome[] = [];
    for (const row of rows) {
      try {
        decoded.push(this.decode(row));
      } catch (err) {
        undecodable.push({ eventId: row.id, status: 'invalid', error: `stored payload unreadable: ${(err as Error).message}` });
      }
    }
    try {
      await this.db.transaction(async (tx) => {
        const held = await this.events.lockHeld(
          tx,
          rows.map((r) => r.id),
          token,
        );
        if (held.size < rows.length) {
          this.logger.warn(`lease lost for ${rows.length - held.size} event(s): another worker owns them now; not applying`);
        }
        const live = decoded.filter((e) => held.has(e.id));
        const outcomes = live.length ? await this.sync.applyBatch(tx, live) : [];
        const all = [...outcomes, ...undecodable].filter((o) => held.has(o.eventId));
        const durationMs = performance.now() - t0;
        await this.finish(tx, rows, all, token, startedAt, durationMs);
      });
    } catch (err) {
      if (rows.length > 1 && !isDatabaseUnavailable(err)) {
        // One event the database refuses must not hold back the others: isolate it.
        this.logger.warn(`batch of ${rows.length} failed (${(err as Error).message}); re-running one by one`);
        for (const row of rows) await this.processBatch([row], token);
        return;
      }
      await this.recordFailure(rows, err, token, startedAt, performance.now() - t0);
    }
  }

  private async finish(
    tx: Parameters<EventRepository['complete']>[0],
    rows: ClaimedEventRow[],
    outcomes: SyncOutcome[],
    token: string,
    startedAt: Date,
    durationMs: number,
  ): Promise<void> {
    const attemptsById = new Map(rows.map((r) => [r.id, r.attempts]));
    const done: { id: string; outcome: 'applied' | 'skipped_stale' }[] = [];
    const dead: FailureUpdate[] = [];
    const attempts: AttemptRecord[] = [];
    const perEvent = durationMs / Math.max(outcomes.length, 1);
    for (const o of outcomes) {
      const base = { eventId: o.eventId, attempt: attemptsById.get(o.eventId) ?? 1, workerId: PROCESS_ID, startedAt, durationMs: perEvent };
      if (o.status === 'invalid') {
        dead.push({ id: o.eventId, status: 'dead_letter', error: o.error, code: 'INVALID_PAYLOAD', delayMs: 0 });
        attempts.push({ ...base, outcome: 'dead_letter', error: o.error, errorCode: 'INVALID_PAYLOAD' });
      } else {
        done.push({ id: o.eventId, outcome: o.status });
        attempts.push({ ...base, outcome: o.status });
      }
    }
    await this.events.complete(tx, done, token);
    await this.events.fail(tx, dead, token);
    await this.events.recordAttempts(tx, attempts);
    if (dead.length) this.logger.warn(`dead-lettered ${dead.length} invalid event(s): ${dead.map((d) => `${d.id} (${d.error})`).join('; ')}`);
  }

  private async recordFailure(rows: ClaimedEventRow[], err: unknown, token: string, startedAt: Date, durationMs: number): Promise<void> {
    const { kind, code, message } = classifyError(err);
    const updates: FailureUpdate[] = [];
    const attempts: AttemptRecord[] = [];
    for (const row of rows) {
      const exhausted = row.attempts >= this.q.maxAttempts;
      const dead = kind === 'permanent' || exhausted;
      const delayMs = dead ? 0 : backoffDelayMs(row.attempts, this.q.backoffBaseMs, this.q.backoffMaxMs);
      const error = dead && exhausted && kind !== 'permanent' ? `${message} (gave up after ${row.attempts} attempts)` : message;
      updates.push({ id: row.id, status: dead ? 'dead_letter' : 'failed', error, code, delayMs });
      attempts.push({
        eventId: row.id,
        attempt: row.attempts,
        workerId: PROCESS_ID,
        startedAt,
        durationMs,
        outcome: dead ? 'dead_letter' : 'retry',
        error: message,
        errorCode: code,
      });
    }
    try {
      await this.db.transaction(async (tx) => {
        await this.events.fail(tx, updates, token);
        await this.events.recordAttempts(tx, attempts);
      });
      const deadCount = updates.filter((u) => u.status === 'dead_letter').length;
      this.logger.warn(
        `${rows.length} event(s) failed (${code}: ${message}); ${deadCount} to dead letter, ${rows.length - deadCount} retry later`,
      );
    } catch (recordErr) {
      // The database is gone: the leases expire and the reaper hands the events out again.
      this.logger.warn(`could not record failure (${(recordErr as Error).message}); leases will expire`);
    }
  }

  private async reap(): Promise<void> {
    if (!this.running) return;
    try {
      const reaped = await this.events.reapExpired(this.q.maxAttempts);
      if (reaped.length === 0) return;
      const now = new Date();
      await this.events.recordAttempts(
        this.db.pool,
        reaped.map((r) => ({
          eventId: r.id,
          attempt: r.attempts,
          workerId: r.lease_owner ?? 'unknown',
          startedAt: now,
          durationMs: 0,
          outcome: 'lease_expired' as const,
          error: `lease expired (${r.status === 'dead_letter' ? 'attempts exhausted, dead letter' : 'returned to pending'})`,
          errorCode: 'LEASE_EXPIRED',
        })),
      );
      this.logger.warn(`reclaimed ${reaped.length} event(s) whose lease expired`);
      this.wakeAll();
    } catch (err) {
      if (!isDatabaseUnavailable(err)) this.logger.warn(`lease reaper: ${(err as Error).message}`);
    }
  }
}
