import { describe, expect, it } from 'vitest';
import { cronProblem, scheduledTimeOf, TICK_TOLERANCE_MS } from './scheduled-time';

const at = (iso: string) => new Date(iso);

describe('scheduledTimeOf: the scheduled time a cron tick belongs to', () => {
  it('every 5 minutes: a tick firing on time, a few ms late, or a little early names the same time', () => {
    const cron = '*/5 * * * *';
    const want = '2026-12-01T10:05:00.000Z';
    expect(scheduledTimeOf(cron, at('2026-12-01T10:05:00.000Z')).toISOString()).toBe(want);
    expect(scheduledTimeOf(cron, at('2026-12-01T10:05:00.137Z')).toISOString()).toBe(want);
    expect(scheduledTimeOf(cron, at('2026-12-01T10:04:59.990Z')).toISOString()).toBe(want);
    expect(scheduledTimeOf(cron, at('2026-12-01T10:09:58.000Z')).toISOString()).toBe(want);
    expect(scheduledTimeOf(cron, at(`2026-12-01T10:09:59.${1000 - TICK_TOLERANCE_MS}Z`)).toISOString()).toBe('2026-12-01T10:10:00.000Z');
  });

  it('with a seconds field, and for sparse schedules far back', () => {
    expect(scheduledTimeOf('*/3 * * * * *', at('2026-12-01T10:00:07.010Z')).toISOString()).toBe('2026-12-01T10:00:06.000Z');
    expect(scheduledTimeOf('0 2 * * *', at('2026-12-01T01:59:00.000Z'), 'UTC').toISOString()).toBe('2026-11-30T02:00:00.000Z');
    expect(scheduledTimeOf('0 0 1 1 *', at('2026-12-01T00:00:00.000Z'), 'UTC').toISOString()).toBe('2026-01-01T00:00:00.000Z');
    // In a time zone: 02:00 in Baghdad is 23:00 UTC the day before.
    expect(scheduledTimeOf('0 2 * * *', at('2026-12-01T01:59:00.000Z'), 'Asia/Baghdad').toISOString()).toBe('2026-11-30T23:00:00.000Z');
  });

  it('validates expressions', () => {
    expect(cronProblem('*/5 * * * *')).toBeNull();
    expect(cronProblem('*/5 * * * * *')).toBeNull();
    expect(cronProblem('every five minutes')).toMatch(/./);
  });
});
