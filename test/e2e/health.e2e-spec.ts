import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { TcpProxy } from '../support/tcp-proxy';

describe('health probes (e2e)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The app talks to PostgreSQL through a proxy we can cut, to see the probe fail like a stopped database.
    proxy = await TcpProxy.start(db.url);
    t = await startTestApp(proxy.url);
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('GET /health is 200 with the database check up', async () => {
    const res = await request(t.server).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    // Whether the server vacuums on its own is shown, as the server says (issue 15).
    const [{ autovacuum }] = await db.query<{ autovacuum: string }>(`SELECT current_setting('autovacuum') AS autovacuum`);
    expect(res.body.details.database.autovacuum).toBe(autovacuum);
  });

  it('GET /health/live and /ping answer without I/O', async () => {
    expect((await request(t.server).get('/health/live').expect(200)).body.status).toBe('ok');
    expect((await request(t.server).get('/ping').expect(200)).body).toEqual({ status: 'ok', message: 'pong' });
  });

  it('GET / says only that the service is up', async () => {
    const res = await request(t.server).get('/').expect(200);
    expect(res.body).toEqual({ status: 'up' });
  });

  it('echoes a request id', async () => {
    const res = await request(t.server).get('/ping').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
    const generated = await request(t.server).get('/nope');
    expect(generated.status).toBe(404);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: generated.headers['x-request-id'] });
  });

  it('probes share one database check per HEALTH_CHECK_CACHE_MS, whatever their rate', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => request(t.server).get('/health').expect(200)));
    const checkedAt = new Set(answers.map((r) => r.body.details.database.checkedAt));
    expect(checkedAt.size).toBe(1);
    const at = Date.parse([...checkedAt][0]);
    expect(Date.now() - at).toBeLessThan(3000);
    // /health/ready shares the same database check.
    const ready = await request(t.server).get('/health/ready').expect(200);
    expect(ready.body.details.database.checkedAt).toBe([...checkedAt][0]);
    // A probe after the cache time gets the last answer at once and starts one new check; the next sees it.
    await new Promise((r) => setTimeout(r, 1100));
    await request(t.server).get('/health').expect(200);
    await expect
      .poll(async () => Date.parse((await request(t.server).get('/health')).body.details.database.checkedAt), { timeout: 3000 })
      .toBeGreaterThan(at + 1000);
  });

  it('GET /health is 503 naming the database when PostgreSQL is unreachable, and recovers', async () => {
    await request(t.server).get('/health').expect(200); // a fresh "up" in the cache: the failure must still show
    proxy.cut();
    const started = Date.now();
    // Within HEALTH_CHECK_CACHE_MS (1 s) + the check's 1 s timeout, whatever the cache held. Each check has its own
    // cache, so another check (the queue's, the workers') may fail first: wait for the database to be named.
    await expect
      .poll(async () => (await request(t.server).get('/health')).body?.error?.database?.status, { timeout: 5000, interval: 100 })
      .toBe('down');
    expect(Date.now() - started).toBeLessThan(4000);
    const down = await request(t.server).get('/health');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('error');
    expect(down.body.error.database.status).toBe('down');
    const ready = await request(t.server).get('/health/ready');
    expect(ready.status).toBe(503);
    proxy.restore();
    await expect.poll(async () => (await request(t.server).get('/health')).status, { timeout: 10_000 }).toBe(200);
  });
});
