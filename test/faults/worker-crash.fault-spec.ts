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
 * them; a worker is killed with SIGKILL and restarted each time another ~12% of the events is completed (7 kills).
 * Every accepted event must be completed exactly once and the ERP row must hold the newest version.
 */
const TOTAL = scaled(20_000, 200);
const MULTI_RECORDS = Math.round(TOTAL * 0.1); // records sent in 3 versions (shuffled: newest may arrive first)
const VERSIONS = 3;
const SINGLE_RECORDS = TOTAL - MULTI_RECORDS * VERSIONS;
// A kill each time another ~12% of the events is completed (7 in all), at least 300 ms apart.
const KILL_AT = [0.08, 0.2, 0.32, 0.44, 0.56, 0.68, 0.8].map((f) => Math.round(TOTAL * f));
const MIN_KILL_GAP_MS = 300;
const DRAIN_LIMIT_MS = 180_000;

interface Sent {
  id: string;
  recordId: string;
  name: string;
  minute: number;
  body: string;
}

describe('fault: workers killed with SIGKILL again and again while draining', () => {
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

    // --- the fault: kill -9 a worker at points spread over the drain, and start a replacement each time.
    // The kills are paced by progress (completed events), not by the clock: on a fast machine the whole drain takes
    // a few seconds, and a fixed 2 s cadence landed only 2 kills there (a CI run failed on it).
    let killing = true;
    let kills = 0;
    let killsMidBatch = 0;
    // Each slot holds its worker, or the replacement being started (then `ready` is empty for it).
    const slots: Promise<ServiceChild>[] = workers.map((w) => Promise.resolve(w));
    const ready: (ServiceChild | undefined)[] = [...workers];
    const replace = (slot: number) => {
      ready[slot] = undefined;
      slots[slot] = fleet.start({ name: `worker-${slot === 0 ? 'a' : 'b'}-${kills}`, role: 'worker' }).then((w) => {
        ready[slot] = w;
        return w;
      });
    };
    const completed = async () =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM tds.events WHERE status = 'completed'`))[0].n);
    const killLoop = (async () => {
      let turn = 0;
      let next = 0;
      let lastKill = 0;
      const deadline = Date.now() + DRAIN_LIMIT_MS;
      while (killing && next < KILL_AT.length && Date.now() < deadline) {
        await sleep(25);
        const done = await completed();
        if (done >= TOTAL) break;
        if (done < KILL_AT[next] || Date.now() - lastKill < MIN_KILL_GAP_MS) continue;
        // Alternate between the slots; skip one whose replacement is still starting.
        let slot = turn % slots.length;
        if (!ready[slot]) slot = (slot + 1) % slots.length;
        const victim = ready[slot];
        if (!victim) continue;
        turn = slot + 1;
        // Aim at a moment the victim is inside a batch transaction (claimed rows locked; bounded wait): a kill
        // mid-batch is the interesting one. Its pool connections are named tds-core:worker:<pid>.
        const aimUntil = Date.now() + 500;
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
          await sleep(10);
          aimed = await midBatch();
        }
        if (!killing) break;
        const how = await victim.kill9();
        lastKill = Date.now();
        if (how.signal !== 'SIGKILL') throw new Error(`${victim.name} ended with ${JSON.stringify(how)} instead of SIGKILL`);
        kills++;
        next++;
        if (aimed) killsMidBatch++;
        replace(slot);
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
