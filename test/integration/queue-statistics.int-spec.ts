import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueStatisticsService } from '../../src/modules/queue/queue-statistics.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The queue must not depend on autovacuum (issue 15): with autovacuum off for tds.events, the worker's statistics
 * check analyzes the table once enough rows changed, and leaves it alone when nothing did.
 */
describe('queue table statistics without autovacuum (integration)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let stats: QueueStatisticsService;

  const insertEvents = async (n: number, offset: number) => {
    // A session of its own, ended at once: a backend that exits flushes its table counters to the statistics.
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query(
      `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, content_type, body, payload, status)
       SELECT 'k' || i, 'contact', 'contact', i::text, 'updated', 'application/json', convert_to('{}', 'UTF8'), '{}', 'completed'
       FROM generate_series($1::int + 1, $1::int + $2::int) i`,
      [offset, n],
    );
    await c.end();
  };
  const analyzeCount = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT analyze_count::int + autoanalyze_count::int AS n FROM pg_stat_user_tables WHERE schemaname = 'tds' AND relname = 'events'`,
      )
    )[0].n;
  /** Runs checks until one finds the counters (they reach the statistics within about a second). */
  const checkUntil = async (pred: (r: Awaited<ReturnType<QueueStatisticsService['checkOnce']>>) => boolean) => {
    for (let i = 0; i < 60; i++) {
      const r = await stats.checkOnce();
      if (pred(r)) return r;
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error('the statistics check never saw the changes');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(`ALTER TABLE tds.events SET (autovacuum_enabled = false)`);
    await db.query(`ALTER TABLE tds.event_attempts SET (autovacuum_enabled = false)`);
    t = await startTestApp(db.url, { TDS_QUEUE_ANALYZE_INTERVAL_S: '0', TDS_QUEUE_ANALYZE_MIN_CHANGES: '1000' });
    stats = t.app.get(QueueStatisticsService);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('reports autovacuum off, and does nothing while few rows changed', async () => {
    await insertEvents(400, 0);
    const r = await stats.checkOnce();
    const events = r.tables.find((x) => x.table === 'events')!;
    expect(events.autovacuum).toBe(false);
    expect(events.analyzed).toBe(false);
    expect(await analyzeCount()).toBe(0);
  });

  it('analyzes tds.events once enough rows changed: the planner then knows its size', async () => {
    await insertEvents(3000, 400);
    const r = await checkUntil((x) => x.tables.some((row) => row.table === 'events' && row.analyzed));
    expect(r.tables.find((x) => x.table === 'events')!.changed).toBeGreaterThanOrEqual(1000);
    expect(await analyzeCount()).toBe(1);
    const [{ reltuples }] = await db.query<{ reltuples: number }>(
      `SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = 'tds.events'::regclass`,
    );
    expect(reltuples).toBe(3400);
    // Nothing changed since: the next check leaves it alone.
    const again = await stats.checkOnce();
    expect(again.tables.find((x) => x.table === 'events')!.analyzed).toBe(false);
    expect(await analyzeCount()).toBe(1);
  });

  it('the threshold grows with the table: max(min changes, scale factor × rows)', () => {
    expect(stats.isStale({ reltuples: -1, changed: 999 })).toBe(false);
    expect(stats.isStale({ reltuples: -1, changed: 1000 })).toBe(true);
    expect(stats.isStale({ reltuples: 100_000, changed: 9_999 })).toBe(false);
    expect(stats.isStale({ reltuples: 100_000, changed: 10_000 })).toBe(true);
  });
});
