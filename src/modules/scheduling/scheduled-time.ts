import { CronTime } from 'cron';

/** Cron callbacks may fire a little early or late; a tick is attributed to the scheduled time nearest before now + this. */
export const TICK_TOLERANCE_MS = 500;

/**
 * The scheduled time a cron tick firing at `firedAt` belongs to: the latest time of `expression` at or before
 * firedAt + TICK_TOLERANCE_MS. Two processes whose crons fire a few milliseconds apart (or one a little late) get the
 * same answer, which is what makes one run per scheduled time possible (tds.job_runs is unique on it).
 */
export function scheduledTimeOf(expression: string, firedAt: Date = new Date(), timeZone?: string): Date {
  const cron = new CronTime(expression, timeZone);
  const at = firedAt.getTime() + TICK_TOLERANCE_MS;
  // Find a start before the latest tick (stepping back exponentially), then walk forward to it.
  for (let back = 1000; back <= 800 * 86_400_000; back *= 2) {
    let tick = cron.getNextDateFrom(new Date(at - back), timeZone).toJSDate();
    if (tick.getTime() > at) continue;
    for (;;) {
      const next = cron.getNextDateFrom(tick, timeZone).toJSDate();
      if (next.getTime() > at) return tick;
      tick = next;
    }
  }
  throw new Error(`cron expression "${expression}" has no time in the last 800 days`);
}

/** Validates a cron expression (5 fields, or 6 with seconds); returns the problem, or null. */
export function cronProblem(expression: string): string | null {
  try {
    new CronTime(expression);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
