import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { RawResponse, rawRequest } from '../support/raw-http';

const KEY = 'hostile-key-0001';
const ADMIN = 'hostile-admin-0001';
const BODY = '{"contact":{"contact_id":"8001","contact_name":"Hostile Trading"}}';

/** The one error shape, with the id of the request in the body and in X-Request-Id. */
function expectErrorShape(res: RawResponse, status: number, code: string, message: RegExp): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(JSON.parse(res.body)).toMatchObject({
    statusCode: status,
    code,
    message: expect.stringMatching(message),
    requestId: res.headers['x-request-id'],
  });
}

/** Requests an attacker writes by hand: framing, codings, bodies no client library would send. */
describe('hostile HTTP input (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let port: number;
  const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tds.events'))[0].n);
  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: KEY, ADMIN_API_KEYS: ADMIN });
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

  describe('framing the service does not support is refused in the usual error body, before the body is read', () => {
    it('a compressed webhook body (Content-Encoding gzip, deflate, br) is 415 with Accept-Encoding: identity; nothing stored', async () => {
      for (const coding of ['gzip', 'deflate', 'br', 'identity, gzip']) {
        const body = gzipSync(BODY);
        const res = await rawRequest(
          port,
          Buffer.concat([
            Buffer.from(
              head([
                'POST /webhooks/contacts HTTP/1.1',
                'Host: 127.0.0.1',
                `X-Webhook-Key: ${KEY}`,
                'Content-Type: application/json',
                `Content-Encoding: ${coding}`,
                `Content-Length: ${body.length}`,
                'Connection: close',
              ]),
            ),
            body,
          ]),
        );
        expectErrorShape(res, 415, 'UNSUPPORTED_MEDIA_TYPE', /^Content-Encoding "(gzip|deflate|br)" is not supported/);
        expect(res.headers['accept-encoding'], coding).toBe('identity');
      }
      // The coding is refused, not ignored: a plain body declared as gzip is not stored as if it were plain.
      const declared = await request(t.server)
        .post('/webhooks/contacts')
        .set('X-Webhook-Key', KEY)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send(BODY);
      expect(declared.status).toBe(415);
      expect(await count()).toBe(0);
      // identity is no coding at all
      const plain = await request(t.server)
        .post('/webhooks/contacts')
        .set('X-Webhook-Key', KEY)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'identity')
        .send(BODY);
      expect(plain.status, JSON.stringify(plain.body)).toBe(202);
      expect(await count()).toBe(1);
    });

    it('a compressed body on the admin API is 415 too, not "Invalid JSON body: Unexpected token"', async () => {
      const res = await request(t.server)
        .post('/dashboard/dead-letter/retry')
        .set('X-Admin-Key', ADMIN)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send(gzipSync('{"dryRun":true}'));
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/Content-Encoding "gzip"/) });
    });

    it('a transfer coding other than chunked (gzip, chunked) is 400: Node would only remove the chunking', async () => {
      const res = await rawRequest(
        port,
        head([
          'POST /webhooks/contacts HTTP/1.1',
          'Host: 127.0.0.1',
          `X-Webhook-Key: ${KEY}`,
          'Content-Type: application/json',
          'Transfer-Encoding: gzip, chunked',
          'Connection: close',
        ]) + `${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\n\r\n`,
      );
      expectErrorShape(res, 400, 'MALFORMED_REQUEST', /Transfer-Encoding "gzip, chunked" is not supported/);
      expect(await count()).toBe(0);
      // plain chunked (with a trailer, which changes nothing) is fine
      const chunked = await rawRequest(
        port,
        head([
          'POST /webhooks/contacts HTTP/1.1',
          'Host: 127.0.0.1',
          `X-Webhook-Key: ${KEY}`,
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
          'Trailer: X-Webhook-Key',
          'Connection: close',
        ]) + `${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\nX-Webhook-Key: nope\r\n\r\n`,
      );
      expect(chunked.status, chunked.text).toBe(202);
      expect(await count()).toBe(1);
    });

    it('an expectation other than 100-continue is 417 in the usual error body (Node alone answers an empty 417)', async () => {
      const res = await rawRequest(
        port,
        head([
          'POST /webhooks/contacts HTTP/1.1',
          'Host: 127.0.0.1',
          `X-Webhook-Key: ${KEY}`,
          'Content-Type: application/json',
          'Expect: 200-ok',
          `Content-Length: ${BODY.length}`,
          'Connection: close',
        ]) + BODY,
      );
      expectErrorShape(res, 417, 'EXPECTATION_FAILED', /only 100-continue/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(await count()).toBe(0);
    });

    it('Expect: 100-continue still works: 100, then the body, then 202', async () => {
      const res = await rawRequest(
        port,
        head([
          'POST /webhooks/contacts HTTP/1.1',
          'Host: 127.0.0.1',
          `X-Webhook-Key: ${KEY}`,
          'Content-Type: application/json',
          'Expect: 100-continue',
          `Content-Length: ${BODY.length}`,
          'Connection: close',
        ]) + BODY,
      );
      expect(res.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202 Accepted\r\n/);
      expect(await count()).toBe(1);
    });

    it('Expect: 100-continue with a wrong key: 401 at once, no 100 inviting a body that will be refused', async () => {
      const res = await rawRequest(
        port,
        head([
          'POST /webhooks/contacts HTTP/1.1',
          'Host: 127.0.0.1',
          'X-Webhook-Key: nope',
          'Content-Type: application/json',
          'Expect: 100-continue',
          'Content-Length: 2000000',
        ]),
      );
      expectErrorShape(res, 401, 'WEBHOOK_AUTH_FAILED', /Invalid webhook credentials/);
      expect(res.text).not.toContain('100 Continue');
      expect(res.headers.connection).toBe('close');
    });

    it('an HTTP/1.1 request without Host is 400 in the usual error body (Node alone answers an empty 400); HTTP/1.0 needs none', async () => {
      const res = await rawRequest(port, head(['GET /health/live HTTP/1.1', 'Connection: close']));
      expectErrorShape(res, 400, 'MALFORMED_REQUEST', /needs a Host header/);
      const webhook = await rawRequest(
        port,
        head([
          'POST /webhooks/contacts HTTP/1.1',
          `X-Webhook-Key: ${KEY}`,
          'Content-Type: application/json',
          `Content-Length: ${BODY.length}`,
        ]) + BODY,
      );
      expectErrorShape(webhook, 400, 'MALFORMED_REQUEST', /needs a Host header/);
      expect(webhook.headers.connection).toBe('close');
      expect(await count()).toBe(0);
      const old = await rawRequest(port, head(['GET /health/live HTTP/1.0']));
      expect(old.text).toMatch(/^HTTP\/1\.1 200 /);
    });
  });
  describe('bytes after a whole request on the same connection (pipelined garbage)', () => {
    const post = (body: string, contentLength: number) =>
      head([
        'POST /webhooks/contacts HTTP/1.1',
        'Host: 127.0.0.1',
        `X-Webhook-Key: ${KEY}`,
        'Content-Type: application/json',
        `Content-Length: ${contentLength}`,
      ]) + body;

    it('the request before them gets its own answer (202, stored once), then the connection closes', async () => {
      const res = await rawRequest(port, `${post(BODY, BODY.length)}GARBAGE\r\n\r\n`);
      expect(res.status, res.text).toBe(202);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'queued', entityId: '8001' });
      expect(res.headers.connection).toBe('close');
      expect(res.text).not.toContain('MALFORMED_REQUEST');
      expect(await count()).toBe(1);
    });

    it('a Content-Length shorter than the body: the request is answered for the bytes it announced (400 INVALID_JSON)', async () => {
      const res = await rawRequest(port, post(BODY, BODY.length - 5));
      expectErrorShape(res, 400, 'INVALID_JSON', /Invalid JSON in body/);
      expect(await count()).toBe(0);
    });
  });

  describe('bodies of the admin API', () => {
    it.each([
      ['/dashboard/dead-letter/retry', 'the audit log stringifies the body'],
      ['/dashboard/alerts/1/acknowledge', 'the validation pipe walks the body'],
      ['/dashboard/sync/reconcile', 'the validation pipe walks the body'],
    ])('JSON nested 5,000 deep on %s is 400 INVALID_JSON, not a 500 (%s)', async (path) => {
      for (const body of [`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`]) {
        const res = await request(t.server).post(path).set('X-Admin-Key', ADMIN).set('Content-Type', 'application/json').send(body);
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.body).toMatchObject({ code: 'INVALID_JSON', message: expect.stringMatching(/nesting deeper than 64 levels/) });
      }
      // brackets inside a string are text
      const flat = await request(t.server)
        .post('/dashboard/dead-letter/retry')
        .set('X-Admin-Key', ADMIN)
        .set('Content-Type', 'application/json')
        .send(`{"dryRun":true,"entityType":"${'['.repeat(100)}"}`);
      expect(flat.status).toBe(400);
      expect(flat.body.message).toMatch(/entityType/);
    });
  });
  describe('webhook query parameters', () => {
    it('organization_id with a control character (%00) is 400 naming it, not "the database refused the payload"', async () => {
      for (const org of ['12%003', '%00', '12%0A3', '12%7F']) {
        const res = await request(t.server)
          .post(`/webhooks/contacts?organization_id=${org}`)
          .set('X-Webhook-Key', KEY)
          .set('Content-Type', 'application/json')
          .send(BODY);
        expect(res.status, org).toBe(400);
        expect(res.body).toMatchObject({ code: 'INVALID_PARAMETER', message: expect.stringMatching(/"organization_id"/) });
      }
      expect(await count()).toBe(0);
    });
  });
});
