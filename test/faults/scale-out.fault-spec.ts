import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import {
  completedWithoutAttempt,
  contactMismatches,
  eventsFinishedTwice,
  ExpectedContact,
  statusCounts,
  waitDrained,
} from './support/checks';
import { Fleet, scaled } from './support/harness';
import { sampleOf, sendLoad } from './support/load';
import { contactBody, jsonHeaders, shuffle, WEBHOOK_KEY, zohoTimeUtcIso } from './support/zoho';

/**
 * Scale-out: 2 API + 3 worker children on one database, 10,000 deliveries (FAULTS_SCALE) over both APIs,
 * including redeliveries of the same event sent at the same moment to the other API, and late redeliveries
 * after the drain. No event applied twice, none lost, every redelivery answered "duplicate" with the same eventId.
 */
const TOTAL = scaled(10_000, 100);
const REDELIVERIES = Math.round(TOTAL * 0.2);
const UNIQUE = TOTAL - REDELIVERIES;
const MULTI_RECORDS = Math.round(UNIQUE * 0.125); // records sent in 2 versions
const SINGLE_RECORDS = UNIQUE - MULTI_RECORDS * 2;
const LATE = Math.min(200, REDELIVERIES);

interface Delivery {
  id: string;
  key: string; // the event (record + version): redeliveries share it
  body: string;
  target: number;
}

describe('fault: 2 API + 3 worker processes on one database', () => {
  let db: TestDatabase;
  let fleet: Fleet;

  beforeAll(async () => {
    db = await createTestDatabase();
    fleet = new Fleet({
      DATABASE_URL: db.url,
      WEBHOOK_API_KEYS: WEBHOOK_KEY,
      TDS_LOCK_TIMEOUT_SECONDS: '5',
      TDS_QUEUE_POLL_INTERVAL_MS: '200',
      TDS_BATCH_SIZE: '100',
      TDS_WORKER_CONCURRENCY: '2',
    });
  });

  afterAll(async () => {
    await fleet?.cleanup();
    await db?.drop();
  });

  it(`${TOTAL} deliveries (${REDELIVERIES} redeliveries): none lost, none applied twice, duplicates answered with the same eventId`, async () => {
    const unique: Delivery[] = [];
    const expected = new Map<string, ExpectedContact>();
    for (let r = 0; r < SINGLE_RECORDS; r++) {
      const recordId = `9100${String(r).padStart(10, '0')}`;
      const name = `Scale ${r} 🚀`;
      unique.push({ id: `s${r}`, key: `${recordId}@0`, body: contactBody(recordId, name, 0), target: 0 });
      expected.set(recordId, { name, modifiedIso: zohoTimeUtcIso(0) });
    }
    for (let r = 0; r < MULTI_RECORDS; r++) {
      const recordId = `9200${String(r).padStart(10, '0')}`;
      for (const v of [0, 1])
        unique.push({ id: `m${r}v${v}`, key: `${recordId}@${v}`, body: contactBody(recordId, `Multi ${r} v${v}`, v * 30), target: 0 });
      expected.set(recordId, { name: `Multi ${r} v1`, modifiedIso: zohoTimeUtcIso(30) });
    }
    // Redeliveries go right after their original, to the other API: both are in flight at the same time.
    const shuffled = shuffle(unique, 10_000).map((d, i) => ({ ...d, target: i % 2 }));
    const redeliver = new Set(
      shuffle(
        shuffled.map((_, i) => i),
        7,
      ).slice(0, REDELIVERIES),
    );
    const deliveries: Delivery[] = [];
    shuffled.forEach((d, i) => {
      deliveries.push(d);
      if (redeliver.has(i)) deliveries.push({ ...d, id: `${d.id}-again`, target: 1 - d.target });
    });

    const apis = await Promise.all([fleet.start({ name: 'api-1', role: 'api' }), fleet.start({ name: 'api-2', role: 'api' })]);
    const workers = await Promise.all(['w1', 'w2', 'w3'].map((name) => fleet.start({ name, role: 'worker' })));

    const load = await sendLoad({
      baseUrls: apis.map((a) => a.baseUrl),
      count: deliveries.length,
      concurrency: 32,
      durationMs: 150_000,
      next: (i) => ({
        id: deliveries[i].id,
        path: '/webhooks/contacts',
        headers: jsonHeaders(),
        body: deliveries[i].body,
        target: deliveries[i].target,
      }),
    });
    expect(load.sent, `sent ${load.sent} of ${deliveries.length} within the time limit`).toBe(deliveries.length);
    const bad = load.results.filter((r) => r.status !== 202);
    expect(bad.length, `non-202: ${JSON.stringify(load.byStatus)}\n${sampleOf(bad)}`).toBe(0);

    // Per event: exactly one "queued", every other delivery "duplicate", all with the same eventId.
    const byId = new Map(deliveries.map((d) => [d.id, d]));
    const groups = new Map<string, { queued: number; duplicate: number; ids: Set<string> }>();
    for (const r of load.results) {
      const d = byId.get(r.id)!;
      const g = groups.get(d.key) ?? { queued: 0, duplicate: 0, ids: new Set<string>() };
      if (r.json?.status === 'queued') g.queued++;
      else if (r.json?.status === 'duplicate') g.duplicate++;
      g.ids.add(String(r.json?.eventId));
      groups.set(d.key, g);
    }
    const wrong = [...groups].filter(([, g]) => g.queued !== 1 || g.ids.size !== 1);
    expect(
      wrong.slice(0, 10).map(([k, g]) => `${k}: queued=${g.queued} duplicate=${g.duplicate} ids=${[...g.ids]}`),
      `${wrong.length} events answered inconsistently`,
    ).toEqual([]);
    expect([...groups.values()].reduce((a, g) => a + g.duplicate, 0)).toBe(REDELIVERIES);

    await waitDrained(db, 150_000, () => fleet.describe(1500));

    // Late redeliveries (Zoho retrying after the fact), to both APIs: duplicates of completed events, nothing re-applied.
    const eventIdOf = new Map([...groups].map(([k, g]) => [k, [...g.ids][0]]));
    const late = shuffle(unique, 3).slice(0, LATE);
    const lateLoad = await sendLoad({
      baseUrls: apis.map((a) => a.baseUrl),
      count: late.length,
      concurrency: 8,
      next: (i) => ({ id: `${late[i].id}-late`, path: '/webhooks/contacts', headers: jsonHeaders(), body: late[i].body }),
    });
    const lateById = new Map(late.map((d) => [`${d.id}-late`, d]));
    const lateBad = lateLoad.results.filter(
      (r) => r.status !== 202 || r.json?.status !== 'duplicate' || String(r.json?.eventId) !== eventIdOf.get(lateById.get(r.id)!.key),
    );
    expect(lateBad.length, `late redeliveries not answered duplicate with the original eventId:\n${sampleOf(lateBad)}`).toBe(0);

    for (const c of [...workers, ...apis]) expect((await c.stop()).code, c.describe()).toBe(0);

    const counts = await statusCounts(db);
    expect(counts, 'one stored event per distinct event, all completed').toEqual({ completed: UNIQUE });
    expect(await eventsFinishedTwice(db), 'events applied more than once').toEqual([]);
    expect(await completedWithoutAttempt(db), 'completed events without a matching attempt').toEqual([]);
    const mismatches = await contactMismatches(db, expected);
    expect(mismatches.slice(0, 20), `${mismatches.length} ERP rows differ from the newest version`).toEqual([]);
    const [{ n }] = await db.query<{ n: string }>('SELECT count(*) AS n FROM erp.contacts');
    expect(Number(n)).toBe(expected.size);

    const perWorker = await db.query<{ worker_id: string; n: string }>(
      `SELECT worker_id, count(*) AS n FROM tds.event_attempts WHERE outcome IN ('applied', 'skipped_stale') GROUP BY 1 ORDER BY 1`,
    );
    const perApi = [0, 1].map((t) => load.results.filter((r) => r.target === t).length);
    console.log(
      `[scale-out] ${deliveries.length} deliveries in ${load.elapsedMs} ms over APIs ${JSON.stringify(perApi)}; finished per worker ${JSON.stringify(perWorker.map((w) => Number(w.n)))}`,
    );
    expect(perWorker.length, 'more than one worker took part').toBeGreaterThanOrEqual(2);
  });
});
