import { describe, expect, it } from 'vitest';
import { toQueueBreakdown } from './queue-stats.dto';

describe('toQueueBreakdown', () => {
  it('folds status × type rows into per-type rows, totals with ages, and the oldest waiting event (dead letters excluded)', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    const at = (s: number) => new Date(now - s * 1000);
    const out = toQueueBreakdown(
      {
        unfinished: [
          { entity_type: 'invoice', status: 'pending', count: 3, oldest_received_at: at(30), oldest_age_seconds: 30 },
          { entity_type: 'contact', status: 'pending', count: 1, oldest_received_at: at(90), oldest_age_seconds: 90 },
          { entity_type: 'invoice', status: 'dead_letter', count: 2, oldest_received_at: at(9000), oldest_age_seconds: 9000 },
          { entity_type: 'contact', status: 'processing', count: 1, oldest_received_at: at(5), oldest_age_seconds: 5 },
        ],
        completedLastDay: [{ entity_type: 'bill', count: 7 }],
        attemptsLastDay: [{ attempts: 1, count: 9 }],
        lastDayAsOf: at(4),
      },
      now,
    );
    expect(out.totals).toEqual({
      pending: { count: 4, oldestAgeSeconds: 90 },
      processing: { count: 1, oldestAgeSeconds: 5 },
      failed: { count: 0, oldestAgeSeconds: null },
      deadLetter: { count: 2, oldestAgeSeconds: 9000 },
    });
    expect(out.byEntityType).toEqual([
      { entityType: 'bill', pending: 0, processing: 0, failed: 0, deadLetter: 0, completedLast24h: 7 },
      { entityType: 'contact', pending: 1, processing: 1, failed: 0, deadLetter: 0, completedLast24h: 0 },
      { entityType: 'invoice', pending: 3, processing: 0, failed: 0, deadLetter: 2, completedLast24h: 0 },
    ]);
    expect(out.oldestPending).toEqual({ receivedAt: at(90), ageSeconds: 90 });
    expect(out.retryHistogram).toEqual([{ attempts: 1, count: 9 }]);
    expect(out.last24hAsOf).toEqual(at(4));
  });

  it('an empty queue has no oldest pending event', () => {
    expect(
      toQueueBreakdown({ unfinished: [], completedLastDay: [], attemptsLastDay: [], lastDayAsOf: new Date() }).oldestPending,
    ).toBeNull();
  });
});
