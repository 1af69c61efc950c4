import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startService, ServiceProcess } from '../support/service-process';

const KEY = 'Redact-Me-Webhook-Key-7731';

/** The service as a child process with info-level JSON logs: what an operator's log collector receives. */
describe('the webhook key never reaches the log (child process, e2e)', () => {
  let db: TestDatabase;
  let svc: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    svc = await startService({
      DATABASE_URL: db.url,
      WEBHOOK_API_KEYS: KEY,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      TDS_ROLE: 'api',
      HEALTH_REQUIRE_WORKER: 'false',
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await db?.drop();
  });

  const post = (path: string, body: string) =>
    fetch(`${svc.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  it('rejected webhooks and access-logged routes: encoded, repeated and upper-case token parameters are redacted', async () => {
    const sent = [
      // webhook rejections (HttpErrorFilter's line), each after the key was accepted
      (await post(`/webhooks/widgets?%74oken=${KEY}`, '{"widget":{}}')).status,
      (await post(`/webhooks/contacts?token=${KEY}&event=created&token=nope`, '{not json')).status,
      (await post(`/webhooks/contacts?tok%65n=${encodeURIComponent(KEY)}&event=exploded`, '{"contact":{"contact_id":"1"}}')).status,
      // a wrong key is a secret too (a typo of the real one)
      (await post(`/webhooks/contacts?%74oken=${KEY}x`, '{}')).status,
      // access log (pino-http)
      (await fetch(`${svc.baseUrl}/?token=a&%74oken=${KEY}`)).status,
      (await fetch(`${svc.baseUrl}/dashboard/queue-stats?TOKEN=${KEY}`)).status,
      // a path the router cannot decode, refused before any hook (its error used to quote the whole URL)
      (await post(`/webhooks/%E0%A4%A?token=${KEY}`, '{}')).status,
    ];
    // the admin key generated outside production is not sent: 401
    expect(sent).toEqual([404, 400, 422, 401, 200, 401, 400]);
    await new Promise((r) => setTimeout(r, 500)); // pino flushes asynchronously
    const out = svc.output();
    expect(out).toMatch(/request rejected POST \/webhooks\/widgets\?%74oken=\[redacted\] → 404/);
    expect(out).toMatch(/request rejected POST \/webhooks\/contacts\?token=\[redacted\]&event=created&token=\[redacted\] → 400/);
    expect(out).toContain('/dashboard/queue-stats?TOKEN=[redacted]');
    expect(out).toMatch(/request rejected POST \/webhooks\/%E0%A4%A\?token=\[redacted\] → 400 INVALID_URL/);
    // Every route but the webhook path has an access line, so the filter adds no second line for its rejections.
    expect(out).not.toMatch(/request rejected GET \/dashboard\/queue-stats/);
    expect(out).not.toMatch(/"url":"\/webhooks\//);
    expect(out).toContain('/?token=[redacted]&%74oken=[redacted]');
    expect(out).not.toContain(KEY);
    expect(out).not.toContain(encodeURIComponent(KEY));
  });

  it('admin and API key parameters in a query string are redacted in the access log, whatever their spelling', async () => {
    const ADMIN = 'Redact-Me-Admin-Key-5521';
    const names = ['adminKey', 'admin_key', 'X-Admin-Key', 'x-api-key', 'apiKey', 'api-key', 'access_token', 'client_secret'];
    for (const name of names) {
      expect((await fetch(`${svc.baseUrl}/dashboard/audit?limit=5&${name}=${ADMIN}`)).status).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 500)); // pino flushes asynchronously
    const out = svc.output();
    for (const name of names) expect(out).toContain(`/dashboard/audit?limit=5&${name}=[redacted]`);
    expect(out).not.toContain(ADMIN);
  });
});
