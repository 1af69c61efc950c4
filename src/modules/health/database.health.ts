import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AppConfigService } from '../../config/app-config.service';
import { DatabaseService } from '../../database/database.service';
import { CachedCheck } from './cached-check';
import { timedCheck } from './timed-check';

/**
 * Database ping on the health checks' own small pool (DatabaseService.probes): a busy application pool (ingest under
 * load) must not make the probe wait, and a dead database must fail the probe within the timeout. One ping serves
 * every probe for HEALTH_CHECK_CACHE_MS (CachedCheck); /health and /health/ready share it.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly shared: CachedCheck;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly db: DatabaseService,
    config: AppConfigService,
  ) {
    this.shared = new CachedCheck(config.health.checkCacheMs, () => this.ping('database', 1000));
  }

  check(): Promise<HealthIndicatorResult> {
    return this.shared.get();
  }

  private ping(key: string, timeoutMs: number) {
    return timedCheck(this.health.check(key), timeoutMs, async () => {
      const started = Date.now();
      const { autovacuum } = await this.db.probes.ping();
      // autovacuum off does not fail the probe (the worker analyzes the queue tables itself; decision 0021), but an
      // operator reading /health should see it: dead rows are never vacuumed.
      return { responseTimeMs: Date.now() - started, autovacuum: autovacuum ? 'on' : 'off' };
    });
  }
}
