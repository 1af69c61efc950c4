import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('grows exponentially within [cap/2, cap]', () => {
    expect(backoffDelayMs(1, 1000, 60000, () => 0)).toBe(1000);
    expect(backoffDelayMs(1, 1000, 60000, () => 1)).toBe(1000);
    expect(backoffDelayMs(2, 1000, 60000, () => 0)).toBe(1000);
    expect(backoffDelayMs(2, 1000, 60000, () => 1)).toBe(2000);
    expect(backoffDelayMs(4, 1000, 60000, () => 0)).toBe(4000);
    expect(backoffDelayMs(4, 1000, 60000, () => 1)).toBe(8000);
  });

  it('never exceeds max and never drops below base', () => {
    for (let a = 1; a < 100; a++) {
      const d = backoffDelayMs(a, 500, 30000);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(30000);
    }
    expect(backoffDelayMs(50, 500, 30000, () => 1)).toBe(30000);
  });

  it('jitters: different random draws give different delays', () => {
    expect(backoffDelayMs(5, 1000, 60000, () => 0.1)).not.toBe(backoffDelayMs(5, 1000, 60000, () => 0.9));
  });
});
