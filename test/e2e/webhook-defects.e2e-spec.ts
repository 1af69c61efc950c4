import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { zohoSignature } from '../support/zoho-signature';

const KEY = 'defects-key-0001';
const SECRET = 'defects-secret-0001';
const ADMIN = 'defects-admin-0001';

const contact = (id = '460000000026049', extra = '') =>
  `{"contact":{"contact_id":${id},"contact_name":"Bagdad Trading Co.","last_modified_time":"2026-11-28T10:15:30+0300"${extra}}}`;
const form = (fields: [string, string][]) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** Issue #8: authenticity (5, 6), bodies and keys (7, 12), admin ids (10). Nothing refused may be stored. */
describe('webhook receiver: adversarial defects (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tds.events'))[0].n);
  const signed = (path: string, sig: string) => request(t.server).post(path).set('X-Zoho-Webhook-Signature', sig);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      WEBHOOK_API_KEYS: KEY,
      ZOHO_WEBHOOK_SECRETS: SECRET,
      ZOHO_WEBHOOK_EXTRA_PARAMS: 'source,zoho_module',
      ADMIN_API_KEYS: ADMIN,
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events CASCADE');
  });

  describe('5. a form field never shadows a signed query parameter', () => {
    const json = contact();

    it('a captured form request replayed with ?event=deleted (or another organization) is refused', async () => {
      const fields: [string, string][] = [
        ['JSONString', json],
        ['event', 'updated'],
        ['organization_id', '777'],
      ];
      const sig = zohoSignature(SECRET, Object.fromEntries(fields), undefined);
      const body = form(fields);
      // The genuine request: routing values are read from the signed form fields.
      const ok = await signed('/webhooks/contacts', sig).set('Content-Type', 'application/x-www-form-urlencoded').send(body);
      expect(ok.status, JSON.stringify(ok.body)).toBe(202);
      expect(ok.body).toMatchObject({ status: 'queued', event: 'updated' });
      expect((await db.query(`SELECT organization_id, event_kind FROM tds.events`))[0]).toEqual({
        organization_id: '777',
        event_kind: 'updated',
      });

      for (const query of ['?event=deleted', '?organization_id=888', '?event=deleted&organization_id=888']) {
        const res = await signed(`/webhooks/contacts${query}`, sig).set('Content-Type', 'application/x-www-form-urlencoded').send(body);
        expect(res.status, query).toBe(401);
        expect(res.body.message).toMatch(/given more than once/);
      }
      expect(await count()).toBe(1);
    });

    it('a name repeated in the query (or in the form) is refused: 401 when signed, 400 with a key', async () => {
      const body = json;
      const sig = zohoSignature(SECRET, { event: 'deleted' }, body);
      const res = await signed('/webhooks/contacts?event=updated&event=deleted', sig).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(401);
      const fields: [string, string][] = [
        ['JSONString', json],
        ['event', 'updated'],
        ['event', 'deleted'],
      ];
      const formSig = zohoSignature(SECRET, { JSONString: json, event: 'deleted' }, undefined);
      expect(
        (await signed('/webhooks/contacts', formSig).set('Content-Type', 'application/x-www-form-urlencoded').send(form(fields))).status,
      ).toBe(401);
      const keyed = await request(t.server)
        .post('/webhooks/contacts?event=updated&event=deleted')
        .set('X-Webhook-Key', KEY)
        .set('Content-Type', 'application/json')
        .send(body);
      expect(keyed.status).toBe(400);
      expect(keyed.body.message).toMatch(/"event" is given more than once/);
      expect(await count()).toBe(0);
    });
  });

  describe('6. unknown parameters on signed requests', () => {
    it('?e=ventdeleted signs like ?event=deleted but is refused; configured extra names are accepted', async () => {
      const body = contact();
      const sig = zohoSignature(SECRET, { event: 'deleted', organization_id: '777' }, body);
      const genuine = await signed('/webhooks/contacts?event=deleted&organization_id=777', sig)
        .set('Content-Type', 'application/json')
        .send(body);
      expect(genuine.status).toBe(202);
      expect(genuine.body.event).toBe('deleted');
      const split = await signed('/webhooks/contacts?e=ventdeleted&organization_id=777', sig)
        .set('Content-Type', 'application/json')
        .send(body);
      expect(split.status).toBe(401);
      expect(split.body.message).toMatch(/Unknown parameter "e".*ZOHO_WEBHOOK_EXTRA_PARAMS/);
      expect(await count()).toBe(1);

      const extraSig = zohoSignature(SECRET, { source: 'zoho-books', event: 'updated' }, body);
      const extra = await signed('/webhooks/contacts?source=zoho-books&event=updated', extraSig)
        .set('Content-Type', 'application/json')
        .send(body);
      expect(extra.status).toBe(202);
    });

    it('with a replay window, a signed request must carry a recent timestamp', async () => {
      const other = await startTestApp(db.url, {
        ZOHO_WEBHOOK_SECRETS: SECRET,
        ZOHO_WEBHOOK_TIMESTAMP_PARAM: 'sent_at',
        ZOHO_WEBHOOK_REPLAY_WINDOW_S: '60',
      });
      try {
        const body = contact('460000000026050');
        const send = (sentAt?: string) => {
          const params: Record<string, string> = { event: 'updated' };
          if (sentAt !== undefined) params.sent_at = sentAt;
          const qs = new URLSearchParams(params).toString();
          return request(other.server)
            .post(`/webhooks/contacts?${qs}`)
            .set('X-Zoho-Webhook-Signature', zohoSignature(SECRET, params, body))
            .set('Content-Type', 'application/json')
            .send(body);
        };
        const now = Math.floor(Date.now() / 1000);
        expect((await send(String(now))).status).toBe(202);
        expect((await send(new Date().toISOString())).status).toBe(202);
        const stale = await send(String(now - 3600));
        expect(stale.status).toBe(401);
        expect(stale.body.message).toMatch(/outside the replay window of 60 s/);
        const missing = await send();
        expect(missing.status).toBe(401);
        expect(missing.body.message).toMatch(/sent_at/);
        expect((await send('yesterday')).status).toBe(401);
        expect(await count()).toBe(1); // the two good ones are one event (same content): a duplicate
      } finally {
        await other.close();
      }
    });
  });

  describe('7 and 12. keys, records and ids', () => {
    const keyed = (route: string, body: string) =>
      request(t.server).post(`/webhooks/${route}`).set('X-Webhook-Key', KEY).set('Content-Type', 'application/json').send(body);

    it('refuses \\u0000 in a key (422, nothing stored) and still strips it inside values', async () => {
      const shadow = `{"item":{"item_id":"2001","name":"good"},"item\\u0000":{"item_id":"9999","name":"evil"}}`;
      const res = await keyed('products', shadow);
      expect(res.status).toBe(422);
      expect(res.body.message).toMatch(/\\u0000/);
      expect((await keyed('products', `{"item":{"item_id":"2001","name":"good","item\\u0000":null}}`)).status).toBe(422);
      expect((await keyed('products', `{"item":{"item_id":"2001","nested":[{"a\\u0000b":1}]}}`)).status).toBe(422);
      expect(await count()).toBe(0);
      const ok = await keyed('products', `{"item":{"item_id":"2001","name":"go\\u0000od"}}`);
      expect(ok.status).toBe(202);
      expect((await db.query(`SELECT payload->>'name' AS name FROM tds.events`))[0]).toEqual({ name: 'good' });
    });

    it('refuses a record that is not an object', async () => {
      for (const record of ['[1,2,3]', '"str"', '42', 'null']) {
        const res = await keyed('products', `{"item":${record}}`);
        expect(res.status, record).toBe(422);
      }
      expect(await count()).toBe(0);
    });

    it('refuses ids that are not digit strings: -0, 1e5, 1.0, "abc", " 12"', async () => {
      for (const id of ['-0', '1e5', '1.0', '-12', '"abc"', '"12a"', '"0x1F"']) {
        const res = await keyed('contacts', contact(id));
        expect(res.status, id).toBe(422);
        expect(res.body.message).toMatch(/contact\.contact_id is not a valid Zoho id/);
      }
      expect(await count()).toBe(0);
      expect((await keyed('contacts', contact('"460000000026049"'))).status).toBe(202);
    });
  });

  describe('10. admin ids', () => {
    it('an id above bigint is 404, not a database error; a malformed id is 400 naming it', async () => {
      for (const id of ['9999999999999999999', '9223372036854775808']) {
        const res = await request(t.server).get(`/dashboard/events/${id}`).set('X-Admin-Key', ADMIN);
        expect(res.status, id).toBe(404);
        const retry = await request(t.server).post(`/dashboard/dead-letter/${id}/retry`).set('X-Admin-Key', ADMIN);
        expect(retry.status, id).toBe(404);
      }
      for (const id of ['0x10', '-1', '1.5']) {
        const res = await request(t.server).get(`/dashboard/events/${id}`).set('X-Admin-Key', ADMIN);
        expect(res.status, id).toBe(400);
        expect(res.body.message).toMatch(/"id"/);
        const retry = await request(t.server).post(`/dashboard/dead-letter/${id}/retry`).set('X-Admin-Key', ADMIN);
        expect(retry.status, id).toBe(400);
      }
      expect((await request(t.server).get('/dashboard/events/9223372036854775807').set('X-Admin-Key', ADMIN)).status).toBe(404);
    });
  });
});
