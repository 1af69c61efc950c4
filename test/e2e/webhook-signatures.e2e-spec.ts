import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { zohoSignature } from '../support/zoho-signature';

const SECRET = 'sig-secret-A-1111';
const ROTATED = 'sig-secret-B-2222';
const WRONG = 'not-the-secret-9999';
const QUERY = { organization_id: '20099887766', event: 'updated' };
const PATH = '/webhooks/contacts?organization_id=20099887766&event=updated';

const contact = (id: string, name: string) =>
  `{"contact":{"contact_id":${id},"contact_name":"${name}","contact_type":"customer","last_modified_time":"2026-11-28T10:15:30+0300"}}`;

/** base64url (RFC 4648 §5, no padding) of the same HMAC. */
const base64url = (secret: string, params: Record<string, string>, body: string) =>
  zohoSignature(secret, params, body, 'base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * A body whose signatures (for every secret used here) contain a character that differs between base64 and
 * base64url, so the base64url cases really exercise the base64url alphabet.
 */
function bodyWithUrlAlphabet(id: string, name: string): string {
  for (let i = 0; ; i++) {
    const body = contact(id, `${name} ${i}`);
    const ok = [SECRET, ROTATED, WRONG].every((s) => /[+/]/.test(zohoSignature(s, QUERY, body, 'base64')));
    if (ok) return body;
  }
}

describe('webhook signatures in base64 and base64url (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tds.events'))[0].n);
  const signed = (sig: string, body: string, path = PATH) =>
    request(t.server).post(path).set('Content-Type', 'application/json').set('X-Zoho-Webhook-Signature', sig).send(body);

  beforeAll(async () => {
    db = await createTestDatabase();
    // Signatures only: no API key could let a request in.
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: undefined, ZOHO_WEBHOOK_SECRETS: `${SECRET},${ROTATED}` });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE tds.events CASCADE');
  });

  // Positive controls: both encodings are decoded and compared, so a 401 below comes from the HMAC comparison.
  it.each([
    ['base64', (s: string, b: string) => zohoSignature(s, QUERY, b, 'base64')],
    ['base64 with sha256= prefix', (s: string, b: string) => `sha256=${zohoSignature(s, QUERY, b, 'base64')}`],
    ['base64url', (s: string, b: string) => base64url(s, QUERY, b)],
  ] as const)('accepts a correct %s signature (current and rotated secret)', async (_name, sign) => {
    const a = bodyWithUrlAlphabet('910001', 'Signed A');
    const b = bodyWithUrlAlphabet('910002', 'Signed B');
    expect((await signed(sign(SECRET, a), a)).status).toBe(202);
    expect((await signed(sign(ROTATED, b), b)).status).toBe(202);
    expect(await count()).toBe(2);
  });

  it.each([
    ['base64', (s: string, b: string) => zohoSignature(s, QUERY, b, 'base64')],
    ['base64 with sha256= prefix', (s: string, b: string) => `sha256=${zohoSignature(s, QUERY, b, 'base64')}`],
    ['base64url', (s: string, b: string) => base64url(s, QUERY, b)],
  ] as const)('a %s signature made with a wrong secret → 401, nothing stored', async (_name, sign) => {
    const body = bodyWithUrlAlphabet('920001', 'Wrong secret');
    const res = await signed(sign(WRONG, body), body);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      statusCode: 401,
      code: 'WEBHOOK_AUTH_FAILED',
      message: expect.stringMatching(/Invalid webhook credentials/),
    });
    expect(await count()).toBe(0);
  });

  it.each([
    ['base64', (s: string, b: string) => zohoSignature(s, QUERY, b, 'base64')],
    ['base64url', (s: string, b: string) => base64url(s, QUERY, b)],
  ] as const)('a valid %s signature moved onto another body or other query parameters → 401, nothing stored', async (_name, sign) => {
    const original = bodyWithUrlAlphabet('930001', 'Original');
    const sig = sign(SECRET, original);
    const other = original.replace('Original', 'Forged');
    const moved = await signed(sig, other);
    expect(moved.status).toBe(401);
    expect(moved.body.code).toBe('WEBHOOK_AUTH_FAILED');
    const anotherRecord = await signed(sig, contact('930002', 'Another record'));
    expect(anotherRecord.status).toBe(401);
    const otherQuery = await signed(sig, original, '/webhooks/contacts?organization_id=20099887766&event=deleted');
    expect(otherQuery.status).toBe(401);
    expect(await count()).toBe(0);
    // The same signature on the body and query it was made for is accepted.
    expect((await signed(sig, original)).status).toBe(202);
    expect(await count()).toBe(1);
  });
});
