import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_LOGGED_SEGMENTS } from '../../src/common/logging/logging.module';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The access log is attached to listed top-level segments (not a catch-all, which would cost every webhook the
 * middleware's detour). This keeps the list complete: every route the app serves is logged, except the webhook path
 * and the API docs' static files.
 */
describe('access log coverage (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { TDS_ROLE: 'all', ADMIN_API_KEYS: 'k' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('every route but /webhooks and /docs has an access-logged top-level segment', () => {
    // printRoutes() draws a tree whose nodes are path pieces: a route's path is its ancestors' pieces joined.
    const printed = t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    const stack: string[] = [];
    const paths: string[] = [];
    for (const line of printed.split('\n')) {
      const m = /── (\S+) \(/.exec(line);
      if (!m) continue;
      const depth = (line.indexOf('── ') - 1) / 4;
      stack.length = depth;
      stack.push(m[1]);
      paths.push(stack.join(''));
    }
    expect(paths).toContain('/dashboard/queue-stats');
    expect(paths.some((p) => p.startsWith('/webhooks/'))).toBe(true);
    const unlogged = paths.filter((p) => {
      const segment = p.split('/')[1] ?? '';
      if (segment === 'webhooks' || segment.startsWith('docs')) return false;
      return p !== '/' && !ACCESS_LOGGED_SEGMENTS.includes(segment);
    });
    expect(unlogged, 'add these top-level segments to ACCESS_LOGGED_SEGMENTS').toEqual([]);
  });
});
