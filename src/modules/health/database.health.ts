import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Pool } from 'pg';
import { AppConfigService } from '../../config/app-config.service';

/**
 * Database ping on a dedicated small pool: a busy application pool (ingest under load) must not make the health
 * probe wait, and a dead database must fail the probe within the timeout. Three connections, so the checks of one
 * /health call (ping, queue age, worker heartbeats) run side by side: one round trip instead of three, which is what
 * /health costs when the event loop is saturated by ingest (each round trip waits a whole loop turn).
 */
@Injectable()
export class DatabaseHealthIndicator implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(
    private readonly health: HealthIndicatorService,
    config: AppConfigService,
  ) {
    this.pool = new Pool({
      connectionString: config.database.url,
      max: 3,
      connectionTimeoutMillis: 1000,
      idleTimeoutMillis: 0,
      application_name: 'tds-core:health',
      statement_timeout: 1000,
    });
    this.pool.on('error', () => undefined); // a dropped idle connection is reconnected on the next ping
  }

  check(key = 'database', timeoutMs = 1000) {
    return this.health
      .check(key)
      .attempt(async () => {
        const started = Date.now();
        await this.pool.query('SELECT 1');
        return { responseTimeMs: Date.now() - started };
      })
      .withTimeout(timeoutMs);
  }

  /** Runs a read-only query on the health connection (used by other indicators). */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
