/**
 * Webhook requests per client IP, in fixed one-minute windows (RATE_LIMIT_WEBHOOKS_PER_MINUTE), checked in the
 * webhook preauth hook before anything else: one Map lookup and an increment per request, no timers, no promises
 * (a Nest guard would add a reflector lookup, an async storage call and a timer per key on the hot path;
 * docs/decisions/0020).
 *
 * When the minute changes the whole map is dropped, so it holds at most the IPs seen in one minute; beyond
 * `maxTrackedIps` distinct IPs in a minute new ones are not counted (memory stays bounded; the HTTP connection limit
 * still applies). Counts are per process.
 */
export class WebhookRateLimiter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(
    readonly limitPerMinute: number,
    private readonly maxTrackedIps = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the request may go on; else the seconds until the window resets (for Retry-After). */
  hit(ip: string): number {
    const t = this.now();
    const window = Math.floor(t / 60_000);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const n = (this.counts.get(ip) ?? 0) + 1;
    if (n === 1 && this.counts.size >= this.maxTrackedIps) return 0;
    this.counts.set(ip, n);
    if (n <= this.limitPerMinute) return 0;
    return Math.max(1, Math.ceil(((window + 1) * 60_000 - t) / 1000));
  }
}
