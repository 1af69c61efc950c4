/**
 * Exponential backoff with jitter: the cap doubles per attempt (base, 2×base, 4×base … up to max) and the delay is
 * drawn uniformly from [cap/2, cap] ("equal jitter"), never below base nor above max. Jitter spreads retries of a
 * batch that failed together, so they don't hit a recovering database at the same instant.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(attempt - 1, 0), 40);
  const cap = Math.min(maxMs, baseMs * 2 ** exp);
  const delay = cap / 2 + random() * (cap / 2);
  return Math.round(Math.min(maxMs, Math.max(baseMs, delay)));
}
