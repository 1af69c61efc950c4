import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.factory';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { buildTestConfig } from '../support/test-app';

/**
 * The webhook route is declared by WebhooksController (Swagger, route table) and served by a plain Fastify handler
 * (issue 15, docs/decisions/0024): Nest's per-request layers do not run for it, everything else about it stays.
 */
describe('webhook route served on Fastify beside Nest (e2e)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  const seen: string[] = [];
  class Spy implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler) {
      seen.push(context.switchToHttp().getRequest<{ url: string }>().url);
      return next.handle();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createApp(buildTestConfig(db.url, { API_BASE_PATH: '/tds' }));
    app.useGlobalInterceptors(new Spy());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers POST, PUT and DELETE without Nest’s handler, 202 only with the row committed', async () => {
    const server = app.getHttpServer();
    for (const [method, kind] of [
      ['post', 'created'],
      ['put', 'updated'],
      ['delete', 'deleted'],
    ] as const) {
      const res = await request(server)
        [method](`/tds/webhooks/contacts?event=${kind === 'deleted' ? 'updated' : kind}`)
        .set('X-Webhook-Key', 'test-key-1')
        .set('Content-Type', 'application/json')
        .send(
          `{"contact":{"contact_id":"7700${kind.length}","contact_name":"${method}","last_modified_time":"2026-12-01T10:0${kind.length}:00+0300"}}`,
        )
        .expect(202);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(res.body).toMatchObject({ status: 'queued', entityType: 'contact', event: kind });
      const rows = await db.query<{ event_kind: string; request_id: string }>(
        'SELECT event_kind, request_id FROM tds.events WHERE id = $1',
        [res.body.eventId],
      );
      expect(rows).toEqual([{ event_kind: kind, request_id: res.headers['x-request-id'] }]);
    }
    expect(seen).toEqual([]);
    // …while Nest's routes still go through Nest (the spy sees them).
    await request(server).get('/tds/ping').expect(200);
    expect(seen).toEqual(['/tds/ping']);
  });

  it('answers errors through the global error filter in the one error shape', async () => {
    const res = await request(app.getHttpServer())
      .post('/tds/webhooks/widgets')
      .set('X-Webhook-Key', 'test-key-1')
      .set('Content-Type', 'application/json')
      .send('{"contact":{"contact_id":"1"}}');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'UNKNOWN_ENTITY', requestId: res.headers['x-request-id'] });
    expect(res.body.message).toContain('/webhooks/widgets');
    const bad = await request(app.getHttpServer())
      .post('/tds/webhooks/contacts')
      .set('X-Webhook-Key', 'test-key-1')
      .set('Content-Type', 'application/json')
      .send('{"contact":');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_JSON' });
    expect(seen.filter((u) => u.includes('webhooks'))).toEqual([]);
  });

  it('is still documented in Swagger with its three methods', async () => {
    const doc = (await request(app.getHttpServer()).get('/tds/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths['/tds/webhooks/{entity}']).sort()).toEqual(['delete', 'post', 'put']);
  });
});
