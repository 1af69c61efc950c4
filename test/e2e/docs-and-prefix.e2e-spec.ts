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
    expect((await request(t.server).get('/tds/').expect(200)).body).toEqual({ status: 'up' });
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

describe('Swagger can drive everything (e2e)', () => {
  const DOCUMENTED = ['/webhooks', '/dashboard'];
  const ADMIN = 'swagger-admin-key-123456';
  const HOOK = 'swagger-hook-key-123456';
  let db: TestDatabase;
  let t: TestApp;
  /** The OpenAPI document: walked generically below. */
  type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  let doc: Loose;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { WEBHOOK_API_KEYS: HOOK, ADMIN_API_KEYS: ADMIN });
    doc = (await request(t.server).get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('each webhook entity has its own selectable example body, and each is accepted by its route (POST, PUT and DELETE alike)', async () => {
    const hook = doc.paths['/webhooks/{entity}'];
    for (const method of ['post', 'put', 'delete']) {
      const op = hook[method];
      const examples = op.requestBody.content['application/json'].examples;
      expect(Object.keys(examples), method).toEqual([
        'contacts',
        'products',
        'sales-orders',
        'invoices',
        'bills',
        'credit-notes',
        'stock',
        'prices',
      ]);
      const names = op.parameters.map((p: { name: string }) => p.name);
      expect(names, method).toEqual(expect.arrayContaining(['entity', 'organization_id', 'token', 'X-Webhook-Key']));
      expect(op.parameters.find((p: { name: string }) => p.name === 'entity').schema.enum[0]).toBe('contacts');
    }
    const examples = hook.post.requestBody.content['application/json'].examples as Record<string, { value: object }>;
    for (const [route, { value }] of Object.entries(examples)) {
      const res = await request(t.server)
        .post(`/webhooks/${route}`)
        .set('Content-Type', 'application/json')
        .set('X-Webhook-Key', HOOK)
        .send(JSON.stringify(value));
      expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBe(202);
      const del = await request(t.server)
        .delete(`/webhooks/${route}`)
        .set('Content-Type', 'application/json')
        .set('X-Webhook-Key', HOOK)
        .send(JSON.stringify(value));
      expect(del.status, `DELETE ${route}: ${JSON.stringify(del.body)}`).toBe(202);
      expect(del.body.event).toBe('deleted');
    }
  });

  it('each error status has its own example (its own code), in the one error shape', () => {
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, Loose> }>>)) {
      // The routes this branch documents (Terminus reports under /health keep their own shape); other admin routes
      // get the same once they use @AdminApi() / ApiErrorResponse: widen this list then.
      if (!DOCUMENTED.some((prefix) => path.startsWith(prefix))) continue;
      for (const [method, op] of Object.entries(ops)) {
        const codes = new Map<string, string>();
        for (const [status, res] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          const json = res.content?.['application/json'];
          expect(json?.example, `${method} ${path} ${status} has an example`).toBeTruthy();
          expect(json.example.statusCode, `${method} ${path} ${status}`).toBe(Number(status));
          expect(json.schema.$ref).toBe('#/components/schemas/ErrorResponseDto');
          codes.set(status, json.example.code);
        }
        if (codes.size > 1) expect(new Set(codes.values()).size, `${method} ${path}: one example per status`).toBe(codes.size);
      }
    }
  });

  it('nullable fields are typed (no bare {} schemas)', () => {
    // the schemas the documented routes use, and the schemas those use
    const schemas = doc.components.schemas as Record<string, { properties?: Record<string, Loose> }>;
    const refs = (x: unknown) => [...JSON.stringify(x).matchAll(/#\/components\/schemas\/(\w+)/g)].map((m) => m[1]);
    const used = new Set(
      Object.entries(doc.paths as Record<string, unknown>).flatMap(([p, ops]) =>
        DOCUMENTED.some((d) => p.startsWith(d)) ? refs(ops) : [],
      ),
    );
    for (const name of used) for (const r of refs(schemas[name])) used.add(r);
    expect(used.size).toBeGreaterThan(10);
    for (const [name, schema] of Object.entries(schemas).filter(([n]) => used.has(n))) {
      for (const [prop, s] of Object.entries(schema.properties ?? {})) {
        expect(s.type ?? s.$ref ?? s.allOf ?? s.oneOf, `${name}.${prop}`).toBeTruthy();
      }
    }
  });

  it('every dashboard route is documented with the admin security schemes and runs after "Authorize" (Bearer)', async () => {
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      adminKey: { type: 'apiKey', in: 'header', name: 'X-Admin-Key' },
    });
    const dashboard = Object.entries(doc.paths as Record<string, Record<string, { security?: object[] }>>).filter(([p]) =>
      p.startsWith('/dashboard'),
    );
    expect(dashboard.map(([p]) => p)).toEqual(
      expect.arrayContaining([
        '/dashboard/recent-events',
        '/dashboard/events/{id}',
        '/dashboard/events/{id}/replay',
        '/dashboard/dead-letter',
        '/dashboard/dead-letter/retry',
        '/dashboard/dead-letter/{id}/retry',
        '/dashboard/queue-stats',
        '/dashboard/audit',
      ]),
    );
    for (const [path, ops] of dashboard) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${path}`).toEqual(expect.arrayContaining([{ bearer: [] }, { apiKey: [] }, { adminKey: [] }]));
        if (method === 'get' && !path.includes('{')) {
          expect((await request(t.server).get(path).set('Authorization', `Bearer ${ADMIN}`)).status, path).toBe(200);
        }
      }
    }
    const bulk = doc.paths['/dashboard/dead-letter/retry'].post;
    expect(bulk.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/BulkRetryDto');
    expect(doc.components.schemas.BulkRetryDto.required).toEqual(['dryRun']);
    const dry = bulk.requestBody.content['application/json'].examples.dryRun.value;
    const res = await request(t.server)
      .post('/dashboard/dead-letter/retry')
      .set('Authorization', `Bearer ${ADMIN}`)
      .send({ ...dry, fingerprint: undefined });
    expect(res.status).toBe(200);
  });

  it('"Try it out" sends only what the user typed: no optional filter is prefilled, so the first list is not empty', async () => {
    await request(t.server)
      .post('/webhooks/contacts')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Key', HOOK)
      .send('{"contact":{"contact_id":"460000000099001","contact_name":"Try it out","last_modified_time":"2026-11-28T10:00:00+0300"}}')
      .expect(202);
    type Param = { name: string; in: string; required?: boolean; example?: unknown; description?: string; schema?: Loose };
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: Param[] }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? []) {
          if (p.in === 'path' || p.required) continue;
          // Swagger UI fills a parameter from its example (or its schema's) when "Try it out" is pressed.
          expect(p.example ?? p.schema?.example, `${method} ${path} ?${p.name} is prefilled`).toBeUndefined();
        }
      }
    }
    // The example stays readable, in the description.
    const entityId = (doc.paths['/dashboard/recent-events'].get.parameters as Param[]).find((p) => p.name === 'entityId');
    expect(entityId?.description).toMatch(/e\.g\. `460000000026049`/);
    // What "Try it out" + "Execute" sends now: the defaults only. The event just received is in the answer.
    const query = Object.fromEntries(
      (doc.paths['/dashboard/recent-events'].get.parameters as Param[])
        .filter((p) => p.in === 'query' && p.schema?.default !== undefined)
        .map((p) => [p.name, String(p.schema?.default)]),
    );
    const list = await request(t.server).get('/dashboard/recent-events').query(query).set('X-Admin-Key', ADMIN).expect(200);
    expect(list.body.items.map((e: { entityId: string }) => e.entityId)).toContain('460000000099001');
  });

  it("the page reads in a newcomer's order (webhooks, then the operator API; probes and metrics last), every admin route takes any admin scheme", () => {
    const names = (doc.tags as { name: string; description: string }[]).map((tag) => tag.name);
    expect(names.slice(0, 2)).toEqual(['webhooks', 'dashboard']);
    expect(names.indexOf('health')).toBeGreaterThan(names.indexOf('alerts'));
    for (const tag of doc.tags as { description: string }[]) expect(tag.description).toBeTruthy();
    const used = new Set(
      Object.values(doc.paths as Record<string, Record<string, { tags: string[] }>>).flatMap((ops) =>
        Object.values(ops).flatMap((op) => op.tags),
      ),
    );
    for (const name of used) expect(names, `tag ${name} has a place in the order`).toContain(name);
    // An admin key is opaque, not a JWT.
    expect(doc.components.securitySchemes.bearer.bearerFormat).not.toBe('JWT');
    expect(doc.paths['/metrics'].get.security).toEqual(expect.arrayContaining([{ bearer: [] }, { apiKey: [] }, { adminKey: [] }]));
  });
});
