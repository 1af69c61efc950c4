import type { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * One database-backed health check shared by every probe (docs/decisions/0025-health-checks-shared-between-probes.md).
 *
 * `/health` is unauthenticated and polled by uptime monitors, load balancers and sometimes many of them at once; each
 * call used to run its own queries (~0.9 ms of CPU and three round trips), and under ingest those round trips waited
 * behind the busy event loop. Now each check runs at most once per `ttlMs`, whatever the probe rate:
 *  - a result younger than `ttlMs` is answered as it is;
 *  - a result between `ttlMs` and `3 × ttlMs` old is answered too, and one new check starts in the background, so a
 *    probe that comes at least every `ttlMs` never waits for the database and sees a change one `ttlMs` (+ the
 *    check's own time) later;
 *  - an older result, or none, waits for a new check (an uptime monitor asking every 30 s always gets a fresh one).
 * Concurrent probes share the check in flight (one query however many probes). Failures are kept the same way, so a
 * dead database is not hammered by probes waiting on timeouts. `ttlMs = 0` checks on every probe.
 * Every result carries `checkedAt`, the time its check finished.
 */
export class CachedCheck {
  private last: { at: number; result: HealthIndicatorResult } | undefined;
  private inFlight: Promise<HealthIndicatorResult> | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly run: () => Promise<HealthIndicatorResult>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<HealthIndicatorResult> {
    const last = this.last;
    // (ttl 0 falls through: no age is below 0; a clock that went back is not trusted either)
    const age = last ? this.now() - last.at : -1;
    if (last && age >= 0 && age < 3 * this.ttlMs) {
      if (age >= this.ttlMs) void this.refresh().catch(() => undefined);
      return Promise.resolve(last.result);
    }
    return this.refresh();
  }

  private refresh(): Promise<HealthIndicatorResult> {
    this.inFlight ??= this.run()
      .then((result) => {
        const at = this.now();
        const checkedAt = new Date(at).toISOString();
        for (const value of Object.values(result)) value.checkedAt = checkedAt;
        this.last = { at, result };
        return result;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
