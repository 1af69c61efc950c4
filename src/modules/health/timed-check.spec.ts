import { HealthIndicatorService } from '@nestjs/terminus';
import { describe, expect, it } from 'vitest';
import { timedCheck } from './timed-check';

describe('timedCheck (Terminus attempt + timeout without abort signals)', () => {
  const health = new HealthIndicatorService();

  it('up with the check data and its response time', async () => {
    const r = await timedCheck(health.check('queue'), 1000, async () => ({ oldestWaitingSeconds: 3 }));
    expect(r).toEqual({ queue: { status: 'up', oldestWaitingSeconds: 3, responseTime: expect.any(Number) } });
  });

  it('down with the error message when the check throws', async () => {
    const r = await timedCheck(health.check('workers'), 1000, async () => {
      throw new Error('no worker heartbeat in the last 30s');
    });
    expect(r).toEqual({ workers: { status: 'down', message: 'no worker heartbeat in the last 30s', responseTime: expect.any(Number) } });
  });

  it('down after the timeout when the check hangs, without waiting for it', async () => {
    const started = Date.now();
    const r = await timedCheck(health.check('database'), 50, () => new Promise(() => undefined));
    expect(r).toEqual({ database: { status: 'down', message: 'timeout of 50ms exceeded', responseTime: expect.any(Number) } });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.database.responseTime).toBeGreaterThanOrEqual(45);
  });

  it('the same shape as Terminus attempt().withTimeout() for up, down and timeout', async () => {
    const strip = (x: Record<string, Record<string, unknown>>) =>
      Object.fromEntries(Object.entries(x).map(([k, v]) => [k, { ...v, responseTime: 0 }]));
    const cases: (() => Promise<Record<string, unknown>>)[] = [
      async () => ({ live: 2 }),
      async () => {
        throw new Error('boom');
      },
      () => new Promise(() => undefined),
    ];
    for (const fn of cases) {
      const ours = await timedCheck(health.check('k'), 30, fn);
      const theirs = await health.check('k').attempt(fn).withTimeout(30);
      expect(strip(ours)).toEqual(strip(theirs));
    }
  });
});
