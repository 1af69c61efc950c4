import { connect, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { zohoSignature } from '../support/zoho-signature';
import { parseRawResponse, rawPost, rawRequest } from '../support/raw-http';

const KEY = 'limits-key-123456';
const SECRET = 'limitsSecret1234';
const BODY = '{"contact":{"contact_id":"7001","contact_name":"Slow Trading"}}';

interface Exchange {
  sock: Socket;
  /** Resolves with everything the server sent once it closes the connection (or after `ms`). */
  closed(ms: number): Promise<{ text: string; closedAfterMs: number | null }>;
}

/** Opens a socket, writes `head` (and optionally the start of a body), keeps it open. */
function open(port: number, head: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const started = Date.now();
    let text = '';
    let closedAt: number | null = null;
    const waiters: (() => void)[] = [];
    sock.on('data', (d) => (text += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      closedAt = Date.now();
      for (const w of waiters.splice(0)) w();
    });
    sock.once('connect', () => {
      sock.write(head);
      resolve({
        sock,
        closed: (ms) =>
          new Promise((r) => {
            const done = () => r({ text, closedAfterMs: closedAt === null ? null : closedAt - started });
            if (closedAt !== null) return done();
            const t = setTimeout(done, ms);
            waiters.push(() => (clearTimeout(t), done()));
          }),
      });
    });
    sock.once('error', reject);
  });
}

const status = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
const jsonBody = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
const head = (path: string, headers: Record<string, string>, contentLength: number) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n` +
  Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('') +
  '\r\n';

describe('HTTP limits: key checked before the body, request timeout, connection cap (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let port: number;
  const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tds.events'))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      WEBHOOK_API_KEYS: KEY,
      ZOHO_WEBHOOK_SECRETS: SECRET,
      HTTP_REQUEST_TIMEOUT_MS: '1500',
      HTTP_MAX_CONNECTIONS: '8',
    });
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

  it.each([
    ['no key and no signature', '/webhooks/contacts', {}, /Missing webhook credentials/],
    ['a wrong X-Webhook-Key', '/webhooks/contacts', { 'X-Webhook-Key': `${KEY}x` }, /Invalid webhook credentials/],
    ['a wrong ?token=', '/webhooks/contacts?token=nope', {}, /Invalid webhook credentials/],
    ['a wrong key on an alias route', '/webhooks/customers', { 'X-Webhook-Key': 'nope' }, /Invalid webhook credentials/],
  ])('%s: 401 (usual error body) before the 2 MB body is sent, and the connection is closed', async (_n, path, headers, message) => {
    // Announce 2 MB, send 100 bytes, never the rest.
    const x = await open(port, head(path, headers as Record<string, string>, 2_000_000) + 'x'.repeat(100));
    const { text, closedAfterMs } = await x.closed(1200);
    expect(status(text), text).toBe(401);
    expect(jsonBody(text)).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'WEBHOOK_AUTH_FAILED',
      message: expect.stringMatching(message),
      requestId: expect.any(String),
    });
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(closedAfterMs, 'closed well before HTTP_REQUEST_TIMEOUT_MS').not.toBeNull();
    expect(closedAfterMs!).toBeLessThan(1000);
    expect(await count()).toBe(0);
  });

  it('the right key is let through to the body and the event is accepted', async () => {
    const x = await open(port, head('/webhooks/contacts', { 'X-Webhook-Key': KEY, Connection: 'close' }, Buffer.byteLength(BODY)) + BODY);
    const { text } = await x.closed(3000);
    expect(status(text), text).toBe(202);
    expect(await count()).toBe(1);
  });

  it('a signature is checked after the body (it covers the body): a good one is accepted, a forged one is 401', async () => {
    const good = await open(
      port,
      head('/webhooks/contacts', { 'X-Zoho-Webhook-Signature': zohoSignature(SECRET, {}, BODY), Connection: 'close' }, BODY.length) + BODY,
    );
    expect(status((await good.closed(3000)).text)).toBe(202);
    const forged = await open(
      port,
      head('/webhooks/contacts', { 'X-Zoho-Webhook-Signature': zohoSignature('other', {}, BODY), Connection: 'close' }, BODY.length) + BODY,
    );
    const res = (await forged.closed(3000)).text;
    expect(status(res)).toBe(401);
    expect(jsonBody(res).message).toMatch(/Invalid webhook credentials/);
  });

  it('a body that trickles in longer than HTTP_REQUEST_TIMEOUT_MS is cut with 408 (usual error body) and the connection closed', async () => {
    const x = await open(port, head('/webhooks/contacts', { 'X-Zoho-Webhook-Signature': 'a'.repeat(64) }, 1000) + '{');
    const drip = setInterval(() => x.sock.writable && x.sock.write(' '), 200);
    const { text, closedAfterMs } = await x.closed(6000);
    clearInterval(drip);
    expect(closedAfterMs, 'closed by the server').not.toBeNull();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(1400);
    expect(closedAfterMs!).toBeLessThan(4000);
    const res = parseRawResponse(text);
    expect(res.status, text).toBe(408);
    expect(JSON.parse(res.body)).toEqual({
      statusCode: 408,
      error: 'Request Timeout',
      code: 'REQUEST_TIMEOUT',
      message: expect.stringMatching(/within 1500 ms/),
      requestId: res.headers['x-request-id'],
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.connection).toBe('close');
    expect(await count()).toBe(0);
  });

  it("the 408 carries the request's own id: the X-Request-Id the client (or its proxy) sent", async () => {
    const x = await open(
      port,
      head('/webhooks/contacts', { 'X-Zoho-Webhook-Signature': 'a'.repeat(64), 'X-Request-Id': 'proxy-id-408' }, 1000) + '{',
    );
    const res = parseRawResponse((await x.closed(6000)).text);
    expect(res.status, res.text).toBe(408);
    expect(res.headers['x-request-id']).toBe('proxy-id-408');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'REQUEST_TIMEOUT', requestId: 'proxy-id-408' });
  });

  it('headers that never finish are cut too, with a 408 in the usual error body (a new request id)', async () => {
    const x = await open(port, 'POST /webhooks/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => x.sock.writable && x.sock.write('X-Pad: 1\r\n'), 200);
    const { text, closedAfterMs } = await x.closed(6000);
    clearInterval(drip);
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeLessThan(4000);
    const res = parseRawResponse(text);
    expect(res.status, text).toBe(408);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 408, code: 'REQUEST_TIMEOUT', requestId: res.headers['x-request-id'] });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['on the webhook route, with a valid key', '/webhooks/%E0%A4%A'],
    ['outside any route', '/%E0%A4%A'],
    ['in an absolute-form target', 'http://evil/webhooks/%E0%A4%A'],
  ])('a malformed percent-encoding in the path %s: 400 INVALID_URL in the usual error body', async (_n, target) => {
    const res = await rawRequest(port, rawPost(target, { 'X-Webhook-Key': KEY, 'Content-Type': 'application/json' }, BODY));
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'INVALID_URL',
      message: expect.stringMatching(/^Malformed URL: the path \S+ is not valid percent-encoding$/),
      requestId: res.headers['x-request-id'],
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await count()).toBe(0);
  });

  it('a request the HTTP parser refuses is answered in the usual error body too (400 MALFORMED_REQUEST)', async () => {
    const res = await rawRequest(port, 'POST /webhooks/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Name: 1\r\n\r\n');
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      code: 'MALFORMED_REQUEST',
      requestId: res.headers['x-request-id'],
    });
  });

  it('beyond HTTP_MAX_CONNECTIONS a new connection is closed at once; a slot frees when one closes', async () => {
    const held: Exchange[] = [];
    for (let i = 0; i < 8; i++)
      held.push(await open(port, head('/webhooks/contacts', { 'X-Zoho-Webhook-Signature': 'a'.repeat(64) }, 1000)));
    await new Promise((r) => setTimeout(r, 100));
    const extra = await open(port, head('/webhooks/contacts', { 'X-Webhook-Key': KEY, Connection: 'close' }, BODY.length) + BODY);
    const refused = await extra.closed(1000);
    expect(refused.closedAfterMs, 'the ninth connection is dropped').not.toBeNull();
    expect(refused.text).toBe('');
    for (const h of held) h.sock.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await open(port, head('/webhooks/contacts', { 'X-Webhook-Key': KEY, Connection: 'close' }, BODY.length) + BODY);
    expect(status((await again.closed(3000)).text)).toBe(202);
  });
});
