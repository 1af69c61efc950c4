import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { TcpProxy } from '../support/tcp-proxy';
import { zohoSignature } from '../support/zoho-signature';

const KEYS = 'key-old-123456,key-new-654321';
const SECRET_A = 'secretAAAA1111';
const SECRET_B = 'secretBBBB2222';
const BIG_ID = '130426000002924000123'; // > 2^53: JSON.parse would round it

const contactBody = (id = '460000000026049', modified = '2026-11-28T10:15:30+0300', extra = '') =>
  `{"contact":{"contact_id":${id},"contact_name":"Bagdad Trading Co.","contact_type":"customer","credit_limit":1500000.50,` +
  `"last_modified_time":"${modified}","unexpected_new_field":{"zoho":"adds fields freely"}${extra}}}`;

describe('webhook receiver (e2e)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tds.events'))[0].n);
  const post = (path: string) => request(t.server).post(path);

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await TcpProxy.start(db.url);
    t = await startTestApp(proxy.url, {
      WEBHOOK_API_KEYS: KEYS,
      ZOHO_WEBHOOK_SECRETS: `${SECRET_A},${SECRET_B}`,
      WEBHOOK_MAX_BODY_BYTES: '65536',
      WEBHOOK_RETRY_AFTER_SECONDS: '17',
      WEBHOOK_COMMIT_TIMEOUT_MS: '1500',
    });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events CASCADE');
  });

  it('accepts a Zoho default payload with X-Webhook-Key: 202 after commit, exact bytes and exact id kept', async () => {
    const body = contactBody(BIG_ID);
    const res = await post('/webhooks/contacts?event=created&organization_id=20099887766')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', 'key-old-123456')
      .send(body);
    expect(res.body).toMatchObject({ status: 'queued', entityType: 'contact', entityId: BIG_ID, recordType: 'contact', event: 'created' });
    const [row] = await db.query<Record<string, unknown>>(
      `SELECT id::text AS id, entity_id, event_kind, status, organization_id, convert_from(body, 'UTF8') AS body,
              payload->>'contact_id' AS payload_id, (payload->>'credit_limit') AS credit_limit,
              zoho_modified_at AT TIME ZONE 'UTC' AS modified_utc
       FROM tds.events`,
    );
    expect(row).toMatchObject({
      id: res.body.eventId,
      entity_id: BIG_ID,
      event_kind: 'created',
      status: 'pending',
      organization_id: '20099887766',
      body,
      payload_id: BIG_ID,
      credit_limit: '1500000.50',
    });
    expect(new Date(row.modified_utc as string).toISOString()).toBe('2026-11-28T07:15:30.000Z');
  });

  it('keeps the exact id when the id key is written more than once (nested, duplicated, or spelled with \\u)', async () => {
    const send = (b: string) =>
      post('/webhooks/contacts').set('Content-Type', 'application/json').set('X-Webhook-Key', 'key-new-654321').send(b);
    // the nested id comes first and rounds to the same double as the record's own
    const nested = await send(
      `{"contact_persons":[{"contact_id":130426000002924000124}],` + contactBody(BIG_ID, '2026-11-28T10:15:31+0300').slice(1),
    );
    expect(nested.status).toBe(202);
    expect(nested.body.entityId).toBe(BIG_ID);
    // a duplicate key: the last one wins, as in JSON.parse and jsonb
    const dup = await send(contactBody('1', '2026-11-28T10:15:32+0300', `,"contact_id":${BIG_ID}`));
    expect(dup.body.entityId).toBe(BIG_ID);
    const escaped = await send(contactBody('1', '2026-11-28T10:15:33+0300', `,"contact\\u005fid":${BIG_ID}`));
    expect(escaped.body.entityId).toBe(BIG_ID);
    const rows = await db.query<{ entity_id: string; payload_id: string }>(
      `SELECT entity_id, payload->>'contact_id' AS payload_id FROM tds.events ORDER BY id`,
    );
    expect(rows).toEqual([
      { entity_id: BIG_ID, payload_id: BIG_ID },
      { entity_id: BIG_ID, payload_id: BIG_ID },
      { entity_id: BIG_ID, payload_id: BIG_ID },
    ]);
  });

  it('a redelivery of the same version is a duplicate and stored once; a newer version is queued', async () => {
    const send = (b: string) =>
      post('/webhooks/contacts').set('Content-Type', 'application/json').set('X-Webhook-Key', 'key-new-654321').send(b);
    const first = await send(contactBody()).expect(202);
    const again = await send(contactBody()).expect(202);
    expect(again.body).toMatchObject({ status: 'duplicate', eventId: first.body.eventId });
    const newer = await send(contactBody('460000000026049', '2026-11-28T11:00:00+0300')).expect(202);
    expect(newer.body.status).toBe('queued');
    expect(await count()).toBe(2);
  });

  it('concurrent identical deliveries store one event', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        post('/webhooks/contacts').set('Content-Type', 'application/json').set('X-Webhook-Key', 'key-new-654321').send(contactBody('777')),
      ),
    );
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(new Set(results.map((r) => r.body.eventId)).size).toBe(1);
    expect(results.filter((r) => r.body.status === 'queued')).toHaveLength(1);
    expect(await count()).toBe(1);
  });

  it.each([
    ['contacts', '{"contact":{"contact_id":"1"}}', 'contact', 'contact'],
    ['customers', '{"contact":{"contact_id":"2"}}', 'contact', 'contact'],
    ['vendors', '{"contact":{"contact_id":"3","contact_type":"vendor"}}', 'contact', 'contact'],
    ['products', '{"item":{"item_id":"4"}}', 'product', 'item'],
    ['items', '{"item":{"item_id":"5"}}', 'product', 'item'],
    ['sales-orders', '{"salesorder":{"salesorder_id":"6"}}', 'sales_order', 'salesorder'],
    ['orders', '{"salesorder":{"salesorder_id":"7"}}', 'sales_order', 'salesorder'],
    ['invoices', '{"invoice":{"invoice_id":"8"}}', 'invoice', 'invoice'],
    ['bills', '{"bill":{"bill_id":"9"}}', 'bill', 'bill'],
    ['credit-notes', '{"creditnote":{"creditnote_id":"10"}}', 'credit_note', 'creditnote'],
    ['stock', '{"inventory_adjustment":{"inventory_adjustment_id":"11"}}', 'stock', 'inventory_adjustment'],
    ['stock', '{"item":{"item_id":"12"}}', 'stock', 'item'],
    ['prices', '{"pricebook":{"pricebook_id":"13"}}', 'price', 'pricebook'],
    ['prices', '{"item":{"item_id":"14"}}', 'price', 'item'],
  ])('route /webhooks/%s with %s → %s', async (route, body, entityType, recordType) => {
    const res = await post(`/webhooks/${route}`)
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', 'key-old-123456')
      .send(body)
      .expect(202);
    expect(res.body).toMatchObject({ entityType, recordType, status: 'queued' });
    const [row] = await db.query<{ entity_type: string; record_type: string }>('SELECT entity_type, record_type FROM tds.events');
    expect(row).toEqual({ entity_type: entityType, record_type: recordType });
  });

  it('accepts ?token= and both rotated keys; DELETE means deleted', async () => {
    await post('/webhooks/invoices?token=key-new-654321')
      .set('Content-Type', 'application/json')
      .send('{"invoice":{"invoice_id":"1"}}')
      .expect(202);
    const del = await request(t.server)
      .delete('/webhooks/invoices')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', 'key-old-123456')
      .send('{"invoice":{"invoice_id":"1"}}')
      .expect(202);
    expect(del.body.event).toBe('deleted');
    expect(await count()).toBe(2);
  });

  describe('X-Zoho-Webhook-Signature', () => {
    const body = contactBody('900');
    it.each([
      ['hex, secret A', SECRET_A, 'hex'],
      ['base64, secret A', SECRET_A, 'base64'],
      ['hex, rotated secret B', SECRET_B, 'hex'],
    ] as const)('accepts %s over sorted query params + raw body', async (_n, secret, enc) => {
      const query = { organization_id: '20099887766', event: 'updated' };
      const sig = zohoSignature(secret, query, body, enc);
      await post('/webhooks/contacts?organization_id=20099887766&event=updated')
        .set('Content-Type', 'application/json')
        .set('X-Zoho-Webhook-Signature', sig)
        .send(body)
        .expect(202);
    });

    it('refuses a signature replayed onto another body or other query parameters', async () => {
      const sig = zohoSignature(SECRET_A, {}, body);
      const tampered = body.replace('Bagdad', 'Basra');
      const r1 = await post('/webhooks/contacts')
        .set('Content-Type', 'application/json')
        .set('X-Zoho-Webhook-Signature', sig)
        .send(tampered);
      expect(r1.status).toBe(401);
      const r2 = await post('/webhooks/contacts?event=deleted')
        .set('Content-Type', 'application/json')
        .set('X-Zoho-Webhook-Signature', sig)
        .send(body);
      expect(r2.status).toBe(401);
      expect(await count()).toBe(0);
    });

    it('accepts a form body whose JSON is in JSONString, signed over the form fields', async () => {
      const json = '{"invoice":{"invoice_id":"4410","total":"250000","last_modified_time":"2026-11-28T10:00:00+0300"}}';
      const form = `JSONString=${encodeURIComponent(json)}`;
      const sig = zohoSignature(SECRET_B, { JSONString: json, organization_id: '1' }, undefined);
      const res = await post('/webhooks/invoices?organization_id=1')
        .set('Content-Type', 'application/x-www-form-urlencoded;charset=UTF-8')
        .set('X-Zoho-Webhook-Signature', sig)
        .send(form)
        .expect(202);
      expect(res.body).toMatchObject({ entityId: '4410', status: 'queued' });
    });
  });

  describe('bad input: clear 4xx, nothing stored', () => {
    // serialize(identity): send Buffers byte for byte (superagent would JSON-encode them).
    const json = (path: string, body: string | Buffer, key = 'key-old-123456') =>
      post(path)
        .set('Content-Type', 'application/json')
        .set('X-Webhook-Key', key)
        .serialize((b: unknown) => b as string)
        .send(body as string);

    it.each([
      ['invalid JSON', '{"contact": {"contact_id": "1",}}', 400, /Invalid JSON.*position/],
      ['truncated JSON', '{"contact": {"contact_id": "1"', 400, /Invalid JSON/],
      ['empty body', '', 400, /empty/],
      ['deep nesting', `{"contact":{"contact_id":"1","x":${'['.repeat(5000)}${']'.repeat(5000)}}}`, 400, /nesting/],
      ['a JSON array', '[{"contact":{"contact_id":"1"}}]', 422, /JSON object/],
      ['missing envelope', '{"contact_id":"1","contact_name":"x"}', 422, /expected the record under 'contact'/],
      ['wrong entity for the route', '{"invoice":{"invoice_id":"1"}}', 422, /holds 'invoice'.*\/webhooks\/invoices/],
      ['record not an object', '{"contact":"1"}', 422, /must be a JSON object/],
      ['missing id', '{"contact":{"contact_name":"x"}}', 422, /Missing contact\.contact_id/],
      ['empty id', '{"contact":{"contact_id":"  "}}', 422, /contact\.contact_id is empty/],
      ['id of the wrong type', '{"contact":{"contact_id":{"a":1}}}', 422, /contact\.contact_id must be/],
    ])('%s → %i', async (_name, body, status, message) => {
      const res = await json('/webhooks/contacts', body);
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(res.body).toMatchObject({ statusCode: status, requestId: expect.any(String), error: expect.any(String) });
      expect(await count()).toBe(0);
    });

    it('duplicate keys: the last one wins, as PostgreSQL jsonb reads it', async () => {
      const res = await json('/webhooks/contacts', '{"contact":{"contact_id":"1","contact_name":"a","contact_id":"2"}}');
      expect(res.status).toBe(202);
      expect(res.body.entityId).toBe('2');
      expect(await db.query(`SELECT entity_id, payload->>'contact_id' AS p FROM tds.events`)).toEqual([{ entity_id: '2', p: '2' }]);
    });

    it('invalid UTF-8 → 400', async () => {
      const res = await json('/webhooks/contacts', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
      expect(res.status).toBe(400);
      expect(await count()).toBe(0);
    });

    it('a UTF-8 BOM is tolerated', async () => {
      await json(
        '/webhooks/contacts',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"contact":{"contact_id":"1"}}')]),
      ).expect(202);
    });

    it('unknown event kind → 422 naming the parameter', async () => {
      const res = await json('/webhooks/contacts?event=exploded', '{"contact":{"contact_id":"1"}}');
      expect(res.status).toBe(422);
      expect(res.body.message).toMatch(/event="exploded"/);
    });

    it('missing credentials → 401 naming the expected headers; wrong key → 401', async () => {
      const none = await post('/webhooks/contacts').set('Content-Type', 'application/json').send('{"contact":{"contact_id":"1"}}');
      expect(none.status).toBe(401);
      expect(none.body.message).toMatch(/Missing webhook credentials.*X-Webhook-Key.*X-Zoho-Webhook-Signature/);
      const wrong = await json('/webhooks/contacts', '{"contact":{"contact_id":"1"}}', 'key-old-12345');
      expect(wrong.status).toBe(401);
      expect(wrong.body.message).toMatch(/Invalid webhook credentials/);
      expect(await count()).toBe(0);
    });

    it('auth is checked before the body is parsed (no parser details for strangers)', async () => {
      const res = await post('/webhooks/contacts').set('Content-Type', 'application/json').send('{nope');
      expect(res.status).toBe(401);
    });

    it('other content types → 415', async () => {
      const res = await post('/webhooks/contacts')
        .set('Content-Type', 'text/plain')
        .set('X-Webhook-Key', 'key-old-123456')
        .send('{"contact":{"contact_id":"1"}}');
      expect(res.status).toBe(415);
      expect(res.body.message).toMatch(/application\/json/);
      const xml = await post('/webhooks/contacts')
        .set('Content-Type', 'application/xml')
        .set('X-Webhook-Key', 'key-old-123456')
        .send('<contact/>');
      expect(xml.status).toBe(415);
      expect(await count()).toBe(0);
    });

    it('a body over WEBHOOK_MAX_BODY_BYTES → 413', async () => {
      const big = `{"contact":{"contact_id":"1","notes":"${'x'.repeat(70000)}"}}`;
      const res = await json('/webhooks/contacts', big);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(await count()).toBe(0);
    });

    it.each(['widgets', 'constructor', '__proto__', 'toString'])('unknown route /webhooks/%s → 404 listing the routes', async (route) => {
      const res = await json(`/webhooks/${route}`, '{"widget":{"id":"1"}}');
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(/contacts, products, sales-orders/);
    });
  });

  it('NUL characters and exotic text: raw bytes kept exactly, payload usable', async () => {
    const body =
      '{"contact":{"contact_id":"55","contact_name":"شركة بغداد \\u0000 کوردستان 🚀","notes":"<script>alert(1)</script>\'; DROP TABLE erp.contacts;--"}}';
    await post('/webhooks/contacts').set('Content-Type', 'application/json').set('X-Webhook-Key', 'key-old-123456').send(body).expect(202);
    const [row] = await db.query<{ body: string; name: string; notes: string }>(
      `SELECT convert_from(body, 'UTF8') AS body, payload->>'contact_name' AS name, payload->>'notes' AS notes FROM tds.events`,
    );
    expect(row.body).toBe(body);
    expect(row.name).toBe('شركة بغداد  کوردستان 🚀');
    expect(row.notes).toBe("<script>alert(1)</script>'; DROP TABLE erp.contacts;--");
  });

  it('database unreachable → 503 with Retry-After, nothing stored; recovers when it returns', async () => {
    proxy.cut();
    try {
      const res = await post('/webhooks/contacts')
        .set('Content-Type', 'application/json')
        .set('X-Webhook-Key', 'key-old-123456')
        .send(contactBody('31337'));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('17');
      expect(res.body.code).toBe('DATABASE_UNAVAILABLE');
    } finally {
      proxy.restore();
    }
    expect(await count()).toBe(0);
    await expect
      .poll(
        async () =>
          (
            await post('/webhooks/contacts')
              .set('Content-Type', 'application/json')
              .set('X-Webhook-Key', 'key-old-123456')
              .send(contactBody('31337'))
          ).status,
        { timeout: 10_000, interval: 200 },
      )
      .toBe(202);
    expect(await count()).toBe(1);
  });
  it('database that hangs (no answer, no reset) → 503 within WEBHOOK_COMMIT_TIMEOUT_MS, never a 2xx without commit; recovers', async () => {
    // A batch was answered 202 before: its connection is in the pool and will be the one that hangs.
    await post('/webhooks/contacts')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', 'key-old-123456')
      .send(contactBody('41000'))
      .expect(202);
    proxy.hang();
    let answers: request.Response[];
    const started = Date.now();
    try {
      answers = await Promise.all(
        ['41001', '41002', '41003'].map((id) =>
          post('/webhooks/contacts').set('Content-Type', 'application/json').set('X-Webhook-Key', 'key-old-123456').send(contactBody(id)),
        ),
      );
    } finally {
      proxy.restore();
    }
    // 1.5 s for the INSERT, or 5 s for a new connection that never completes its start-up: well before a client gives up.
    expect(Date.now() - started).toBeLessThan(9000);
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.headers['retry-after']).toBe('17');
      expect(res.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE', requestId: res.headers['x-request-id'] });
    }
    // Once it answers again: accepted, and every event is stored at most once (the one answered 202 exactly once).
    await expect
      .poll(
        async () =>
          (
            await post('/webhooks/contacts')
              .set('Content-Type', 'application/json')
              .set('X-Webhook-Key', 'key-old-123456')
              .send(contactBody('41004'))
          ).status,
        { timeout: 15_000, interval: 200 },
      )
      .toBe(202);
    const rows = await db.query<{ entity_id: string; n: number }>(
      `SELECT entity_id, count(*)::int AS n FROM tds.events GROUP BY entity_id ORDER BY entity_id`,
    );
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(rows.map((r) => r.entity_id)).toEqual(expect.arrayContaining(['41000', '41004']));
  });
});

describe('organization allow-list (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: 'k-123456789012', ZOHO_ORGANIZATION_IDS: '20099887766, 555' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('403 for a missing or unlisted organization_id, 202 for a listed one', async () => {
    const send = (q: string) =>
      request(t.server)
        .post(`/webhooks/bills${q}`)
        .set('Content-Type', 'application/json')
        .set('X-Webhook-Key', 'k-123456789012')
        .send('{"bill":{"bill_id":"1"}}');
    expect((await send('')).status).toBe(403);
    const other = await send('?organization_id=999');
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/999 is not one of the configured ZOHO_ORGANIZATION_IDS/);
    expect((await send('?organization_id=555')).status).toBe(202);
    expect((await db.query<{ n: string }>('SELECT count(*) AS n FROM tds.events'))[0].n).toBe('1');
  });
});
