import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_CONTENT_SECURITY_POLICY } from '../../src/common/http/security-headers';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

const OPS = 'headers-ops-key-0123456789';
const HOOK = 'headers-webhook-key';

/** Security headers on every kind of answer: API, error, webhook, the UI's index (with its CSP), Swagger UI. */
describe('security headers (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const common = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { ADMIN_API_KEYS: `ops:${OPS}`, WEBHOOK_API_KEYS: HOOK, DOCS_ENABLED: 'true' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('an API answer, an error answer, a 404 and a webhook rejection carry them; JSON answers no CSP', async () => {
    const answers = [
      await request(t.server).get('/dashboard/queue-stats').set('Authorization', `Bearer ${OPS}`).expect(200),
      await request(t.server).get('/dashboard/queue-stats').expect(401),
      await request(t.server).get('/dashboard/audit?limit=0').set('Authorization', `Bearer ${OPS}`).expect(400),
      await request(t.server).get('/no-such-route').expect(404),
      await request(t.server).post('/webhooks/contacts').set('Content-Type', 'application/json').send('{}').expect(401),
    ];
    for (const res of answers) {
      expect(res.headers).toMatchObject(common);
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
  });

  it("the UI's index.html has the UI's Content-Security-Policy", async () => {
    const res = await request(t.server).get('/ui/');
    expect(res.headers).toMatchObject(common);
    // built by the global setup; without a build the 503 UI_NOT_BUILT answer still has the common headers
    if (res.status === 200) expect(res.headers['content-security-policy']).toBe(UI_CONTENT_SECURITY_POLICY);
  });

  it('Swagger UI at /docs renders: the common headers, no CSP (its page has inline styles)', async () => {
    const res = await request(t.server).get('/docs').redirects(2).expect(200);
    expect(res.text).toContain('swagger-ui');
    expect(res.headers).toMatchObject(common);
    expect(res.headers['content-security-policy']).toBeUndefined();
  });
});
