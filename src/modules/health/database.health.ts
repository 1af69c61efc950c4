import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseService } from '../../database/database.service';

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
    return this.health
      .check(key)
      .attempt(async () => {
        const started = Date.now();
        await this.db.probes.ping();
        return { responseTimeMs: Date.now() - started };
      })
      .withTimeout(timeoutMs);
  }
}
