import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { CronTime } from 'cron';
import { AppConfigService } from '../../config/app-config.service';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { isPlainObject } from '../../common/json/exact-json';
import { parseZohoTimestamp } from '../../common/zoho/zoho-time';
import type { NewEvent } from '../queue/event.repository';
import { QueueService } from '../queue/queue.service';
import { SingletonJobsService } from '../scheduling/singleton-jobs.service';
import { SyncEntityType } from '../sync/sync.types';
import { jsonTextForDatabase } from '../webhooks/zoho-body';
import { canonicalJson, RECONCILE_ENTITIES, ReconcileEntity, zohoFilterTime } from './reconcile-entities';
import { ReconcilePassRow, ReconcileRepository, ReconcileStateRow } from './reconcile.repository';
import { RequestAllowance, ZohoAnswer, ZohoApiClient } from './zoho-api.client';
import { ZohoApiUsageRepository } from './zoho-api-usage.repository';
import { BudgetExhaustedError, ZohoApiError } from './zoho-errors';

/** The singleton job both the schedule and the admin route run under (one pass at a time across processes). */
export const RECONCILE_JOB = 'reconcile.zoho';
const PER_PAGE = 200;
const SAMPLE_IDS = 20;
const ID_PATTERN = /^\d{1,100}$/;

export interface ReconcileOptions {
  trigger: 'schedule' | 'manual';
  entityType?: SyncEntityType;
  /** A one-off window start: the pass neither resumes a cursor nor moves the watermark. */
  since?: Date;
  dryRun?: boolean;
  adminKeyName?: string | null;
}

/** What one pass over one entity type did (also what a dry run answers). */
export interface PassSummary {
  passId: string;
  entityType: SyncEntityType;
  status: 'completed' | 'incomplete' | 'failed';
  stopReason: string | null;
  dryRun: boolean;
  backfill: boolean;
  resumed: boolean;
  windowSince: Date | null;
  windowUntil: Date | null;
  pages: number;
  requests: number;
  listed: number;
  /** Listed records the ERP lacks or holds older, not already waiting in the queue. */
  missing: number;
  enqueued: number;
  /** Records whose event was already there (delivered by webhook, or by an earlier pass). */
  duplicates: number;
  sampleIds: string[];
  error: string | null;
}

interface Listed {
  id: string;
  modifiedMs: number | null;
  record: Record<string, unknown>;
}

class PassCounters {
  pages = 0;
  listed = 0;
  missing = 0;
  enqueued = 0;
  duplicates = 0;
  /** Listed, then gone when fetched (404): deleted meanwhile. */
  gone = 0;
  sampleIds: string[] = [];
  maxSeen: number | null = null;

  sample(ids: string[]): void {
    for (const id of ids) if (this.sampleIds.length < SAMPLE_IDS) this.sampleIds.push(id);
  }
}

/**
 * Reconciliation: catches up from the Zoho API what webhooks missed (docs/RECONCILIATION.md). Per entity type one
 * pass lists what changed since the watermark (minus the overlap), fetches in full only the records the ERP lacks or
 * holds older, and enqueues each into tds.events exactly like a webhook delivery (source 'reconcile'): the same
 * dedup rules and stale guards make any overlap a no-op.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger(ReconcileService.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly repo: ReconcileRepository,
    private readonly usage: ZohoApiUsageRepository,
    private readonly client: ZohoApiClient,
    private readonly queue: QueueService,
    private readonly jobs: SingletonJobsService,
  ) {}

  get enabled(): boolean {
    return this.config.reconcile.enabled;
  }

  /** The admin route: one run now, under the same lock as the schedule (409 while another pass runs). */
  async runManual(options: Omit<ReconcileOptions, 'trigger'>): Promise<PassSummary[]> {
    this.requireEnabled();
    let passes: PassSummary[] = [];
    const result = await this.jobs.runNow(RECONCILE_JOB, new Date(), async (signal) => {
      passes = await this.run({ ...options, trigger: 'manual' }, signal);
      return this.summaryLine(passes);
    });
    if (!result?.ran) {
      throw new DomainError(ErrorCode.ReconcileBusy, 'A reconciliation pass is running (scheduled or manual); try again when it ends');
    }
    if (result.status === 'failed') throw new DomainError(ErrorCode.ZohoApiUnavailable, `Reconciliation failed: ${result.error}`);
    return passes;
  }

  /** The scheduled job's body (SingletonJobsService: one run per scheduled time across processes). */
  async runScheduled(signal: AbortSignal): Promise<string> {
    return this.summaryLine(await this.run({ trigger: 'schedule' }, signal));
  }

  /**
   * One run: each entity type in turn (the least recently reconciled first, so a budget that runs out does not
   * starve the same types every time), within the run's share of the day's budget.
   */
  async run(options: ReconcileOptions, signal: AbortSignal): Promise<PassSummary[]> {
    this.requireEnabled();
    await this.repo.abandonRunning(); // under the job lock: a 'running' pass here belongs to a process that died
    const allowance: RequestAllowance = { used: 0, ...(await this.runAllowance(options.trigger)) };
    const types = options.entityType ? [options.entityType] : await this.typesInTurn();
    const passes: PassSummary[] = [];
    for (const type of types) {
      if (signal.aborted) break;
      const pass = await this.pass(RECONCILE_ENTITIES[type], options, allowance, signal);
      passes.push(pass);
      if (pass.stopReason === 'budget_day' || pass.stopReason === 'budget_run') break;
    }
    return passes;
  }

  /** The last pass per entity type (dry runs excluded): for /metrics, the dashboard and the missed-records alert. */
  lastPasses(): Promise<ReconcilePassRow[]> {
    return this.repo.lastPasses();
  }

  recentPasses(limit = 50): Promise<ReconcilePassRow[]> {
    return this.repo.recentPasses(limit);
  }

  /**
   * The alert rule's input: last passes, after the first complete one of their type (not the backfill), that found
   * more than TDS_ALERT_RECONCILE_MISSED_WARNING missed records: webhooks are being lost.
   */
  async missedRecordFindings(): Promise<{ threshold: number; passes: ReconcilePassRow[] }> {
    const threshold = this.config.reconcile.alertMissedWarning;
    const passes = (await this.repo.lastPasses()).filter((p) => p.after_first_complete && !p.backfill && p.missing > threshold);
    return { threshold, passes };
  }

  /** Budget in use and, per entity type, the watermark, an unfinished pass's cursor and the last pass. */
  async status() {
    const c = this.config.reconcile;
    const [usage, states, last] = await Promise.all([this.usage.usage(), this.repo.states(), this.repo.lastPasses()]);
    const stateOf = new Map(states.map((s) => [s.entity_type, s]));
    const lastOf = new Map(last.map((p) => [p.entity_type, p]));
    return {
      enabled: c.enabled,
      cron: c.cron,
      budget: {
        minute: { used: usage.minute_used, limit: c.maxRequestsPerMinute },
        day: { used: usage.day_used, limit: c.dailyBudget },
      },
      entities: Object.values(SyncEntityType).map((type) => {
        const s = stateOf.get(type);
        return {
          entityType: type,
          watermark: s?.watermark ?? null,
          firstCompleteAt: s?.first_complete_at ?? null,
          resumeFrom: s?.cursor ? { since: s.cursor.since === null ? null : new Date(s.cursor.since), page: s.cursor.page } : null,
          lastPass: lastOf.get(type) ?? null,
        };
      }),
    };
  }

  private requireEnabled(): void {
    if (!this.enabled) {
      throw new DomainError(
        ErrorCode.ReconcileNotConfigured,
        'Reconciliation is off: set ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN and ZOHO_ORGANIZATION_ID',
      );
    }
  }

  private summaryLine(passes: PassSummary[]): string {
    return passes.map((p) => `${p.entityType}:${p.status} listed=${p.listed} missing=${p.missing} enqueued=${p.enqueued}`).join('; ');
  }

  private async typesInTurn(): Promise<SyncEntityType[]> {
    const last = new Map((await this.repo.lastPasses()).map((p) => [p.entity_type, p.started_at.getTime()]));
    return Object.values(SyncEntityType)
      .map((type, order) => ({ type, order, at: last.get(type) ?? -1 }))
      .sort((a, b) => a.at - b.at || a.order - b.order)
      .map((x) => x.type);
  }

  /**
   * A scheduled run takes an even share of what is left of the day's budget: left ÷ runs still due today (this
   * one included), so the budget spreads over the schedule (docs/RECONCILIATION.md, "quota arithmetic"). A manual
   * run may use all that is left.
   */
  private async runAllowance(trigger: 'schedule' | 'manual'): Promise<{ limit: number; dayBound: boolean }> {
    const c = this.config.reconcile;
    const usage = await this.usage.usage();
    const left = Math.max(0, c.dailyBudget - usage.day_used);
    const limit = trigger === 'manual' ? left : Math.ceil(left / runsLeftToday(c.cron, new Date(), usage.day_left_ms));
    return { limit, dayBound: limit >= left };
  }

  private async pass(
    entity: ReconcileEntity,
    options: ReconcileOptions,
    allowance: RequestAllowance,
    signal: AbortSignal,
  ): Promise<PassSummary> {
    const dryRun = options.dryRun === true;
    const state = await this.repo.state(entity.type);
    const oneOff = options.since !== undefined;
    const cursor = !oneOff && !dryRun ? (state?.cursor ?? null) : null;
    const since = oneOff ? (options.since as Date).getTime() : cursor ? cursor.since : this.windowStart(state);
    const backfill = cursor ? cursor.backfill : !state?.first_complete_at;
    const counters = new PassCounters();
    counters.maxSeen = cursor?.maxSeen ?? null;
    const startedWith = allowance.used;
    const passId = await this.repo.startPass({
      entityType: entity.type,
      trigger: options.trigger,
      adminKeyName: options.adminKeyName ?? null,
      dryRun,
      backfill,
      afterFirstComplete: !!state?.first_complete_at,
      resumed: cursor !== null,
      windowSince: since === null ? null : new Date(since),
    });
    let status: PassSummary['status'] = 'completed';
    let stopReason: string | null = null;
    let error: string | null = null;
    try {
      await this.walk(
        entity,
        { since, page: cursor?.page ?? 1, dryRun, saveCursor: !oneOff && !dryRun, backfill, passId },
        counters,
        allowance,
        signal,
      );
      if (!oneOff && !dryRun) await this.repo.complete(entity.type, counters.maxSeen === null ? null : new Date(counters.maxSeen));
    } catch (err) {
      status = 'incomplete';
      if (err instanceof BudgetExhaustedError) stopReason = err.window === 'day' ? 'budget_day' : 'budget_run';
      else if (signal.aborted) stopReason = 'aborted';
      else {
        status = 'failed';
        error = (err as Error)?.message ?? String(err);
      }
    }
    const summary: PassSummary = {
      passId,
      entityType: entity.type,
      status,
      stopReason,
      dryRun,
      backfill,
      resumed: cursor !== null,
      windowSince: since === null ? null : new Date(since),
      windowUntil: counters.maxSeen === null ? null : new Date(counters.maxSeen),
      pages: counters.pages,
      requests: allowance.used - startedWith,
      listed: counters.listed,
      missing: counters.missing,
      enqueued: counters.enqueued,
      duplicates: counters.duplicates,
      sampleIds: counters.sampleIds,
      error,
    };
    await this.repo.finishPass(passId, summary);
    const line = `reconcile ${entity.type} pass=${passId}${dryRun ? ' (dry run)' : ''} ${status}${stopReason ? ` (${stopReason})` : ''} pages=${summary.pages} requests=${summary.requests} listed=${summary.listed} missing=${summary.missing} enqueued=${summary.enqueued} duplicates=${summary.duplicates}${counters.gone ? ` gone=${counters.gone}` : ''}`;
    if (status === 'failed') this.logger.warn(`${line}: ${error}`);
    else this.logger.log(line);
    return summary;
  }

  /** The watermark minus the overlap; null (a full listing) before the first complete pass. */
  private windowStart(state: ReconcileStateRow | undefined): number | null {
    if (!state?.watermark) return null;
    return state.watermark.getTime() - this.config.reconcile.overlapMinutes * 60_000;
  }

  private async walk(
    entity: ReconcileEntity,
    w: { since: number | null; page: number; dryRun: boolean; saveCursor: boolean; backfill: boolean; passId: string },
    counters: PassCounters,
    allowance: RequestAllowance,
    signal: AbortSignal,
  ): Promise<void> {
    const api = this.config.reconcile.moduleApis[entity.module] ?? this.config.reconcile.api;
    for (let page = w.page; ; page++) {
      signal.throwIfAborted();
      const params: Record<string, string> = { page: String(page), per_page: String(PER_PAGE) };
      if (entity.mode === 'modified') {
        params.sort_column = 'last_modified_time';
        params.sort_order = 'D';
        if (w.since !== null && entity.filterIn.includes(api)) params.last_modified_time = zohoFilterTime(w.since);
      }
      const answer = await this.client.get(entity.module, `/${entity.module}`, params, allowance, signal);
      counters.pages++;
      const records = this.listedRecords(entity, answer);
      let stop: boolean;
      if (entity.mode === 'modified') stop = await this.modifiedPage(entity, records, w, counters, allowance, signal);
      else if (entity.mode === 'content_hash') stop = await this.contentHashPage(entity, records, w, counters, allowance, signal);
      else stop = await this.newIdsPage(entity, records, w, counters, allowance, signal);
      const context = answer.document.page_context;
      // Some Inventory lists omit page_context: then a full page means there may be more.
      const hasMore = isPlainObject(context) ? context.has_more_page === true : records.length >= PER_PAGE;
      // An empty page ends the listing whatever page_context says (a budget is no substitute for a loop bound).
      if (!hasMore || stop || records.length === 0) return;
      if (w.saveCursor)
        await this.repo.saveCursor(entity.type, { since: w.since, page: page + 1, maxSeen: counters.maxSeen, backfill: w.backfill });
    }
  }

  private listedRecords(entity: ReconcileEntity, answer: ZohoAnswer): Listed[] {
    const list = answer.document[entity.listKey];
    if (!Array.isArray(list)) return [];
    const out: Listed[] = [];
    for (const record of list) {
      if (!isPlainObject(record)) continue;
      const id = typeof record[entity.idField] === 'string' ? (record[entity.idField] as string).trim() : '';
      if (!ID_PATTERN.test(id)) continue;
      const raw = entity.modifiedFields.map((f) => record[f]).find((v) => typeof v === 'string' && v.trim() !== '');
      const iso = parseZohoTimestamp(raw);
      out.push({ id, modifiedMs: iso ? Date.parse(iso) : null, record });
    }
    return out;
  }

  /**
   * Records listed newest first. Those older than the window are ignored (a filter Zoho ignores returns them all);
   * once the list is seen to be sorted and a record falls before the window, later pages can hold nothing newer.
   * A record whose ERP row is as new as the listing, or whose event is already waiting, is not fetched.
   */
  private async modifiedPage(
    entity: ReconcileEntity,
    records: Listed[],
    w: { since: number | null; dryRun: boolean; passId: string },
    counters: PassCounters,
    allowance: RequestAllowance,
    signal: AbortSignal,
  ): Promise<boolean> {
    const inWindow = records.filter((r) => w.since === null || r.modifiedMs === null || r.modifiedMs >= w.since);
    const sorted = records.every((r, i) => i === 0 || (r.modifiedMs ?? 0) <= (records[i - 1].modifiedMs ?? 0));
    const last = records.at(-1);
    const pastWindow = w.since !== null && sorted && last?.modifiedMs != null && last.modifiedMs < w.since;
    counters.listed += inWindow.length;
    for (const r of inWindow)
      if (r.modifiedMs !== null && (counters.maxSeen === null || r.modifiedMs > counters.maxSeen)) counters.maxSeen = r.modifiedMs;
    const ids = inWindow.map((r) => r.id);
    const [erpRows, waitingRows] = await Promise.all([
      this.repo.erpVersions(entity.type, ids),
      this.queue.waitingVersions(entity.recordType, ids),
    ]);
    const erp = new Map(erpRows.map((r) => [r.zoho_id, r.modified_ms]));
    const waiting = new Map(waitingRows.map((r) => [r.entity_id, r.modified_ms]));
    const missing: Listed[] = [];
    for (const r of inWindow) {
      const erpVersion = erp.get(r.id);
      const erpCurrent =
        erp.has(r.id) && (r.modifiedMs === null || (erpVersion !== null && erpVersion !== undefined && erpVersion >= r.modifiedMs));
      if (erpCurrent) continue;
      const queued = waiting.get(r.id);
      if (waiting.has(r.id) && (r.modifiedMs === null || (queued !== null && queued !== undefined && queued >= r.modifiedMs))) {
        counters.duplicates++; // already delivered (by webhook or an earlier pass), waiting to be applied
        continue;
      }
      missing.push(r);
    }
    await this.fetchAndEnqueue(entity, missing, w, counters, allowance, signal);
    return pastWindow;
  }

  /** Price lists: the listed content hashed (canonical JSON); changed or unknown to the ERP → fetched. */
  private async contentHashPage(
    entity: ReconcileEntity,
    records: Listed[],
    w: { dryRun: boolean; passId: string },
    counters: PassCounters,
    allowance: RequestAllowance,
    signal: AbortSignal,
  ): Promise<boolean> {
    counters.listed += records.length;
    const ids = records.map((r) => r.id);
    const [seen, erpRows] = await Promise.all([this.repo.seen(entity.type, ids), this.repo.erpVersions(entity.type, ids)]);
    const inErp = new Set(erpRows.map((r) => r.zoho_id));
    const hashes = new Map(records.map((r) => [r.id, createHash('sha256').update(canonicalJson(r.record)).digest('hex')]));
    const changed = records.filter((r) => seen.get(r.id) !== hashes.get(r.id) || !inErp.has(r.id));
    await this.fetchAndEnqueue(entity, changed, w, counters, allowance, signal, (id) => hashes.get(id) ?? null);
    return false;
  }

  /** Adjustments (newest first): ids neither in the ERP, nor seen, nor waiting → fetched. A page all known ends the pass (after the backfill). */
  private async newIdsPage(
    entity: ReconcileEntity,
    records: Listed[],
    w: { dryRun: boolean; passId: string; backfill: boolean },
    counters: PassCounters,
    allowance: RequestAllowance,
    signal: AbortSignal,
  ): Promise<boolean> {
    counters.listed += records.length;
    const ids = records.map((r) => r.id);
    const [seen, erpRows, waitingRows] = await Promise.all([
      this.repo.seen(entity.type, ids),
      this.repo.erpVersions(entity.type, ids),
      this.queue.waitingVersions(entity.recordType, ids),
    ]);
    const known = new Set([...seen.keys(), ...erpRows.map((r) => r.zoho_id), ...waitingRows.map((r) => r.entity_id)]);
    const fresh = records.filter((r) => !known.has(r.id));
    await this.fetchAndEnqueue(entity, fresh, w, counters, allowance, signal, () => null);
    return fresh.length === 0 && !w.backfill;
  }

  /**
   * Fetches each record in full (lists carry no line items) and enqueues the detail answer as a webhook body would
   * be: the record under its key, the exact bytes stored, the same identity prefix (kind `updated`) and dedup key.
   * Enqueued per record as it arrives, so a budget that runs out mid-page loses no fetched record; `seenAs` (types
   * without timestamps) remembers each one handled, with its listed content hash.
   */
  private async fetchAndEnqueue(
    entity: ReconcileEntity,
    missing: Listed[],
    w: { dryRun: boolean; passId: string },
    counters: PassCounters,
    allowance: RequestAllowance,
    signal: AbortSignal,
    seenAs?: (id: string) => string | null,
  ): Promise<void> {
    counters.missing += missing.length;
    counters.sample(missing.map((r) => r.id));
    if (w.dryRun) return;
    for (const r of missing) {
      let answer: ZohoAnswer;
      try {
        answer = await this.client.get(entity.module, `/${entity.module}/${r.id}`, {}, allowance, signal);
      } catch (err) {
        // Deleted between the list and the detail: nothing to enqueue (a delete reaches the ERP by webhook).
        if (err instanceof ZohoApiError && err.status === 404) {
          counters.gone++;
          continue;
        }
        throw err;
      }
      const event = this.eventFrom(entity, r.id, answer, w.passId);
      const [result] = await this.queue.enqueueReconciled([event]);
      if (result.inserted) counters.enqueued++;
      else counters.duplicates++;
      if (seenAs) await this.repo.markSeen(entity.type, [{ id: r.id, hash: seenAs(r.id) }]);
    }
  }

  private eventFrom(entity: ReconcileEntity, id: string, answer: ZohoAnswer, passId: string): NewEvent {
    const record = answer.document[entity.recordType];
    if (!isPlainObject(record)) throw new Error(`GET /${entity.module}/${id}: the answer holds no '${entity.recordType}' object`);
    const answeredId = typeof record[entity.idField] === 'string' ? (record[entity.idField] as string).trim() : '';
    if (answeredId !== id) throw new Error(`GET /${entity.module}/${id}: the answer is record ${answeredId || '(none)'}`);
    const modifiedRaw = entity.modifiedFields.map((f) => record[f]).find((v) => typeof v === 'string' && v.trim() !== '') as
      string | undefined;
    const zohoModifiedAt = parseZohoTimestamp(modifiedRaw);
    const organizationId = this.config.reconcile.organizationId;
    // The identity prefix exactly as WebhooksService.receive builds it (event kind: updated).
    const version = zohoModifiedAt ? `t:${modifiedRaw}` : 'n';
    const keyPrefix = `${[organizationId, entity.type, entity.recordType, id, 'updated', version].join('\u001f')}\u001e`;
    const needsOwnPayload = answer.text.charCodeAt(0) === 0xfeff || answer.text.includes('\\u0000') || answer.text.includes('\\U0000');
    return {
      keyPrefix,
      entityType: entity.type,
      recordType: entity.recordType,
      entityId: id,
      eventKind: 'updated',
      organizationId,
      zohoModifiedAt,
      contentType: 'application/json',
      body: answer.body,
      payloadJson: needsOwnPayload ? jsonTextForDatabase(answer.text) : null,
      requestId: `reconcile:${passId}`,
    };
  }
}

/** Runs of `cron` still due today (UTC), this one included: at least 1. */
export function runsLeftToday(cron: string, now: Date, dayLeftMs: number): number {
  const end = now.getTime() + dayLeftMs;
  const time = new CronTime(cron, 'UTC');
  let runs = 1;
  let at = now;
  while (runs < 1441) {
    at = time.getNextDateFrom(at, 'UTC').toJSDate();
    if (at.getTime() >= end) break;
    runs++;
  }
  return runs;
}
