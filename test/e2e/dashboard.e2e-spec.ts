import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueWorker } from '../../src/modules/queue/queue.worker';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const HOOK = 'dash-webhook-key';
const OPS = 'ops-key-0123456789';
const OLD = 'old-rotated-key-42';

const invoice = (id: string, total: string, modified = '2026-11-28T10:00:00+0300') =>
  `{"invoice":{"invoice_id":"${id}","invoice_number":"INV-${id}","total":${total},"last_modified_time":"${modified}"}}`;

describe('dashboard API (e2e, real PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const admin = (r: request.Test, key = OPS) => r.set('Authorization', `Bearer ${key}`);
  const get = (path: string, key = OPS) => admin(request(t.server).get(path), key);
  const post = (path: string, body?: object, key = OPS) => admin(request(t.server).post(path), key).send(body ?? {});
  const hook = (body: string, entity = 'invoices') =>
    request(t.server).post(`/webhooks/${entity}`).set('Content-Type', 'application/json').set('X-Webhook-Key', HOOK).send(body);
  const drain = () => t.app.get(QueueWorker).drainOnce();

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: HOOK, ADMIN_API_KEYS: `ops:${OPS},ops-old:${OLD}` });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('every route needs an admin key: 401 none, 403 wrong; rotated keys (Bearer, X-API-Key, X-Admin-Key) all work', async () => {
    for (const [method, path] of [
      ['get', '/dashboard/recent-events'],
      ['get', '/dashboard/events/1'],
      ['post', '/dashboard/events/1/replay'],
      ['get', '/dashboard/dead-letter'],
      ['post', '/dashboard/dead-letter/1/retry'],
      ['post', '/dashboard/dead-letter/retry'],
      ['get', '/dashboard/queue-stats'],
      ['get', '/dashboard/audit'],
    ] as const) {
      const none = await request(t.server)[method](path);
      expect(none.status, path).toBe(401);
      expect(none.body.code).toBe('ADMIN_KEY_REQUIRED');
      const wrong = await request(t.server)[method](path).set('Authorization', 'Bearer not-the-key');
      expect(wrong.status, path).toBe(403);
      expect(wrong.body.code).toBe('ADMIN_AUTH_FAILED');
    }
    await request(t.server).get('/dashboard/queue-stats').set('Authorization', `Bearer ${OPS}`).expect(200);
    await request(t.server).get('/dashboard/queue-stats').set('X-API-Key', OLD).expect(200);
    await request(t.server).get('/dashboard/queue-stats').set('X-Admin-Key', OLD).expect(200);
  });

  it('recent-events: filters by status, entity type, Zoho id, time and error text; cursor pages newest first without overlap', async () => {
    for (let i = 0; i < 7; i++) await hook(invoice(`77000${i}`, `${100 + i}`)).expect(202);
    await hook(invoice('770100', '"not-a-number"')).expect(202);
    await hook(
      '{"contact":{"contact_id":"880001","contact_name":"Bagdad","last_modified_time":"2026-11-28T10:00:00+0300"}}',
      'contacts',
    ).expect(202);
    await drain();

    const all = await get('/dashboard/recent-events?limit=3').expect(200);
    expect(all.body.items).toHaveLength(3);
    const ids: string[] = all.body.items.map((e: { id: string }) => e.id);
    expect([...ids].sort((a, b) => Number(b) - Number(a))).toEqual(ids);
    // walk every page
    const seen = [...ids];
    let cursor = all.body.nextCursor as string | null;
    while (cursor) {
      const page = await get(`/dashboard/recent-events?limit=3&cursor=${cursor}`).expect(200);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    expect(Number(seen[0])).toBeGreaterThan(Number(seen[8]));

    const byId = await get('/dashboard/recent-events?entityId=770003').expect(200);
    expect(byId.body.items.map((e: { entityId: string }) => e.entityId)).toEqual(['770003']);
    expect(byId.body.nextCursor).toBeNull();

    const dead = await get('/dashboard/recent-events?status=dead_letter').expect(200);
    expect(dead.body.items).toHaveLength(1);
    expect(dead.body.items[0]).toMatchObject({ entityId: '770100', status: 'dead_letter', lastErrorCode: 'INVALID_PAYLOAD' });

    const contacts = await get('/dashboard/recent-events?entityType=contact').expect(200);
    expect(contacts.body.items.map((e: { entityId: string }) => e.entityId)).toEqual(['880001']);

    const q = await get('/dashboard/recent-events?q=INVOICE.TOTAL').expect(200);
    expect(q.body.items.map((e: { entityId: string }) => e.entityId)).toEqual(['770100']);
    // % and _ are literal text, not wildcards
    expect((await get('/dashboard/recent-events?q=%25').expect(200)).body.items).toEqual([]);

    const future = await get(`/dashboard/recent-events?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`).expect(
      200,
    );
    expect(future.body.items).toEqual([]);
    const past = await get(
      `/dashboard/recent-events?to=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}&limit=200`,
    ).expect(200);
    expect(past.body.items).toHaveLength(9);

    // a window in the past: events spread one hour apart in id order (as a queue fills)
    await db.query(
      `UPDATE tds.events SET received_at = now() - (SELECT max(id) FROM tds.events) * interval '1 hour' + id * interval '1 hour'`,
    );
    const newest = Number(seen[0]);
    const at = (hoursAgo: number) => encodeURIComponent(new Date(Date.now() - hoursAgo * 3600_000).toISOString());
    const window = await get(`/dashboard/recent-events?from=${at(4.5)}&to=${at(1.5)}`).expect(200);
    expect(window.body.items.map((e: { id: string }) => Number(e.id))).toEqual([newest - 2, newest - 3, newest - 4]);
    const before = await get(`/dashboard/recent-events?to=${at(6.5)}`).expect(200);
    expect(before.body.items.map((e: { id: string }) => Number(e.id))).toEqual([newest - 7, newest - 8]);
    const after = await get(`/dashboard/recent-events?from=${at(0.5)}&status=completed`).expect(200);
    expect(after.body.items.map((e: { id: string }) => Number(e.id))).toEqual([newest]);
  });

  it('400 names the malformed parameter or body field; 404 for unknown ids', async () => {
    const cases: [string, RegExp][] = [
      ['/dashboard/recent-events?status=exploded', /status/],
      ['/dashboard/recent-events?entityType=widgets', /entityType/],
      ['/dashboard/recent-events?entityId=abc', /entityId/],
      ['/dashboard/recent-events?from=yesterday', /from/],
      ['/dashboard/recent-events?limit=0', /limit/],
      ['/dashboard/recent-events?limit=201', /limit/],
      ['/dashboard/recent-events?cursor=bm9wZQ', /cursor/],
      ['/dashboard/recent-events?colour=red', /colour/],
      ['/dashboard/dead-letter?groupBy=planet', /groupBy/],
      ['/dashboard/dead-letter?fingerprint=XYZ', /fingerprint/],
      ['/dashboard/audit?result=maybe', /result/],
      ['/dashboard/audit?cursor=ZTox', /cursor/], // an events cursor is not an audit cursor
      ['/dashboard/events/abc', /"id"/],
    ];
    for (const [path, field] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.message, path).toMatch(field);
      expect(res.body).toMatchObject({ statusCode: 400, requestId: expect.any(String) });
    }
    const body = await post('/dashboard/dead-letter/retry', { dryRun: 'yes' });
    expect(body.status).toBe(400);
    expect(body.body.message).toMatch(/dryRun/);
    expect((await post('/dashboard/dead-letter/retry', {})).body.message).toMatch(/dryRun/);
    expect((await post('/dashboard/dead-letter/retry', { dryRun: true, limit: 5000 })).body.message).toMatch(/limit/);
    expect((await post('/dashboard/dead-letter/retry', { dryRun: true, colour: 'red' })).body.message).toMatch(/colour/);

    for (const path of ['/dashboard/events/999999', '/dashboard/events/9999999999999999999']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.code).toBe('EVENT_NOT_FOUND');
    }
    expect((await post('/dashboard/events/999999/replay')).status).toBe(404);
    expect((await post('/dashboard/dead-letter/999999/retry')).status).toBe(404);
    expect((await post('/dashboard/dead-letter/abc/retry')).status).toBe(400);
  });

  it('400 for a NUL character in free text, a window ending before it starts, a limit not in digits, a repeated parameter', async () => {
    const badQuery: [string, RegExp][] = [
      ['/dashboard/recent-events?q=%00', /^q must not contain a NUL character/],
      ['/dashboard/dead-letter?q=%00', /^q must not contain a NUL character/],
      ['/dashboard/audit?keyName=%00', /^keyName must not contain a NUL character/],
      ['/dashboard/audit?target=a%00b', /^target must not contain a NUL character/],
      ['/dashboard/recent-events?from=2026-11-29T00:00:00Z&to=2026-11-28T00:00:00Z', /^to must not be earlier than from$/],
      ['/dashboard/dead-letter?from=2026-11-29T00:00:00Z&to=2026-11-28T00:00:00Z', /^to must not be earlier than from$/],
      ['/dashboard/audit?from=2026-11-29T00:00:00Z&to=2026-11-28T00:00:00Z', /^to must not be earlier than from$/],
      ['/dashboard/recent-events?limit=1e1', /^limit must be an integer between 1 and 200$/],
      ['/dashboard/recent-events?limit=0x10', /^limit must be an integer between 1 and 200$/],
      ['/dashboard/recent-events?limit=%205', /^limit must be an integer between 1 and 200$/],
      ['/dashboard/audit?limit=2.0', /^limit must be an integer between 1 and 200$/],
      ['/dashboard/dead-letter?limit=201', /^limit must be an integer between 1 and 200$/],
      ['/dashboard/recent-events?limit=1&limit=2', /^Parameter "limit" is given more than once$/],
      ['/dashboard/audit?action=event.replay&action=x', /^Parameter "action" is given more than once$/],
      ['/dashboard/alerts?limit=1&limit=2', /^Parameter "limit" is given more than once$/],
    ];
    for (const [path, message] of badQuery) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.message, path).toMatch(message);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
    }
    const badBody: [object, RegExp][] = [
      [{ dryRun: false, q: '\u0000' }, /^q must not contain a NUL character/],
      [{ dryRun: true, from: '2026-11-29T00:00:00Z', to: '2026-11-28T00:00:00Z' }, /^to must not be earlier than from$/],
      [{ dryRun: true, limit: '1e1' }, /^limit must be an integer between 1 and 1000$/],
    ];
    for (const [body, message] of badBody) {
      const res = await post('/dashboard/dead-letter/retry', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message, JSON.stringify(body)).toMatch(message);
    }

    // Still accepted: digits, an empty window (from = to), a lone parameter.
    expect((await get('/dashboard/recent-events?limit=10')).status).toBe(200);
    expect((await get('/dashboard/audit?from=2026-11-28T00:00:00Z&to=2026-11-28T00:00:00Z')).status).toBe(200);
    expect((await get('/dashboard/recent-events?from=2026-11-28T00:00:00Z&to=2026-11-29T00:00:00Z&q=text')).status).toBe(200);
    expect((await post('/dashboard/dead-letter/retry', { dryRun: true, limit: '5', q: 'plain' })).status).toBe(200);
  });

  it('events/:id: the event in full: payload, raw body, stored headers, attempts with errors and durations, the ERP row', async () => {
    const sent = await hook(invoice('771000', '125.50')).expect(202);
    await drain();
    const res = await get(`/dashboard/events/${sent.body.eventId}`).expect(200);
    expect(res.body).toMatchObject({
      id: sent.body.eventId,
      entityType: 'invoice',
      entityId: '771000',
      status: 'completed',
      outcome: 'applied',
      headers: { contentType: 'application/json', requestId: expect.any(String) },
      rawBody: invoice('771000', '125.50'),
      payload: { invoice_id: '771000', total: '125.50' },
      erp: { table: 'erp.invoices', key: 'zoho_invoice_id', row: expect.objectContaining({ zoho_invoice_id: '771000', total: '125.50' }) },
      replayOf: null,
    });
    expect(res.body.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'applied', durationMs: expect.any(Number), error: null }),
    ]);

    const bad = (await get('/dashboard/recent-events?entityId=770100').expect(200)).body.items[0];
    const detail = await get(`/dashboard/events/${bad.id}`).expect(200);
    expect(detail.body.attemptLog[0]).toMatchObject({ outcome: 'dead_letter', error: expect.stringMatching(/invoice\.total/) });
    expect(detail.body.erp).toEqual({ table: 'erp.invoices', key: 'zoho_invoice_id', row: null });
  });

  it('replay: a new event with identical content is applied again; an older version never overwrites a newer one; 410 once pruned', async () => {
    const v1 = await hook(invoice('772000', '100', '2026-11-28T10:00:00+0300')).expect(202);
    await drain();
    // an operator (or a bad import) changed the ERP row; replaying the same content restores it
    await db.query(`UPDATE erp.invoices SET total = 1 WHERE zoho_invoice_id = '772000'`);
    const dup = await hook(invoice('772000', '100', '2026-11-28T10:00:00+0300')).expect(202);
    expect(dup.body.status).toBe('duplicate'); // a webhook redelivery is deduplicated…
    const replay = await post(`/dashboard/events/${v1.body.eventId}/replay`).expect(202);
    expect(replay.body).toMatchObject({ sourceEventId: v1.body.eventId, status: 'pending' });
    expect(replay.body.eventId).not.toBe(v1.body.eventId); // …a replay is not
    await drain();
    const applied = await get(`/dashboard/events/${replay.body.eventId}`).expect(200);
    expect(applied.body).toMatchObject({ status: 'completed', outcome: 'applied', replayOf: v1.body.eventId, entityId: '772000' });
    expect((await db.query(`SELECT total::text FROM erp.invoices WHERE zoho_invoice_id = '772000'`))[0]).toEqual({ total: '100' });

    // a newer version arrives; replaying the older one is skipped as stale
    await hook(invoice('772000', '200', '2026-11-28T11:00:00+0300')).expect(202);
    await drain();
    const stale = await post(`/dashboard/events/${v1.body.eventId}/replay`).expect(202);
    await drain();
    expect((await get(`/dashboard/events/${stale.body.eventId}`).expect(200)).body).toMatchObject({
      status: 'completed',
      outcome: 'skipped_stale',
    });
    expect((await db.query(`SELECT total::text FROM erp.invoices WHERE zoho_invoice_id = '772000'`))[0]).toEqual({ total: '200' });

    // retention pruned the stored request: 410, nothing inserted
    await db.query(`UPDATE tds.events SET payload = NULL, body = NULL WHERE id = $1`, [v1.body.eventId]);
    const before = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tds.events`))[0].n;
    const gone = await post(`/dashboard/events/${v1.body.eventId}/replay`);
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ code: 'EVENT_PAYLOAD_PRUNED', message: expect.stringMatching(/pruned/) });
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tds.events`))[0].n).toBe(before);
    const pruned = await get(`/dashboard/events/${v1.body.eventId}`).expect(200);
    expect(pruned.body).toMatchObject({ rawBody: null, payload: null });
  });

  it('replay of a delete without a Zoho time keeps the original version: a record re-created since stays', async () => {
    const contact = (extra: string) => `{"contact":{"contact_id":"889001","contact_name":"Replay Co"${extra}}}`;
    await hook(contact(',"last_modified_time":"2026-11-28T10:00:00+0300"'), 'contacts').expect(202);
    const del = await request(t.server)
      .delete('/webhooks/contacts')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', HOOK)
      .send('{"contact":{"contact_id":"889001"}}')
      .expect(202);
    await drain();
    const [{ received }] = await db.query<{ received: Date }>(`SELECT received_at AS received FROM tds.events WHERE id = $1`, [
      del.body.eventId,
    ]);
    // re-created by an edit one second after the delete was received (and before now)
    const zoho = new Date(received.getTime() + 1000).toISOString().replace(/\.\d+Z$/, '+0000');
    await hook(contact(`,"last_modified_time":"${zoho}"`), 'contacts').expect(202);
    await drain();
    expect((await db.query(`SELECT deleted_at FROM erp.contacts WHERE zoho_contact_id = '889001'`))[0]).toEqual({ deleted_at: null });
    const replay = await post(`/dashboard/events/${del.body.eventId}/replay`).expect(202);
    await drain();
    expect((await get(`/dashboard/events/${replay.body.eventId}`).expect(200)).body).toMatchObject({
      status: 'completed',
      outcome: 'skipped_stale',
    });
    expect((await db.query(`SELECT deleted_at FROM erp.contacts WHERE zoho_contact_id = '889001'`))[0]).toEqual({ deleted_at: null });
  });

  it('dead letter: list, grouped by error fingerprint (ids normalised out), single retry, bulk retry dry-run vs real', async () => {
    for (const id of ['773001', '773002', '773003']) await hook(invoice(id, '"n/a"')).expect(202);
    await hook(
      '{"contact":{"contact_id":"883001","contact_name":"X","credit_limit":"lots","last_modified_time":"2026-11-28T10:00:00+0300"}}',
      'contacts',
    ).expect(202);
    await drain();

    const list = await get('/dashboard/dead-letter?limit=2').expect(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items.every((e: { status: string }) => e.status === 'dead_letter')).toBe(true);
    expect(list.body.nextCursor).toEqual(expect.any(String));

    const grouped = await get('/dashboard/dead-letter?groupBy=error').expect(200);
    const groups = grouped.body.groups as {
      fingerprint: string;
      pattern: string;
      count: number;
      entityTypes: string[];
      firstSeen: string;
      lastSeen: string;
    }[];
    // invoice.total on 770100 ("not-a-number") and 773001-3 ("n/a"): one cause, one group
    const totals = groups.find((g) => g.entityTypes.includes('invoice'))!;
    expect(totals).toMatchObject({ count: 4, entityTypes: ['invoice'] });
    expect(totals.pattern).not.toMatch(/\d{3}/);
    expect(new Date(totals.firstSeen).getTime()).toBeLessThanOrEqual(new Date(totals.lastSeen).getTime());
    expect(groups.find((g) => g.entityTypes.includes('contact'))).toMatchObject({ count: 1 });
    expect((await get('/dashboard/dead-letter?groupBy=error&cursor=ZTox')).status).toBe(400);

    const ofGroup = await get(`/dashboard/dead-letter?fingerprint=${totals.fingerprint}&limit=200`).expect(200);
    expect(ofGroup.body.items).toHaveLength(4);

    const snapshot = () => db.query(`SELECT id, status, attempts, retry_base, last_error FROM tds.events ORDER BY id`);
    const before = await snapshot();
    const dry = await post('/dashboard/dead-letter/retry', { fingerprint: totals.fingerprint, dryRun: true, limit: 3 }).expect(200);
    expect(dry.body).toMatchObject({ dryRun: true, matched: 4, retried: 3 });
    expect(dry.body.eventIds).toHaveLength(3);
    expect(await snapshot()).toEqual(before); // nothing changed

    const real = await post('/dashboard/dead-letter/retry', { fingerprint: totals.fingerprint, dryRun: false, limit: 3 }).expect(200);
    expect(real.body).toMatchObject({ dryRun: false, matched: 4, retried: 3, eventIds: dry.body.eventIds });
    const rows = await db.query<{ id: string; status: string }>(
      `SELECT id::text AS id, status FROM tds.events WHERE id = ANY($1::bigint[])`,
      [real.body.eventIds],
    );
    expect(rows.map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    expect((await get(`/dashboard/dead-letter?fingerprint=${totals.fingerprint}`).expect(200)).body.items).toHaveLength(1);

    // single retry of the contact; a second retry is a 409
    const contact = (await get('/dashboard/dead-letter?entityType=contact').expect(200)).body.items[0];
    await post(`/dashboard/dead-letter/${contact.id}/retry`).expect(202);
    expect((await post(`/dashboard/dead-letter/${contact.id}/retry`)).status).toBe(409);
  });

  it('queue-stats: by status × entity type, oldest pending, retry histogram', async () => {
    const res = await get('/dashboard/queue-stats').expect(200);
    const invoices = res.body.byEntityType.find((r: { entityType: string }) => r.entityType === 'invoice');
    const pending = (
      await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tds.events WHERE status = 'pending' AND entity_type = 'invoice'`)
    )[0].n;
    const dead = (
      await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tds.events WHERE status = 'dead_letter' AND entity_type = 'invoice'`)
    )[0].n;
    const done = (
      await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tds.events WHERE status = 'completed' AND entity_type = 'invoice'`)
    )[0].n;
    expect(invoices).toMatchObject({ pending, deadLetter: dead, completedLast24h: done });
    expect(pending).toBeGreaterThan(0);
    expect(res.body.totals.pending.count).toBeGreaterThanOrEqual(pending);
    expect(res.body.oldestPending).toMatchObject({ receivedAt: expect.any(String), ageSeconds: expect.any(Number) });
    const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tds.events`))[0].n;
    const histogram = res.body.retryHistogram as { attempts: number; count: number }[];
    expect(histogram.reduce((s, b) => s + b.count, 0)).toBe(total);
    expect(histogram.find((b) => b.attempts === 1)?.count).toBeGreaterThan(0);
  });

  it('audit: every action (and its failures) with the key name, never the key, and the client IP; filters and pages', async () => {
    const rows = await db.query<{
      key_name: string;
      action: string;
      target: string;
      client_ip: string;
      status_code: number;
      result: string;
      detail: string;
    }>(`SELECT key_name, action, target, client_ip, status_code, result, detail FROM tds.admin_audit ORDER BY id`);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => r.key_name === 'ops' && r.client_ip === '127.0.0.1')).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(OPS);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'event.replay',
          status_code: 202,
          result: 'succeeded',
          detail: expect.stringMatching(/^replayed as event \d+$/),
        }),
        expect.objectContaining({
          action: 'event.replay',
          status_code: 410,
          result: 'failed',
          detail: expect.stringMatching(/EVENT_PAYLOAD_PRUNED/),
        }),
        expect.objectContaining({ action: 'event.replay', target: '999999', status_code: 404, result: 'failed' }),
        expect.objectContaining({ action: 'dead-letter.bulk-retry', status_code: 200, detail: 'dry run: would retry 3 of 4 matching' }),
        expect.objectContaining({ action: 'dead-letter.bulk-retry', status_code: 200, detail: 'retried 3 of 4 matching' }),
        expect.objectContaining({ action: 'dead-letter.retry', status_code: 202, result: 'succeeded' }),
        expect.objectContaining({ action: 'dead-letter.retry', status_code: 409, result: 'failed' }),
      ]),
    );
    // reads are not actions
    expect(rows.some((r) => r.action.startsWith('get'))).toBe(false);

    await post('/dashboard/dead-letter/retry', { dryRun: true }, OLD).expect(200);
    const byOld = await get('/dashboard/audit?keyName=ops-old').expect(200);
    expect(byOld.body.items).toEqual([
      expect.objectContaining({
        keyName: 'ops-old',
        action: 'dead-letter.bulk-retry',
        clientIp: '127.0.0.1',
        statusCode: 200,
        result: 'succeeded',
      }),
    ]);
    const failed = await get('/dashboard/audit?result=failed&action=event.replay').expect(200);
    expect(failed.body.items.map((i: { statusCode: number }) => i.statusCode).sort()).toEqual([404, 410]);
    const page1 = await get('/dashboard/audit?limit=2').expect(200);
    const page2 = await get(`/dashboard/audit?limit=2&cursor=${page1.body.nextCursor}`).expect(200);
    expect(Number(page2.body.items[0].id)).toBeLessThan(Number(page1.body.items[1].id));
  });

  it('parallel retries of one dead letter: exactly one 202, the others 409 EVENT_NOT_RETRYABLE (not 410), audited as such', async () => {
    await hook(
      '{"contact":{"contact_id":"883777","contact_name":"Y","credit_limit":"lots","last_modified_time":"2026-11-28T10:00:00+0300"}}',
      'contacts',
    ).expect(202);
    await drain();
    const [dead] = await db.query<{ id: string; attempts: number }>(
      `SELECT id::text AS id, attempts FROM tds.events WHERE entity_id = '883777' AND status = 'dead_letter'`,
    );
    expect(dead).toBeDefined();
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => post(`/dashboard/dead-letter/${dead.id}/retry`)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409, 409, 409]);
    for (const lost of answers.filter((a) => a.status === 409)) {
      expect(lost.body).toMatchObject({ code: 'EVENT_NOT_RETRYABLE', message: expect.stringMatching(/is pending/) });
    }
    // one retry happened: the row is pending with one fresh budget, its payload intact
    const [row] = await db.query<{ status: string; retry_base: number; has_payload: boolean }>(
      `SELECT status, retry_base, payload IS NOT NULL AS has_payload FROM tds.events WHERE id = $1`,
      [dead.id],
    );
    expect(row).toEqual({ status: 'pending', retry_base: dead.attempts, has_payload: true });
    const audit = await db.query<{ status_code: number; result: string; detail: string | null }>(
      `SELECT status_code, result, detail FROM tds.admin_audit WHERE action = 'dead-letter.retry' AND target = $1 ORDER BY id`,
      [dead.id],
    );
    expect(audit.map((r) => r.status_code).sort()).toEqual([202, 409, 409, 409, 409, 409]);
    expect(audit.filter((r) => r.result === 'succeeded')).toHaveLength(1);
    expect(
      audit.filter((r) => r.status_code === 409).every((r) => r.result === 'failed' && /^EVENT_NOT_RETRYABLE: /.test(r.detail ?? '')),
    ).toBe(true);
    expect(audit.some((r) => /PRUNED/.test(r.detail ?? ''))).toBe(false);
  });

  it('a validation 400 is audited with its code and the validation messages, not "Bad Request Exception"', async () => {
    const res = await post('/dashboard/dead-letter/retry', { dryRun: true, limit: 5000, colour: 'red' }).expect(400);
    const [row] = await db.query<{ status_code: number; result: string; detail: string; request_id: string }>(
      `SELECT status_code, result, detail, request_id FROM tds.admin_audit WHERE request_id = $1`,
      [res.body.requestId],
    );
    expect(row).toMatchObject({ status_code: 400, result: 'failed' });
    expect(row.detail).toBe(`BAD_REQUEST: ${res.body.message}`);
    expect(row.detail).toMatch(/limit/);
    expect(row.detail).toMatch(/colour/);
    expect(row.detail).not.toContain('Bad Request Exception');
  });
});

describe('rate limits (e2e): 429 with Retry-After in the one error shape', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      WEBHOOK_API_KEYS: HOOK,
      ADMIN_API_KEYS: `a:${OPS},b:${OLD}`,
      RATE_LIMIT_PER_MINUTE: '2',
      RATE_LIMIT_READS_PER_MINUTE: '3',
      RATE_LIMIT_WEBHOOKS_PER_MINUTE: '2',
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const expect429 = (res: request.Response, what: RegExp) => {
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'RATE_LIMITED',
      message: expect.stringMatching(what),
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  };

  it('admin actions per key: the third action of key a is refused; key b and reads still pass', async () => {
    const act = (key: string) => request(t.server).post('/dashboard/dead-letter/retry').set('X-API-Key', key).send({ dryRun: true });
    expect((await act(OPS)).status).toBe(200);
    expect((await act(OPS)).status).toBe(200);
    expect429(await act(OPS), /admin actions: at most 2 a minute/);
    expect((await act(OLD)).status).toBe(200);
    expect((await request(t.server).get('/dashboard/queue-stats').set('X-API-Key', OPS)).status).toBe(200);
  });

  it('admin reads per key, across routes', async () => {
    const read = (path: string) => request(t.server).get(path).set('X-API-Key', OLD);
    expect((await read('/dashboard/queue-stats')).status).toBe(200);
    expect((await read('/dashboard/recent-events')).status).toBe(200);
    expect((await read('/dashboard/audit')).status).toBe(200);
    expect429(await read('/dashboard/dead-letter'), /admin reads: at most 3 a minute/);
  });

  it('webhooks per client IP, before the key check', async () => {
    const send = () =>
      request(t.server)
        .post('/webhooks/contacts')
        .set('Content-Type', 'application/json')
        .set('X-Webhook-Key', HOOK)
        .send('{"contact":{"contact_id":"1"}}');
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(202);
    const refused = await send();
    expect429(refused, /webhook requests from this client: at most 2 a minute/);
    expect(refused.headers.connection).toBe('close');
    const noKey = await request(t.server).post('/webhooks/contacts').set('Content-Type', 'application/json').send('{}');
    expect(noKey.status).toBe(429);
    expect((await t.app.get(QueueWorker).drainOnce()) >= 0).toBe(true);
  });
});
