import { describe, expect, it } from 'vitest';
import { WebhookRateLimiter } from './webhook-rate-limit';

describe('WebhookRateLimiter', () => {
  it('allows the limit per IP and minute, then answers the seconds left in the window', () => {
    let now = 120_000 + 15_000; // 15 s into a minute
    const limiter = new WebhookRateLimiter(3, 100, () => now);
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a')]).toEqual([0, 0, 0]);
    expect(limiter.hit('a')).toBe(45);
    expect(limiter.hit('b')).toBe(0); // another IP has its own count
    now += 44_500;
    expect(limiter.hit('a')).toBe(1);
    now += 1_000; // next minute: counts start again
    expect(limiter.hit('a')).toBe(0);
  });

  it('tracks at most maxTrackedIps per minute; beyond that new IPs pass uncounted', () => {
    const limiter = new WebhookRateLimiter(1, 2, () => 0);
    expect(limiter.hit('a')).toBe(0);
    expect(limiter.hit('b')).toBe(0);
    expect(limiter.hit('c')).toBe(0);
    expect(limiter.hit('c')).toBe(0);
    expect(limiter.hit('a')).toBeGreaterThan(0);
  });
});
