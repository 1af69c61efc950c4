import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { startService, ServiceProcess } from '../support/service-process';

const KEY = 'multi-worker-key-1';
const RECORDS = 1000;
const VERSIONS = 5; // 5,000 events in all

/**
 * Three worker processes drain one queue; one is killed with SIGKILL mid-drain and restarted.
 * Every event must be applied exactly once and each record must end at its newest version.
 */
describe('several worker processes on one database (integration, real processes)', () => {
  let db: TestDatabase;
  let api: TestApp;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApp(db.url, { WEBHOOK_API_KEYS: KEY });
  });
  afterAll(async () => {
    for (const w of workers) await w.kill9();
    await api?.close();
    await db?.drop();
  });

  const workerEnv = () => ({
    DATABASE_URL: db.url,
    TDS_ROLE: 'worker',
    DB_MIGRATE_ON_START: 'false',
    TDS_LOCK_TIMEOUT_SECONDS: '2',
    TDS_BATCH_SIZE: '50',
    TDS_QUEUE_POLL_INTERVAL_MS: '200',
    WEBHOOK_API_KEYS: KEY,
  });

  it('5,000 events, 3 workers, one killed mid-batch: each applied exactly once, none lost', async () => {
    // Versions are sent in order; the ERP must end at version 5 of every record.
    for (let v = 1; v <= VERSIONS; v++) {
      const sends = [];
      for (let r = 0; r < RECORDS; r++) {
        const body = `{"contact":{"contact_id":"${460000000100000 + r}","contact_name":"rec ${r} v${v}","last_modified_time":"2026-11-28T1${v}:00:00+0300"}}`;
        sends.push(
          request(api.server).post('/webhooks/contacts').set('Content-Type', 'application/json').set('X-Webhook-Key', KEY).send(body),
        );
        if (sends.length === 100) {
          const res = await Promise.all(sends.splice(0));
          expect(res.every((x) => x.status === 202)).toBe(true);
        }
      }
      await Promise.all(sends);
    }
    expect((await db.query<{ n: string }>(`SELECT count(*) AS n FROM tds.events`))[0].n).toBe(String(RECORDS * VERSIONS));

    for (let i = 0; i < 3; i++) workers.push(await startService(workerEnv()));
    // Kill one worker while batches are in flight, then bring a replacement up.
    await expect
      .poll(async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM tds.events WHERE status = 'completed'`))[0].n), {
        timeout: 30_000,
        interval: 20,
      })
      .toBeGreaterThan(200);
    await workers[0].kill9();
    workers.push(await startService(workerEnv()));

    await expect
      .poll(async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM tds.events WHERE status <> 'completed'`))[0].n), {
        timeout: 90_000,
        interval: 250,
      })
      .toBe(0);

    const twice = await db.query(
      `SELECT event_id FROM tds.event_attempts WHERE outcome IN ('applied', 'skipped_stale') GROUP BY event_id HAVING count(*) > 1`,
    );
    expect(twice).toEqual([]);
    const outcomes = await db.query<{ outcome: string; n: string }>(`SELECT outcome, count(*) AS n FROM tds.events GROUP BY outcome`);
    expect(outcomes).toEqual([{ outcome: 'applied', n: String(RECORDS * VERSIONS) }]);
    const rows = await db.query<{ n: string; latest: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE contact_name LIKE '% v${VERSIONS}') AS latest FROM erp.contacts`,
    );
    expect(rows[0]).toEqual({ n: String(RECORDS), latest: String(RECORDS) });
    // The killed worker's heartbeat row stays as it was; the others stopped cleanly when asked.
    for (const w of workers.slice(1)) {
      const code = await w.stop();
      expect(code, w.output().slice(-3000)).toBe(0);
    }
    // The drain alone may take its poll's 90 s on a loaded machine: the test's budget covers ingest + drain + stop.
  }, 180_000);
});
