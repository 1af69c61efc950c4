import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

describe('Swagger and API_BASE_PATH (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { API_BASE_PATH: '/tds', WEBHOOK_API_KEYS: 'prefix-key-123456' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('serves a valid OpenAPI 3 document at /tds/docs-json that lists every route with tags, summaries and errors', async () => {
    const res = await request(t.server).get('/tds/docs-json').expect(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    // Full schema validation of the document (a structurally broken spec throws).
    await SwaggerParser.validate(structuredClone(doc));
    expect(doc.info.title).toBe('TDS Core API');
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/tds', '/tds/webhooks/{entity}', '/tds/health', '/tds/health/live', '/tds/health/ready', '/tds/ping']),
    );
    const hook = doc.paths['/tds/webhooks/{entity}'];
    for (const method of ['post', 'put', 'delete']) {
      expect(hook[method].tags).toEqual(['webhooks']);
      expect(hook[method].summary).toBeTruthy();
      expect(Object.keys(hook[method].responses)).toEqual(expect.arrayContaining(['202', '401', '422']));
    }
    expect(Object.keys(hook.post.responses)).toEqual(expect.arrayContaining(['400', '403', '404', '413', '415', '503']));
    expect(hook.post.responses['202'].content['application/json'].schema.$ref).toBe('#/components/schemas/WebhookAcceptedDto');
    expect(doc.components.schemas.WebhookAcceptedDto.properties.eventId).toBeTruthy();
    // Every operation is documented with tags and a summary.
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { tags?: string[]; summary?: string }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.tags?.length, `${method} ${path} tags`).toBeGreaterThan(0);
        expect(op.summary, `${method} ${path} summary`).toBeTruthy();
      }
    }
  });

  it('serves the Swagger UI under the prefix', async () => {
    const res = await request(t.server).get('/tds/docs').redirects(2);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/swagger/i);
  });

  it('every route works under the prefix and not without it', async () => {
    await request(t.server).get('/tds/health').expect(200);
    await request(t.server).get('/tds/health/live').expect(200);
    await request(t.server).get('/tds/ping').expect(200);
    expect((await request(t.server).get('/tds').expect(200)).body).toEqual({ status: 'up' });
    await request(t.server)
      .post('/tds/webhooks/contacts')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', 'prefix-key-123456')
      .send('{"contact":{"contact_id":"1"}}')
      .expect(202);
    await request(t.server).get('/health').expect(404);
    await request(t.server).post('/webhooks/contacts').set('X-Webhook-Key', 'prefix-key-123456').send('{}').expect(404);
  });
});

describe('DOCS_ENABLED=false (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { DOCS_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('turns Swagger off', async () => {
    await request(t.server).get('/docs-json').expect(404);
    await request(t.server).get('/docs').expect(404);
  });
});

describe('docs in production (e2e)', () => {
  const ADMIN = 'docs-admin-key-123456';
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  const withApp = async (env: Record<string, string | undefined>, fn: (t: TestApp) => Promise<void>) => {
    const t = await startTestApp(db.url, { ENVIRONMENT: 'production', DOCS_ENABLED: undefined, ...env });
    try {
      await fn(t);
    } finally {
      await t.close();
    }
  };

  it('DOCS_ENABLED unset: docs off in production; / shows neither environment nor role', async () => {
    await withApp({ ADMIN_API_KEYS: ADMIN }, async (t) => {
      await request(t.server).get('/docs-json').set('X-Admin-Key', ADMIN).expect(404);
      await request(t.server).get('/docs').set('X-Admin-Key', ADMIN).expect(404);
      const root = await request(t.server).get('/').expect(200);
      expect(root.body).toEqual({ status: 'up' });
      expect(root.text).not.toMatch(/production|"role"|"all"|"api"/);
    });
  });

  it('DOCS_ENABLED unset outside production: docs on, open', async () => {
    const t = await startTestApp(db.url, { ENVIRONMENT: 'staging', DOCS_ENABLED: undefined });
    try {
      await request(t.server).get('/docs-json').expect(200);
    } finally {
      await t.close();
    }
  });

  it('DOCS_ENABLED=true in production: the admin key is needed (X-Admin-Key, X-API-Key or Bearer), for the UI and its assets too', async () => {
    await withApp({ DOCS_ENABLED: 'true', ADMIN_API_KEYS: `old-admin-1,${ADMIN}`, API_BASE_PATH: '/tds' }, async (t) => {
      for (const path of ['/tds/docs-json', '/tds/docs', '/tds/docs/', '/tds/docs/swagger-ui-init.js', '/tds/docs/swagger-ui.css']) {
        const none = await request(t.server).get(path);
        expect(none.status, path).toBe(401);
        expect(none.body).toMatchObject({
          statusCode: 401,
          code: 'ADMIN_KEY_REQUIRED',
          message: expect.stringMatching(/Missing admin key/),
        });
        expect(none.text).not.toMatch(/openapi|swagger-ui/i);
        const wrong = await request(t.server).get(path).set('X-Admin-Key', 'nope');
        expect(wrong.status, path).toBe(403);
        expect(wrong.body).toMatchObject({ code: 'ADMIN_AUTH_FAILED', message: expect.stringMatching(/Invalid admin key/) });
        expect((await request(t.server).get(path).set('Authorization', 'Bearer nope')).status).toBe(403);
      }
      const json = await request(t.server).get('/tds/docs-json').set('X-Admin-Key', ADMIN).expect(200);
      expect(json.body.openapi).toMatch(/^3\./);
      await request(t.server).get('/tds/docs-json').set('X-API-Key', 'old-admin-1').expect(200);
      await request(t.server).get('/tds/docs-json').set('Authorization', `Bearer ${ADMIN}`).expect(200);
      const ui = await request(t.server).get('/tds/docs').set('Authorization', `Bearer ${ADMIN}`);
      expect(ui.status).toBe(200);
      expect(ui.text).toMatch(/swagger/i);
      // Other routes are not affected.
      await request(t.server).get('/tds/health/live').expect(200);
    });
  });

  it('DOCS_ENABLED=true in production without ADMIN_API_KEYS: closed (403), not open', async () => {
    await withApp({ DOCS_ENABLED: 'true' }, async (t) => {
      const res = await request(t.server).get('/docs-json').set('X-Admin-Key', 'anything');
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/ADMIN_API_KEYS/);
    });
  });
});
