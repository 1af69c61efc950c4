import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseService } from '../../database/database.service';
import { timedCheck } from './timed-check';

/**
 * Database ping on the health checks' own small pool (DatabaseService.probes): a busy application pool (ingest under
 * load) must not make the probe wait, and a dead database must fail the probe within the timeout.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly db: DatabaseService,
  ) {}

  check(key = 'database', timeoutMs = 1000) {
    return timedCheck(this.health.check(key), timeoutMs, async () => {
      const started = Date.now();
      const { autovacuum } = await this.db.probes.ping();
      // autovacuum off does not fail the probe (the worker analyzes the queue tables itself; decision 0021), but an
      // operator reading /health should see it: dead rows are never vacuumed.
      return { responseTimeMs: Date.now() - started, autovacuum: autovacuum ? 'on' : 'off' };
    });
  }
}
