import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { QueueService } from '../../src/modules/queue/queue.service';
import { ReconcileScheduler } from '../../src/modules/reconcile/reconcile.scheduler';
import { ReconcileService } from '../../src/modules/reconcile/reconcile.service';
import { ZohoApiClient } from '../../src/modules/reconcile/zoho-api.client';
import { ZohoApiUsageRepository } from '../../src/modules/reconcile/zoho-api-usage.repository';
import { Json, n, zohoBody, zohoInventoryAdjustment, zohoInvoice, zohoPriceBook } from '../factories/zoho-payloads';
import { FakeRecord, FakeZoho, zohoTime } from '../support/fake-zoho';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const KEY = 'reconcile-webhook-key';
const ADMIN = 'admin-key-reconcile-1';
const ORG = '20099887766';
/** Ids above 2^53 (JavaScript numbers would round them): the fake prints them as JSON numbers. */
const BIG = (i: number) => `${9007199254740993n + BigInt(i) * 1000n}`;

const MODULES: [string, string, string][] = [
  ['contacts', 'contacts', 'contact'],
  ['items', 'items', 'item'],
  ['salesorders', 'salesorders', 'salesorder'],
  ['invoices', 'invoices', 'invoice'],
  ['bills', 'bills', 'bill'],
  ['creditnotes', 'creditnotes', 'creditnote'],
  ['inventoryadjustments', 'inventory_adjustments', 'inventory_adjustment'],
  ['pricebooks', 'pricebooks', 'pricebook'],
];

function invoice(i: number, minutesAgo: number, over: Json = {}): FakeRecord {
  const modified = zohoTime(minutesAgo);
  return {
    id: BIG(i),
    modified,
    record: zohoInvoice({ invoice_id: n(BIG(i)), invoice_number: `INV-${i}`, last_modified_time: modified, ...over }, 2),
  };
}

describe('Reconciliation with the Zoho API (integration: fake Zoho on loopback, real PostgreSQL, real worker)', () => {
  let db: TestDatabase;
  let fake: FakeZoho;
  let t: TestApp;
  let worker: QueueWorker;
  const apps: TestApp[] = [];

  const env = (over: Record<string, string | undefined> = {}) => ({
    WEBHOOK_API_KEYS: KEY,
    ADMIN_API_KEYS: `ops:${ADMIN}`,
    ZOHO_CLIENT_ID: '1000.FAKECLIENT',
    ZOHO_CLIENT_SECRET: 'fake-client-secret-xyz',
    ZOHO_REFRESH_TOKEN: fake.refreshToken,
    ZOHO_ORGANIZATION_ID: ORG,
    ZOHO_ACCOUNTS_URL: fake.url,
    ZOHO_API_BACKOFF_BASE_MS: '1',
    // a schedule that never fires during the test (passes are started explicitly)
    TDS_RECONCILE_CRON: '0 0 1 1 *',
    ...over,
  });
  const reconcile = (body: Json = { entityType: 'invoice' }, app: TestApp = t) =>
    request(app.server).post('/dashboard/sync/reconcile').set('X-Admin-Key', ADMIN).send(body);
  const invoices = () => fake.modules.get('invoices')!;
  const erpInvoice = async (id: string) =>
    (
      await db.query<{ total: string; zoho_modified_at: Date }>(
        `SELECT total::text AS total, zoho_modified_at FROM erp.invoices WHERE zoho_invoice_id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = new FakeZoho();
    await fake.start();
  });
  beforeEach(async () => {
    fake.apiRequests.length = 0;
    fake.tokenRequests = 0;
    fake.validTokens.clear();
    fake.forcedStatuses = [];
    fake.failListsAfter = Infinity;
    fake.listCount = 0;
    fake.detailDelayMs = 0;
    fake.pageSize = undefined;
    for (const [name, listKey, detailKey] of MODULES) fake.module(name, { listKey, detailKey });
    await db.query(`TRUNCATE tds.events, tds.event_attempts, tds.reconcile_state, tds.reconcile_passes, tds.reconcile_seen,
      tds.zoho_tokens, tds.zoho_token_requests, tds.zoho_api_usage, tds.job_runs, erp.invoices, erp.invoice_lines,
      erp.price_lists, erp.price_list_items, erp.stock_adjustments, erp.stock_adjustment_lines CASCADE`);
    t = await startTestApp(db.url, env());
    apps.push(t);
    worker = t.app.get(QueueWorker);
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
  });
  afterAll(async () => {
    await fake?.stop();
    await db?.drop();
  });

  it('finds records changed while no webhook came, fetches them in full and they land in the ERP (ids > 2^53 exact)', async () => {
    invoices().records.push(invoice(1, 30), invoice(2, 20), invoice(3, 10));
    const res = await reconcile();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [pass] = res.body.passes;
    expect(pass).toMatchObject({
      entityType: 'invoice',
      status: 'completed',
      backfill: true,
      listed: 3,
      missing: 3,
      enqueued: 3,
      duplicates: 0,
    });
    expect(pass.requests).toBe(4); // one list page + three details
    const [audit] = await db.query<{ result: string; detail: string }>(
      `SELECT result, detail FROM tds.admin_audit WHERE action = 'reconcile.run' AND request_id = $1`,
      [res.headers['x-request-id']],
    );
    expect(audit).toEqual({ result: 'succeeded', detail: '1 of 1 passes completed, 3 enqueued' });
    // The budget in use and the last pass per entity are in /metrics too.
    const metrics = (await request(t.server).get('/metrics').set('X-Admin-Key', ADMIN).expect(200)).text;
    expect(metrics).toMatch(
      /^tds_zoho_api_requests_used\{window="day",process="[^"]*"\} 4$|^tds_zoho_api_requests_used\{window="day"\} 4$/m,
    );
    expect(metrics).toMatch(/^tds_zoho_api_requests_limit\{window="day"\} \d+$/m);
    expect(metrics).toMatch(/^tds_reconcile_last_pass_missing_records\{entity="invoice"\} 3$/m);
    expect(metrics).toMatch(/^tds_reconcile_last_pass_timestamp_seconds\{entity="invoice",status="completed"\} \d+(\.\d+)?$/m);
    const events = await db.query<{ source: string; entity_id: string; record_type: string }>(
      `SELECT source, entity_id, record_type FROM tds.events ORDER BY entity_id`,
    );
    expect(events).toEqual([1, 2, 3].map((i) => ({ source: 'reconcile', entity_id: BIG(i), record_type: 'invoice' })));
    const [first] = await db.query<{ id: string }>(`SELECT id::text AS id FROM tds.events ORDER BY id LIMIT 1`);
    const detail = await request(t.server).get(`/dashboard/events/${first.id}`).set('X-Admin-Key', ADMIN).expect(200);
    expect(detail.body).toMatchObject({ source: 'reconcile', recordType: 'invoice', eventKind: 'updated', organizationId: ORG });
    await worker.drainOnce();
    for (const i of [1, 2, 3]) expect(await erpInvoice(BIG(i)), BIG(i)).toBeDefined();
    const lines = await db.query<{ c: number }>(`SELECT count(*)::int AS c FROM erp.invoice_lines WHERE zoho_invoice_id = $1`, [BIG(2)]);
    expect(lines[0].c).toBe(2); // line items come from the detail, not the list
    expect(fake.requests().every((r) => r.query.get('organization_id') === ORG)).toBe(true);

    // A change made later, with no webhook: the next pass lists from the watermark minus the overlap and fetches only it.
    fake.apiRequests.length = 0;
    invoices().records[0] = invoice(1, 0, { total: n('999.00'), balance: n('999.00') });
    const again = await reconcile();
    expect(again.body.passes[0]).toMatchObject({ status: 'completed', backfill: false, missing: 1, enqueued: 1 });
    const list = fake.requests('/books/v3/invoices').filter((r) => r.path === '/books/v3/invoices');
    expect(list[0].query.get('last_modified_time')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    expect(fake.requests(`/books/v3/invoices/`).map((r) => r.path)).toEqual([`/books/v3/invoices/${BIG(1)}`]);
    await worker.drainOnce();
    expect((await erpInvoice(BIG(1))).total).toBe('999.00');
  });

  it('a filter Zoho ignores costs pages, not records: timestamps are compared here', async () => {
    invoices().records.push(invoice(1, 300), invoice(2, 200), invoice(3, 100));
    expect((await reconcile()).body.passes[0].enqueued).toBe(3);
    invoices().ignoreFilter = true;
    invoices().records.push(invoice(4, 0));
    fake.apiRequests.length = 0;
    const res = await reconcile();
    // listed: the new one and the one inside the overlap (its ERP row is current: not fetched)
    expect(res.body.passes[0]).toMatchObject({ status: 'completed', listed: 2, missing: 1, enqueued: 1 });
    expect(fake.requests('/books/v3/invoices/').map((r) => r.path)).toEqual([`/books/v3/invoices/${BIG(4)}`]);
  });

  it('a record already delivered by webhook is a duplicate; one as new in the ERP is neither fetched nor enqueued', async () => {
    const waiting = invoice(1, 5);
    const applied = invoice(2, 5);
    invoices().records.push(waiting, applied);
    const deliver = (r: FakeRecord) =>
      request(t.server)
        .post(`/webhooks/invoices?event=updated&organization_id=${ORG}`)
        .set('Content-Type', 'application/json')
        .set('X-Webhook-Key', KEY)
        .send(zohoBody('invoice', r.record));
    expect((await deliver(applied)).status).toBe(202);
    await worker.drainOnce();
    expect((await deliver(waiting)).status).toBe(202); // delivered, not applied yet
    const res = await reconcile();
    expect(res.body.passes[0]).toMatchObject({ listed: 2, missing: 0, enqueued: 0, duplicates: 1 });
    expect(fake.requests('/books/v3/invoices/')).toHaveLength(0);
    expect(await db.query(`SELECT source FROM tds.events ORDER BY id`)).toEqual([{ source: 'webhook' }, { source: 'webhook' }]);

    // The ingest statement itself: a reconciled copy of a delivered event (same identity, same content) is a duplicate.
    const queue = t.app.get(QueueService);
    const body = Buffer.from(`{"code":0,"message":"success",${zohoBody('invoice', waiting.record).slice(1)}`);
    const keyPrefix = `${[ORG, 'invoice', 'invoice', waiting.id, 'updated', `t:${waiting.modified}`].join('\u001f')}\u001e`;
    const [dup] = await queue.enqueueReconciled([
      {
        keyPrefix,
        entityType: 'invoice',
        recordType: 'invoice',
        entityId: waiting.id,
        eventKind: 'updated',
        organizationId: ORG,
        zohoModifiedAt: new Date(Date.parse(waiting.modified!.replace(/(\d\d)(\d\d)$/, '$1:$2'))).toISOString(),
        contentType: 'application/json',
        body,
        payloadJson: null,
        requestId: null,
      },
    ]);
    expect(dup.inserted).toBe(false);
  });

  it('nothing older overwrites newer: a detail older than the ERP row completes skipped_stale', async () => {
    const newer = invoice(1, 1, { total: n('500.00') });
    await request(t.server)
      .post('/webhooks/invoices?event=updated')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', KEY)
      .send(zohoBody('invoice', newer.record))
      .expect(202);
    await worker.drainOnce();
    // Zoho's list says "changed just now" but the detail is an older version (a replica lagging): the stale guard holds.
    const older = invoice(1, 60, { total: n('100.00') });
    invoices().records.push({ ...older, modified: zohoTime(0) });
    invoices().listFields = (r) => ({ ...r, last_modified_time: zohoTime(0) });
    const res = await reconcile();
    expect(res.body.passes[0]).toMatchObject({ missing: 1, enqueued: 1 });
    await worker.drainOnce();
    const [ev] = await db.query<{ outcome: string }>(`SELECT outcome FROM tds.events WHERE source = 'reconcile'`);
    expect(ev.outcome).toBe('skipped_stale');
    expect((await erpInvoice(BIG(1))).total).toBe('500.00');
    invoices().listFields = undefined;
  });

  it('never exceeds the daily budget (counted at the server); the pass stops and says why', async () => {
    for (const a of apps.splice(0)) await a.close();
    t = await startTestApp(db.url, env({ ZOHO_API_DAILY_BUDGET: '6' }));
    apps.push(t);
    fake.pageSize = 5;
    for (let i = 1; i <= 12; i++) invoices().records.push(invoice(i, 100 - i));
    const first = await reconcile();
    expect(first.body.passes[0]).toMatchObject({ status: 'incomplete', stopReason: 'budget_day', requests: 6 });
    const second = await reconcile();
    expect(second.body.passes[0]).toMatchObject({ status: 'incomplete', stopReason: 'budget_day', requests: 0 });
    expect(fake.requests()).toHaveLength(6);
    const status = await request(t.server).get('/dashboard/sync/status').set('X-Admin-Key', ADMIN).expect(200);
    expect(status.body.budget.day).toEqual({ used: 6, limit: 6 });
    const inv = status.body.entities.find((e: Json) => e.entityType === 'invoice');
    expect(inv.lastPass).toMatchObject({ status: 'incomplete', trigger: 'manual', adminKeyName: 'ops' });
  });

  it('the per-minute budget is shared: the request over it waits for the next minute', async () => {
    const usage = t.app.get(ZohoApiUsageRepository);
    const takes = await Promise.all(Array.from({ length: 5 }, () => usage.take(3, 100)));
    expect(takes.filter((x) => x.ok)).toHaveLength(3);
    expect(takes.filter((x) => !x.ok).every((x) => !x.ok && x.window === 'minute' && x.waitMs > 0 && x.waitMs <= 60_000)).toBe(true);
  });

  it('backs off on 429 and 5xx and succeeds; each try counts against the budget', async () => {
    invoices().records.push(invoice(1, 5));
    fake.forcedStatuses = [429, 503];
    const res = await reconcile();
    expect(res.body.passes[0]).toMatchObject({ status: 'completed', enqueued: 1, requests: 4 });
    expect(fake.requests()).toHaveLength(4);
  });

  it('a token expiring mid-pass is refreshed once for all processes (two app instances)', async () => {
    const other = await startTestApp(db.url, env());
    apps.push(other);
    invoices().records.push(invoice(1, 5));
    const clients = [t.app.get(ZohoApiClient), other.app.get(ZohoApiClient)];
    const allowance = () => ({ used: 0, limit: 100 });
    const signal = new AbortController().signal;
    const burst = () => Promise.all(clients.flatMap((c) => [1, 2, 3].map(() => c.get('invoices', '/invoices', {}, allowance(), signal))));
    fake.tokenDelayMs = 150;
    await burst();
    expect(fake.tokenRequests).toBe(1);
    fake.revokeTokensAfter = fake.apiRequests.length; // every live token dies now
    await burst();
    expect(fake.tokenRequests).toBe(2);
    fake.tokenDelayMs = 0;
  });

  it('never more token requests than Zoho allows (8 per 10 minutes here), even while Zoho refuses the refresh token', async () => {
    const real = fake.refreshToken;
    fake.refreshToken = 'revoked-elsewhere';
    try {
      const answers = [];
      for (let i = 0; i < 10; i++) answers.push((await reconcile()).body.passes[0]);
      expect(answers.every((p) => p.status === 'failed')).toBe(true);
      expect(answers[0].error).toMatch(/Zoho refused the token request \(HTTP 200\): invalid_code/);
      expect(answers[9].error).toMatch(/limited to 10 per 10 minutes/);
      expect(fake.tokenRequests).toBe(8);
      expect(fake.apiRequests).toHaveLength(0); // no API budget spent without a token
      // each run answered 200, but its pass failed: audited as failed, with why
      const audit = await db.query<{ status_code: number; result: string; detail: string }>(
        `SELECT status_code, result, detail FROM tds.admin_audit WHERE action = 'reconcile.run' ORDER BY id DESC LIMIT 10`,
      );
      expect(audit).toHaveLength(10);
      for (const row of audit) {
        expect(row).toMatchObject({
          status_code: 200,
          result: 'failed',
          detail: expect.stringMatching(/^1 of 1 passes failed: invoice: /),
        });
      }
      expect(audit[9].detail).toMatch(/Zoho refused the token request/);
    } finally {
      fake.refreshToken = real;
    }
  });

  it('two instances run one pass per scheduled time', async () => {
    const other = await startTestApp(db.url, env());
    apps.push(other);
    invoices().records.push(invoice(1, 5));
    const at = new Date(Date.UTC(2026, 11, 1, 6, 0, 0));
    const results = await Promise.all([t, other].map((a) => a.app.get(ReconcileScheduler).runScheduled(at)));
    expect(results.filter((r) => r?.ran)).toHaveLength(1);
    expect(fake.requests().filter((r) => r.path === '/books/v3/invoices')).toHaveLength(1);
    const passes = await db.query<{ entity_type: string; trigger: string }>(`SELECT entity_type, trigger FROM tds.reconcile_passes`);
    expect(passes).toHaveLength(8);
    expect(new Set(passes.map((p) => p.entity_type)).size).toBe(8);
    expect(passes.every((p) => p.trigger === 'schedule')).toBe(true);
  });

  it('a pass killed midway resumes from its stored page after a restart, and the backfill completes', async () => {
    fake.pageSize = 2;
    for (let i = 1; i <= 7; i++) invoices().records.push(invoice(i, 100 - i));
    fake.failListsAfter = 2; // pages 1 and 2 answer, then the server fails
    const first = await reconcile();
    expect(first.body.passes[0]).toMatchObject({ status: 'failed', pages: 2, enqueued: 4 });
    const [state] = await db.query<{ cursor: { page: number } }>(`SELECT cursor FROM tds.reconcile_state WHERE entity_type = 'invoice'`);
    expect(state.cursor.page).toBe(3);

    // a new process (restart), the server healthy again
    for (const a of apps.splice(0)) await a.close();
    t = await startTestApp(db.url, env());
    apps.push(t);
    worker = t.app.get(QueueWorker);
    fake.failListsAfter = Infinity;
    fake.apiRequests.length = 0;
    const second = await reconcile();
    expect(second.body.passes[0]).toMatchObject({ status: 'completed', resumed: true, backfill: true, enqueued: 3 });
    const lists = fake.requests().filter((r) => r.path === '/books/v3/invoices');
    expect(lists[0].query.get('page')).toBe('3');
    await worker.drainOnce();
    const rows = await db.query<{ c: number }>(`SELECT count(*)::int AS c FROM erp.invoices`);
    expect(rows[0].c).toBe(7);
    const [after] = await db.query<{ cursor: unknown; watermark: Date }>(
      `SELECT cursor, watermark FROM tds.reconcile_state WHERE entity_type = 'invoice'`,
    );
    expect(after.cursor).toBeNull();
    expect(after.watermark).not.toBeNull();
  });

  it('a process stopped mid-pass: the pass ends incomplete (aborted) and another process resumes it', async () => {
    fake.pageSize = 2;
    for (let i = 1; i <= 6; i++) invoices().records.push(invoice(i, 100 - i));
    fake.detailDelayMs = 100;
    const running = t.app.get(ReconcileScheduler).runScheduled(new Date(Date.UTC(2026, 11, 1, 7, 0, 0)));
    const start = Date.now();
    while (fake.requests('/books/v3/invoices/').length < 3 && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 10));
    await apps.splice(0)[0].close(); // shutdown aborts the job's signal; the pass records where it stopped
    await running;
    const [stopped] = await db.query<{ status: string; stop_reason: string; enqueued: number }>(
      `SELECT status, stop_reason, enqueued FROM tds.reconcile_passes WHERE entity_type = 'invoice'`,
    );
    expect(stopped).toMatchObject({ status: 'incomplete', stop_reason: 'aborted' });
    const [state] = await db.query<{ cursor: { page: number } }>(`SELECT cursor FROM tds.reconcile_state WHERE entity_type = 'invoice'`);
    expect(state.cursor.page).toBe(2);

    fake.detailDelayMs = 0;
    t = await startTestApp(db.url, env());
    apps.push(t);
    worker = t.app.get(QueueWorker);
    const res = await reconcile();
    expect(res.body.passes[0]).toMatchObject({ status: 'completed', resumed: true });
    await worker.drainOnce();
    expect((await db.query<{ c: number }>(`SELECT count(*)::int AS c FROM erp.invoices`))[0].c).toBe(6);
    expect((await db.query<{ c: number }>(`SELECT count(*)::int AS c FROM tds.events`))[0].c).toBe(6); // nothing twice
  });

  it('price lists by content hash, adjustments by new ids (Inventory API for both)', async () => {
    const pb = (i: number, rate: string): FakeRecord => ({
      id: BIG(100 + i),
      record: zohoPriceBook({ pricebook_id: n(BIG(100 + i)), name: `List ${i}`, description: rate }, 1),
    });
    const adj = (i: number): FakeRecord => ({
      id: BIG(200 + i),
      record: zohoInventoryAdjustment({ inventory_adjustment_id: n(BIG(200 + i)) }),
    });
    const books = fake.modules.get('pricebooks')!;
    const adjustments = fake.modules.get('inventoryadjustments')!;
    books.records.push(pb(1, 'a'), pb(2, 'a'));
    adjustments.records.push(adj(1), adj(2));
    const one = async (entityType: string) => (await reconcile({ entityType })).body.passes[0];
    expect(await one('price')).toMatchObject({ status: 'completed', listed: 2, enqueued: 2 });
    expect(await one('stock')).toMatchObject({ status: 'completed', listed: 2, enqueued: 2 });
    expect(fake.requests('/inventory/v1/pricebooks').length).toBeGreaterThan(0);
    expect(fake.requests('/books/v3/pricebooks')).toHaveLength(0);
    await worker.drainOnce();
    books.records[1] = pb(2, 'b');
    adjustments.records.push(adj(3));
    fake.apiRequests.length = 0;
    expect(await one('price')).toMatchObject({ listed: 2, missing: 1, enqueued: 1 });
    expect(await one('stock')).toMatchObject({ listed: 3, missing: 1, enqueued: 1 });
    expect(fake.requests('/inventory/v1/pricebooks/').map((r) => r.path)).toEqual([`/inventory/v1/pricebooks/${BIG(102)}`]);
    expect(fake.requests('/inventory/v1/inventoryadjustments/').map((r) => r.path)).toEqual([
      `/inventory/v1/inventoryadjustments/${BIG(203)}`,
    ]);
    await worker.drainOnce();
    const [list2] = await db.query<{ description: string }>(`SELECT description FROM erp.price_lists WHERE zoho_pricebook_id = $1`, [
      BIG(102),
    ]);
    expect(list2.description).toBe('b');
  });

  it('a record deleted between the list and its detail (404) is skipped; the pass goes on', async () => {
    invoices().records.push(invoice(1, 5), invoice(2, 4), invoice(3, 3));
    fake.goneIds.add(BIG(2));
    const res = await reconcile();
    fake.goneIds.clear();
    expect(res.body.passes[0]).toMatchObject({ status: 'completed', listed: 3, missing: 3, enqueued: 2 });
    expect((await db.query<{ entity_id: string }>(`SELECT entity_id FROM tds.events ORDER BY entity_id`)).map((e) => e.entity_id)).toEqual([
      BIG(1),
      BIG(3),
    ]);
  });

  it('dryRun answers what would be enqueued and changes nothing', async () => {
    invoices().records.push(invoice(1, 5), invoice(2, 4));
    const res = await reconcile({ entityType: 'invoice', dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, passes: [{ dryRun: true, missing: 2, enqueued: 0, sampleIds: [BIG(2), BIG(1)] }] });
    expect(fake.requests('/books/v3/invoices/')).toHaveLength(0);
    expect(await db.query(`SELECT id FROM tds.events`)).toHaveLength(0);
    expect(await db.query(`SELECT entity_type FROM tds.reconcile_state`)).toHaveLength(0);
  });

  it('the admin routes: key required, bad input named', async () => {
    await request(t.server).post('/dashboard/sync/reconcile').send({}).expect(401);
    await request(t.server).post('/dashboard/sync/reconcile').set('X-Admin-Key', 'wrong').send({}).expect(403);
    await request(t.server).get('/dashboard/sync/status').expect(401);
    const bad = await reconcile({ entityType: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/entityType/);
    expect((await reconcile({ since: 'yesterday' })).status).toBe(400);
  });

  it('missed records: the alert input counts passes after the first complete one, never the backfill', async () => {
    for (const a of apps.splice(0)) await a.close();
    t = await startTestApp(db.url, env({ TDS_ALERT_RECONCILE_MISSED_WARNING: '2' }));
    apps.push(t);
    const service = t.app.get(ReconcileService);
    for (let i = 1; i <= 4; i++) invoices().records.push(invoice(i, 100 + i));
    expect((await reconcile()).body.passes[0]).toMatchObject({ backfill: true, missing: 4 });
    expect((await service.missedRecordFindings()).passes).toEqual([]); // the backfill does not count
    for (let i = 5; i <= 7; i++) invoices().records.push(invoice(i, 1));
    expect((await reconcile()).body.passes[0]).toMatchObject({ backfill: false, missing: 3 });
    const findings = await service.missedRecordFindings();
    expect(findings.threshold).toBe(2);
    expect(findings.passes.map((p) => [p.entity_type, p.missing, p.after_first_complete])).toEqual([['invoice', 3, true]]);
    const last = await service.lastPasses();
    expect(last.find((p) => p.entity_type === 'invoice')).toMatchObject({ missing: 3, enqueued: 3, status: 'completed' });
  });

  it('without ZOHO_* the service runs, reconciliation is off and says so', async () => {
    const off = await startTestApp(db.url, { ADMIN_API_KEYS: `ops:${ADMIN}` });
    apps.push(off);
    const res = await reconcile({}, off);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'RECONCILE_NOT_CONFIGURED' });
    const status = await request(off.server).get('/dashboard/sync/status').set('X-Admin-Key', ADMIN).expect(200);
    expect(status.body.enabled).toBe(false);
    expect(fake.apiRequests).toHaveLength(0);
  });
});
