import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { rawPost, rawRequest } from '../support/raw-http';
import { zohoSignature } from '../support/zoho-signature';

const KEY = 'spelling-key-0001';
const SECRET = 'spelling-secret-0001';
const item = (id: string) => `{"item":{"item_id":"${id}","name":"Widget \u00e9","rate":12.5}}`;

/**
 * The router decodes the path (`/%77ebhooks` is `/webhooks`) and takes an absolute-form target
 * (`POST http://host/webhooks/items`) by its path, so these spellings reach the webhook route. Whether a body is
 * a webhook body (kept as exact bytes for the signature) is decided by the route that matched, not by the raw URL:
 * before, these spellings had their body parsed as generic JSON and the receiver answered "the body is empty".
 */
describe.each([
  ['no API_BASE_PATH', ''],
  ['API_BASE_PATH=/tds', '/tds'],
])('webhook route reached through other spellings of its URL, %s (e2e)', (_name, base) => {
  let db: TestDatabase;
  let t: TestApp;
  let port: number;
  const events = () =>
    db.query<{ body: string; entity_id: string }>(`SELECT convert_from(body, 'UTF8') AS body, entity_id FROM tds.events`);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: KEY, ZOHO_WEBHOOK_SECRETS: SECRET, API_BASE_PATH: base });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events CASCADE');
  });

  const spellings: [string, string][] = [
    ['a percent-encoded letter in "webhooks"', `${base}/%77ebhooks/items`],
    ['a percent-encoded letter in the entity', `${base}/webhooks/%69tems`],
    ['an absolute-form target', `http://evil${base}/webhooks/items`],
    ['an absolute-form target with an encoded letter', `http://evil.example:8080${base}/%77eb%68ooks/items`],
    ...(base ? ([['a percent-encoded letter in the base path', `/%74ds/webhooks/items`]] as [string, string][]) : []),
  ];

  it.each(spellings)('%s (%s): the exact body is received once, then is a duplicate', async (_n, target) => {
    const body = item('5001');
    const res = await rawRequest(port, rawPost(target, { 'X-Webhook-Key': KEY, 'Content-Type': 'application/json' }, body));
    expect(res.status, res.text).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'queued', entityType: 'product', entityId: '5001' });
    expect(await events()).toEqual([{ body, entity_id: '5001' }]);

    // The same delivery again, through the usual spelling: one event.
    const again = await rawRequest(
      port,
      rawPost(`${base}/webhooks/items`, { 'X-Webhook-Key': KEY, 'Content-Type': 'application/json' }, body),
    );
    expect(again.status, again.text).toBe(202);
    expect(JSON.parse(again.body)).toMatchObject({ status: 'duplicate' });
    expect(await events()).toHaveLength(1);
  });

  it('a signed body through an absolute-form target with an encoded letter: the signature is checked on the exact bytes', async () => {
    const body = item('5002');
    const target = `http://evil${base}/%77ebhooks/items`;
    const good = await rawRequest(
      port,
      rawPost(target, { 'X-Zoho-Webhook-Signature': zohoSignature(SECRET, {}, body), 'Content-Type': 'application/json' }, body),
    );
    expect(good.status, good.text).toBe(202);
    // The same signature over other bytes (one space added) is refused: the bytes verified are the bytes sent.
    const spaced = body.replace('{"item"', '{ "item"');
    const forged = await rawRequest(
      port,
      rawPost(target, { 'X-Zoho-Webhook-Signature': zohoSignature(SECRET, {}, body), 'Content-Type': 'application/json' }, spaced),
    );
    expect(forged.status, forged.text).toBe(401);
    expect(JSON.parse(forged.body)).toMatchObject({ code: 'WEBHOOK_AUTH_FAILED', requestId: forged.headers['x-request-id'] });
    expect(await events()).toEqual([{ body, entity_id: '5002' }]);
  });

  it('a ?token= key through an absolute-form target is checked before the body and the body is received', async () => {
    const body = item('5003');
    const wrong = await rawRequest(
      port,
      rawPost(`http://evil${base}/%77ebhooks/items?token=nope`, { 'Content-Type': 'application/json' }, body),
    );
    expect(wrong.status, wrong.text).toBe(401);
    const ok = await rawRequest(
      port,
      rawPost(`http://evil${base}/%77ebhooks/items?token=${KEY}`, { 'Content-Type': 'application/json' }, body),
    );
    expect(ok.status, ok.text).toBe(202);
    expect(await events()).toEqual([{ body, entity_id: '5003' }]);
  });

  it('bad JSON through another spelling is a 400 that names the JSON error, not "the body is empty"', async () => {
    const res = await rawRequest(
      port,
      rawPost(`http://evil${base}/%77ebhooks/items`, { 'X-Webhook-Key': KEY, 'Content-Type': 'application/json' }, '{"item":'),
    );
    expect(res.status, res.text).toBe(400);
    const answer = JSON.parse(res.body) as Record<string, unknown>;
    expect(answer).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'INVALID_JSON', requestId: res.headers['x-request-id'] });
    expect(answer.message).not.toMatch(/empty/);
    expect(await events()).toHaveLength(0);
  });
});
