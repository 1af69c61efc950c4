import type { HealthIndicatorResult } from '@nestjs/terminus';
import { describe, expect, it } from 'vitest';
import { CachedCheck } from './cached-check';

/** A check whose runs are counted and finished by hand, on a clock the test moves. */
function harness(ttlMs: number) {
  const clock = { now: 1_000_000 };
  const runs: { resolve: (r: HealthIndicatorResult) => void; reject: (e: unknown) => void }[] = [];
  const cached = new CachedCheck(
    ttlMs,
    () => new Promise<HealthIndicatorResult>((resolve, reject) => runs.push({ resolve, reject })),
    () => clock.now,
  );
  const up = (n: number): HealthIndicatorResult => ({ database: { status: 'up', n } });
  return { clock, runs, cached, up };
}

const settled = () => new Promise((r) => setImmediate(r));

describe('CachedCheck (one database check shared by every probe)', () => {
  it('concurrent probes share one check, and its result carries checkedAt', async () => {
    const { runs, cached, up, clock } = harness(1000);
    const probes = [cached.get(), cached.get(), cached.get()];
    expect(runs).toHaveLength(1);
    runs[0].resolve(up(1));
    const results = await Promise.all(probes);
    expect(results.map((r) => r.database.n)).toEqual([1, 1, 1]);
    expect(results[0].database.checkedAt).toBe(new Date(clock.now).toISOString());
    // the same instant: still fresh
    expect((await cached.get()).database.n).toBe(1);
    expect(runs).toHaveLength(1);
  });

  it('answers from memory within ttl, in the background until 3 × ttl, and waits after that', async () => {
    const { runs, cached, up, clock } = harness(1000);
    const first = cached.get();
    runs[0].resolve(up(1));
    await first;

    clock.now += 999; // fresh: no new check
    expect((await cached.get()).database.n).toBe(1);
    expect(runs).toHaveLength(1);

    clock.now += 1; // ttl reached: answered at once from memory, one check starts
    expect((await cached.get()).database.n).toBe(1);
    expect((await cached.get()).database.n).toBe(1);
    expect(runs).toHaveLength(2);
    runs[1].resolve(up(2));
    await settled();
    expect((await cached.get()).database.n).toBe(2);

    clock.now += 2999; // just under 3 × ttl: still answered at once (one new check)
    expect((await cached.get()).database.n).toBe(2);
    expect(runs).toHaveLength(3);
    runs[2].resolve(up(2));
    await settled();
    clock.now += 3000; // 3 × ttl since the last check finished: the probe waits for a new one
    let answered: HealthIndicatorResult | undefined;
    void cached.get().then((r) => (answered = r));
    await settled();
    expect(runs).toHaveLength(4);
    expect(answered).toBeUndefined();
    runs[3].resolve(up(3));
    await settled();
    expect(answered?.database.n).toBe(3);
  });

  it('a down result is shared the same way, and the next check can bring it back up', async () => {
    const { runs, cached, up, clock } = harness(1000);
    const first = cached.get();
    runs[0].resolve({ database: { status: 'down', message: 'connection refused' } });
    expect((await first).database.status).toBe('down');
    clock.now += 500;
    expect((await cached.get()).database.status).toBe('down');
    expect(runs).toHaveLength(1);
    clock.now += 600;
    expect((await cached.get()).database.status).toBe('down');
    runs[1].resolve(up(2));
    await settled();
    expect((await cached.get()).database.status).toBe('up');
  });

  it('a check that throws fails the probes waiting for it, keeps nothing, and the next probe checks again', async () => {
    const { runs, cached, up } = harness(1000);
    const probes = [cached.get(), cached.get()];
    runs[0].reject(new Error('boom'));
    for (const p of probes) await expect(p).rejects.toThrow('boom');
    const next = cached.get();
    expect(runs).toHaveLength(2);
    runs[1].resolve(up(2));
    expect((await next).database.n).toBe(2);
  });

  it('ttl 0 checks on every probe', async () => {
    const { runs, cached, up } = harness(0);
    const a = cached.get();
    runs[0].resolve(up(1));
    await a;
    const b = cached.get();
    expect(runs).toHaveLength(2);
    runs[1].resolve(up(2));
    expect((await b).database.n).toBe(2);
  });

  it('a clock that goes back never serves an old result as fresh', async () => {
    const { runs, cached, up, clock } = harness(1000);
    const a = cached.get();
    runs[0].resolve(up(1));
    await a;
    clock.now -= 10_000;
    const b = cached.get();
    expect(runs).toHaveLength(2);
    runs[1].resolve(up(2));
    expect((await b).database.n).toBe(2);
  });
});
