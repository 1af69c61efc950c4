import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const CHILD = join(__dirname, '../support/children/singleton-job-child.cjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  proc: ChildProcess;
  lines: () => Record<string, unknown>[];
  exited: Promise<unknown>;
}

/**
 * The singleton-job lock with real processes (the built dist/ code, each its own PostgreSQL sessions): several
 * copies fire the same cron; one run per scheduled time, no overlap however long a run takes, and a holder killed
 * with SIGKILL frees the lock at once.
 */
describe('singleton-job lock (integration, real processes)', () => {
  let db: TestDatabase;
  const children: Child[] = [];

  const start = async (job: string, cron: string, bodyMs: number, jitterMs = 0): Promise<Child> => {
    const proc = spawn(process.execPath, [CHILD, db.url, job, cron, String(bodyMs), String(jitterMs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const exited = new Promise((r) => proc.once('exit', r));
    const child: Child = {
      proc,
      exited,
      lines: () =>
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
    children.push(child);
    for (let i = 0; i < 100 && !out.includes('ready'); i++) await sleep(50);
    expect(out, 'child started').toContain('ready');
    return child;
  };
  const runs = (job: string) =>
    db.query<{ holder: string; scheduled_at: Date; status: string; started_at: Date; finished_at: Date | null; error: string | null }>(
      `SELECT holder, scheduled_at, status, started_at, finished_at, error FROM tds.job_runs WHERE job = $1 ORDER BY scheduled_at`,
      [job],
    );
  const effects = () =>
    db.query<{ holder: string; scheduled_at: Date; started_at: Date; finished_at: Date | null }>(
      `SELECT holder, scheduled_at, started_at, finished_at FROM job_effects ORDER BY started_at`,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(
      `CREATE TABLE job_effects (id serial PRIMARY KEY, holder text, scheduled_at timestamptz, started_at timestamptz, finished_at timestamptz)`,
    );
  });
  beforeEach(async () => {
    await db.query('TRUNCATE job_effects, tds.job_runs');
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.proc.kill('SIGKILL');
      await c.exited;
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('three processes on one cron, firing up to 300 ms apart: exactly one run per scheduled time, recorded with how it ended', async () => {
    // A short run ends before a later-firing process asks: the lock is free again, the run record says "done".
    const procs = await Promise.all([1, 2, 3].map(() => start('every-second', '* * * * * *', 5, 300)));
    await sleep(4500);
    for (const c of procs) c.proc.kill('SIGTERM');
    await Promise.all(procs.map((c) => c.exited));
    await sleep(200);

    const r = await runs('every-second');
    expect(r.length).toBeGreaterThanOrEqual(3);
    const e = await effects();
    // One effect per run, for distinct scheduled times, each a whole second. SIGTERM ends a child at once: a run it
    // had recorded may not have written its effect yet — only the last one, and that run did not succeed.
    const runTimes = r.map((x) => x.scheduled_at.toISOString());
    const effectTimes = e.map((x) => x.scheduled_at.toISOString());
    if (effectTimes.length === runTimes.length - 1) {
      expect(r[r.length - 1].status, 'a run without its effect was cut by the stop').not.toBe('succeeded');
      expect(effectTimes).toEqual(runTimes.slice(0, -1));
    } else {
      expect(effectTimes).toEqual(runTimes);
    }
    expect(new Set(r.map((x) => x.scheduled_at.getTime())).size).toBe(r.length);
    for (const x of r) expect(x.scheduled_at.getMilliseconds()).toBe(0);
    expect(r.filter((x) => x.status === 'succeeded').length).toBeGreaterThanOrEqual(r.length - 1);
    // Every process fired every tick; the others were told the time had run (or was running) elsewhere.
    const skipped = procs.flatMap((c) => c.lines()).filter((l) => l.ran === false);
    expect(skipped.length).toBeGreaterThanOrEqual(r.length);
    expect(skipped.every((l) => l.reason === 'already_ran' || l.reason === 'locked')).toBe(true);
    expect(skipped.filter((l) => l.reason === 'already_ran').length, 'a process found the lock free after the run').toBeGreaterThan(0);
  });

  it('a run longer than the schedule (and any timeout) is never overlapped, by another process or its own next tick', async () => {
    await Promise.all([1, 2].map(() => start('long', '* * * * * *', 2500)));
    await sleep(6500);
    const e = (await effects()).filter((x) => x.finished_at);
    expect(e.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < e.length; i++) {
      expect(e[i].started_at.getTime(), `run ${i} started before run ${i - 1} ended`).toBeGreaterThanOrEqual(
        e[i - 1].finished_at!.getTime(),
      );
    }
    const all = await effects();
    const open = all.filter((x) => !x.finished_at);
    expect(open.length).toBeLessThanOrEqual(1);
  });

  it('SIGKILL of the holder frees the lock at once: the next tick runs elsewhere and the cut-off run is marked abandoned', async () => {
    const a = await start('killed', '* * * * * *', 60_000);
    let holding: { holder: string }[] = [];
    for (let i = 0; i < 60 && holding.length === 0; i++) {
      await sleep(100);
      holding = await db.query(`SELECT holder FROM tds.job_runs WHERE job = 'killed' AND status = 'running'`);
    }
    expect(holding).toHaveLength(1);
    expect(holding[0].holder).toBe(`child-${a.proc.pid}`);
    const b = await start('killed', '* * * * * *', 300);
    await sleep(1500);
    // While A is alive, B cannot run.
    expect((await runs('killed')).filter((x) => x.holder === `child-${b.proc.pid}`)).toHaveLength(0);

    const killedAt = Date.now();
    a.proc.kill('SIGKILL');
    await a.exited;
    let byB: { started_at: Date }[] = [];
    for (let i = 0; i < 50 && byB.length === 0; i++) {
      await sleep(100);
      byB = (await runs('killed')).filter((x) => x.holder === `child-${b.proc.pid}`);
    }
    expect(byB.length).toBeGreaterThanOrEqual(1);
    // The next whole second after the kill (cron ticks every second): the dead holder's lock went with its session.
    expect(byB[0].started_at.getTime() - killedAt).toBeLessThan(2000);
    const old = (await runs('killed')).find((x) => x.holder === `child-${a.proc.pid}`);
    expect(old).toMatchObject({ status: 'abandoned', error: expect.stringMatching(/ended before it finished/) });
  });
});
