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

  it('GET /health is 503 naming the database when PostgreSQL is unreachable, and recovers', async () => {
    proxy.cut();
    const started = Date.now();
    const down = await request(t.server).get('/health');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('error');
    expect(down.body.error.database.status).toBe('down');
    expect(Date.now() - started).toBeLessThan(5000);
    const ready = await request(t.server).get('/health/ready');
    expect(ready.status).toBe(503);
    proxy.restore();
    await expect.poll(async () => (await request(t.server).get('/health')).status, { timeout: 10_000 }).toBe(200);
  });
});
