import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startService, ServiceProcess } from '../support/service-process';
import { startTestApp, TestApp } from '../support/test-app';

interface Line {
  level: number;
  msg: string;
  req?: { id?: string; method?: string; url?: string; remoteAddress?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

const ADMIN = 'admin-key-0123456789';
const HOOK = 'hook-key-0123456789';

/**
 * The access log is a Fastify hook (decision 0026): every request gets one line when it finishes, except the webhook
 * path, the API docs and the probes; no request goes through Nest middleware. The service runs as a child process
 * with info-level JSON logs (nestjs-pino keeps one root logger per process, so in-process apps cannot each capture
 * their own lines).
 */
describe('access log (child process, e2e)', () => {
  let db: TestDatabase;
  let svc: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    svc = await startService({
      DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      TDS_ROLE: 'api',
      HEALTH_REQUIRE_WORKER: 'false',
      ADMIN_API_KEYS: `ops:${ADMIN}`,
      WEBHOOK_API_KEYS: HOOK,
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await db?.drop();
  });

  const lines = () =>
    svc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
  const accessLines = () => lines().filter((l) => l.req !== undefined && l.res !== undefined);
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${svc.baseUrl}${path}`, { headers });
  const webhook = (body: string) =>
    fetch(`${svc.baseUrl}/webhooks/contacts`, {
      method: 'POST',
      headers: { 'X-Webhook-Key': HOOK, 'Content-Type': 'application/json' },
      body,
    });

  it('one line per request with its id, status and time; none for webhooks, docs and probes', async () => {
    const before = accessLines().length;
    const answers = [
      await get('/'),
      await get('/no/such/route?token=secret-token'),
      await get('/dashboard/queue-stats'),
      await get('/dashboard/queue-stats', { 'X-Admin-Key': ADMIN }),
      await get('/metrics', { 'X-Admin-Key': ADMIN }),
      await get('/ui/'),
      // A 503 answered without an exception (Zoho credentials not set): a warning with the status, no made-up error.
      await fetch(`${svc.baseUrl}/dashboard/sync/reconcile`, { method: 'POST', headers: { 'X-Admin-Key': ADMIN } }),
      // Not a probe: a path that merely ends in "health" is a 404 like any other.
      await get('/dashboard/health'),
    ];
    const unlogged = [
      await get('/ping'),
      await get('/health/live'),
      // The router decodes the path: this is the /ping route, a probe like any other spelling of it.
      await get('/%70ing'),
      await get('/ping?from=uptime-monitor'),
      await get('/docs'),
      await webhook(
        '{"contact":{"contact_id":"460000000012345","contact_name":"Access Log Test","last_modified_time":"2026-12-02T10:00:00+0300"}}',
      ),
      await webhook('{not json'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 404, 401, 200, 200, 200, 503, 404]);
    expect(unlogged.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 202, 400]);
    const rejected = (await unlogged[6].json()) as { message: string; requestId: string };

    await expect.poll(() => accessLines().length - before, { timeout: 5000 }).toBeGreaterThanOrEqual(answers.length);
    await expect.poll(() => lines().some((l) => /request rejected/.test(l.msg ?? '')), { timeout: 5000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const got = accessLines().slice(before);
    expect(got.map((l) => [l.req!.method, l.req!.url, l.res!.statusCode])).toEqual([
      ['GET', '/', 200],
      ['GET', '/no/such/route?token=[redacted]', 404],
      ['GET', '/dashboard/queue-stats', 401],
      ['GET', '/dashboard/queue-stats', 200],
      ['GET', '/metrics', 200],
      ['GET', '/ui/', 200],
      ['POST', '/dashboard/sync/reconcile', 503],
      ['GET', '/dashboard/health', 404],
    ]);
    // The id in the line is the one the client got back; the level follows the status.
    expect(got.map((l) => l.req!.id)).toEqual(answers.map((a) => a.headers.get('x-request-id')));
    expect(got.map((l) => l.level)).toEqual([30, 40, 40, 30, 30, 30, 40, 40]);
    expect(got[6]).toMatchObject({ msg: 'request completed with status 503' });
    expect(got[6]).not.toHaveProperty('err');
    for (const l of got) {
      expect(typeof l.responseTime).toBe('number');
      expect(l.req!.remoteAddress).toMatch(/127\.0\.0\.1/);
    }
    // A refused request the access log did not take (the webhook's 400) gets one line from the error filter; the
    // dashboard's 401 and the 404 are in the access log only.
    expect(
      lines()
        .filter((l) => /request rejected/.test(l.msg ?? ''))
        .map((l) => l.msg),
    ).toEqual([`request rejected POST /webhooks/contacts → 400 INVALID_JSON: ${rejected.message} (${rejected.requestId})`]);
  });
});

describe('no request goes through Nest middleware (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { TDS_ROLE: 'all', ADMIN_API_KEYS: `ops:${ADMIN}` });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('middie has no middleware registered, and the access log still takes the admin routes', async () => {
    await request(t.server).get('/dashboard/queue-stats').set('X-Admin-Key', ADMIN).expect(200);
    const fastify = t.app.getHttpAdapter().getInstance() as unknown as Record<symbol, unknown>;
    const has = Object.getOwnPropertySymbols(fastify).find((s) => s.description === 'fastify-middie-has-middlewares');
    expect(has, 'middie is registered by Nest').toBeDefined();
    expect(fastify[has!]).toBe(false);
  });
});
