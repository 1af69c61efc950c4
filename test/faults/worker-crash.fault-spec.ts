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
import { Fleet, scaled, ServiceChild, sleep } from './support/harness';
import { LoadResult, sampleOf, sendLoad } from './support/load';
import { contactBody, jsonHeaders, shuffle, WEBHOOK_KEY, zohoTimeUtcIso } from './support/zoho';

/**
 * Worker crash: 20,000 contact events (FAULTS_SCALE) through an API-only child while two worker children drain
 * them; one worker is killed with SIGKILL every ~2 s and restarted, until the queue is empty.
 * Every accepted event must be completed exactly once and the ERP row must hold the newest version.
 */
const TOTAL = scaled(20_000, 200);
const MULTI_RECORDS = Math.round(TOTAL * 0.1); // records sent in 3 versions (shuffled: newest may arrive first)
const VERSIONS = 3;
const SINGLE_RECORDS = TOTAL - MULTI_RECORDS * VERSIONS;
// ~2 s at full size; shorter when FAULTS_SCALE shrinks the run, so several kills still land mid-drain.
const KILL_EVERY_MS = Math.max(1200, Math.round(2000 * Math.min(1, TOTAL / 20_000)));
const DRAIN_LIMIT_MS = 180_000;

interface Sent {
  id: string;
  recordId: string;
  name: string;
  minute: number;
  body: string;
}

describe('fault: worker killed with SIGKILL every ~2 s while draining', () => {
  let db: TestDatabase;
  let fleet: Fleet;

  beforeAll(async () => {
    db = await createTestDatabase();
    fleet = new Fleet({
      DATABASE_URL: db.url,
      WEBHOOK_API_KEYS: WEBHOOK_KEY,
      TDS_LOCK_TIMEOUT_SECONDS: '3',
      TDS_QUEUE_POLL_INTERVAL_MS: '200',
      // Small batches, one loop per worker: each worker is inside a batch transaction most of the time, so kills land mid-batch.
      TDS_BATCH_SIZE: '25',
      TDS_WORKER_CONCURRENCY: '1',
      TDS_MAX_RETRY_ATTEMPTS: '10',
      TDS_HEARTBEAT_INTERVAL_MS: '1000',
    });
  });

  afterAll(async () => {
    await fleet?.cleanup();
    await db?.drop();
  });

  it(`applies all ${TOTAL} accepted events exactly once, newest version wins`, async () => {
    // --- the events: single-version records and multi-version records, shuffled together
    const events: Sent[] = [];
    for (let r = 0; r < SINGLE_RECORDS; r++) {
      const recordId = `7100${String(r).padStart(10, '0')}`;
      const name = `Single ${r} شركة`;
      events.push({ id: `s${r}`, recordId, name, minute: 0, body: contactBody(recordId, name, 0) });
    }
    const expected = new Map<string, ExpectedContact>();
    for (let r = 0; r < SINGLE_RECORDS; r++)
      expected.set(`7100${String(r).padStart(10, '0')}`, { name: `Single ${r} شركة`, modifiedIso: zohoTimeUtcIso(0) });
    for (let r = 0; r < MULTI_RECORDS; r++) {
      const recordId = `7200${String(r).padStart(10, '0')}`;
      for (let v = 0; v < VERSIONS; v++) {
        const name = `Multi ${r} version ${v}`;
        events.push({ id: `m${r}v${v}`, recordId, name, minute: v * 7, body: contactBody(recordId, name, v * 7) });
      }
      expected.set(recordId, { name: `Multi ${r} version ${VERSIONS - 1}`, modifiedIso: zohoTimeUtcIso((VERSIONS - 1) * 7) });
    }
    const order = shuffle(events, 20_000);

    const api = await fleet.start({ name: 'api', role: 'api' });
    const workers: ServiceChild[] = await Promise.all([
      fleet.start({ name: 'worker-a', role: 'worker' }),
      fleet.start({ name: 'worker-b', role: 'worker' }),
    ]);

    // --- the fault: kill -9 one worker every ~2 s and start a replacement, until the queue is drained
    let killing = true;
    let kills = 0;
    let killsMidBatch = 0;
    // Each slot holds its worker (or the replacement being started). Kills alternate between the slots every
    // ~KILL_EVERY_MS, measured kill to kill; a replacement starts in the background so the cadence holds.
    const slots: Promise<ServiceChild>[] = workers.map((w) => Promise.resolve(w));
    const killLoop = (async () => {
      let i = 0;
      const deadline = Date.now() + DRAIN_LIMIT_MS;
      let lastKill = Date.now();
      while (killing && Date.now() < deadline) {
        await sleep(Math.max(0, lastKill + KILL_EVERY_MS - Date.now()));
        if (!killing) break;
        const slot = i++ % slots.length;
        const victim = await slots[slot];
        // Aim at a moment the victim is inside a batch transaction (claimed rows locked; bounded wait): a kill
        // mid-batch is the interesting one. Its pool connections are named tds-core:worker:<pid>.
        const aimUntil = Date.now() + 1000;
        const midBatch = async () =>
          Number(
            (
              await db.query<{ n: string }>(
                `SELECT count(*) AS n FROM pg_stat_activity
                 WHERE application_name = $1 AND backend_xid IS NOT NULL AND query NOT LIKE '%tds.workers%'`,
                [`tds-core:worker:${victim.pid}`],
              )
            )[0].n,
          ) > 0;
        let aimed = await midBatch();
        while (!aimed && Date.now() < aimUntil) {
          await sleep(20);
          aimed = await midBatch();
        }
        if (!killing) break;
        const how = await victim.kill9();
        lastKill = Date.now();
        if (how.signal !== 'SIGKILL') throw new Error(`${victim.name} ended with ${JSON.stringify(how)} instead of SIGKILL`);
        kills++;
        if (aimed) killsMidBatch++;
        slots[slot] = fleet.start({ name: `worker-${slot === 0 ? 'a' : 'b'}-${kills}`, role: 'worker' });
      }
    })();

    let load;
    try {
      load = await sendLoad({
        baseUrls: [api.baseUrl],
        count: order.length,
        concurrency: 32,
        durationMs: 120_000,
        next: (i) => ({ id: order[i].id, path: '/webhooks/contacts', headers: jsonHeaders(), body: order[i].body }),
      });
      await waitDrained(db, DRAIN_LIMIT_MS, () => fleet.describe(1500));
    } finally {
      killing = false;
      await killLoop;
      workers.splice(0, workers.length, ...(await Promise.all(slots)));
    }

    // --- every request was accepted (the database was fine the whole time)
    const bad = load.results.filter((r: LoadResult) => r.status !== 202);
    expect(bad.length, `non-202 answers: ${JSON.stringify(load.byStatus)}\n${sampleOf(bad)}`).toBe(0);
    expect(load.sent).toBe(order.length);
    const dupAnswers = load.results.filter((r) => r.json?.status !== 'queued');
    expect(dupAnswers.length, `every event is a new version, so every answer is "queued"\n${sampleOf(dupAnswers)}`).toBe(0);
    const accepted = new Map(load.results.map((r) => [String(r.json!.eventId), r.id]));
    expect(accepted.size, 'distinct event ids for distinct events').toBe(order.length);

    // --- graceful stop of the survivors: exit 0
    for (const w of workers) expect((await w.stop()).code, w.describe()).toBe(0);
    expect((await api.stop()).code, api.describe()).toBe(0);

    // --- queue state: every accepted event completed, nothing else in the table
    const counts = await statusCounts(db);
    expect(counts, 'events by status').toEqual({ completed: order.length });
    const ids = (await db.query<{ id: string }>('SELECT id::text AS id FROM tds.events')).map((r) => r.id);
    const unknown = ids.filter((id) => !accepted.has(id));
    expect(unknown, 'events in the table that were never answered 202').toEqual([]);

    // --- exactly once: one finishing attempt per event, and it matches the event's outcome
    expect(await eventsFinishedTwice(db), 'events applied more than once').toEqual([]);
    expect(await completedWithoutAttempt(db), 'completed events without a matching attempt').toEqual([]);

    // --- the ERP rows: one per record, newest version's values
    const mismatches = await contactMismatches(db, expected);
    expect(mismatches.slice(0, 20), `${mismatches.length} ERP rows differ from the newest version sent`).toEqual([]);
    const [{ n: contactRows }] = await db.query<{ n: string }>('SELECT count(*) AS n FROM erp.contacts');
    expect(Number(contactRows)).toBe(expected.size);

    // --- the fault really happened mid-work
    const outcomes = await db.query<{ outcome: string; n: string }>('SELECT outcome, count(*) AS n FROM tds.events GROUP BY outcome');
    console.log(
      `[worker-crash] ${order.length} events in ${load.elapsedMs} ms ingest; ${kills} kills, ${killsMidBatch} inside a batch transaction; outcomes ${JSON.stringify(outcomes)}`,
    );
    expect(kills, 'kills while the queue was draining').toBeGreaterThanOrEqual(3);
    expect(killsMidBatch, 'no kill hit a worker inside a batch transaction: the fault was not exercised').toBeGreaterThan(0);
  });
});
