import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfigService } from '../../config/app-config.service';
import { DatabaseHealthIndicator } from '../health/database.health';
import type { HealthIndicatorProvider } from '../health/health-indicators';

// Index-only probes (events_runnable_idx, small workers table): cheap even with a large backlog.
const OLDEST_RUNNABLE = `
  SELECT extract(epoch FROM now() - received_at)::float8 AS age
  FROM tds.events WHERE status IN ('pending', 'failed') ORDER BY id LIMIT 1`;
const LIVE_WORKERS = `
  SELECT count(*)::int AS n FROM tds.workers
  WHERE role IN ('all', 'worker') AND stopped_at IS NULL
    AND last_heartbeat_at > now() - make_interval(secs => $1::float8 / 1000)`;

/** /health "queue": down when the oldest waiting event is older than HEALTH_QUEUE_MAX_AGE_SECONDS. */
@Injectable()
export class QueueHealthIndicator implements HealthIndicatorProvider {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly db: DatabaseHealthIndicator,
    private readonly config: AppConfigService,
  ) {}

  check() {
    const maxAge = this.config.health.queueMaxAgeSeconds;
    return this.health
      .check('queue')
      .attempt(async () => {
        const rows = await this.db.query<{ age: number }>(OLDEST_RUNNABLE);
        const age = rows.length ? Math.round(rows[0].age) : 0;
        if (age > maxAge) throw new Error(`oldest waiting event is ${age}s old (limit ${maxAge}s)`);
        return { oldestWaitingSeconds: age, limitSeconds: maxAge };
      })
      .withTimeout(1000);
  }
}

/** /health "workers": down when no worker process has sent a heartbeat within 3 intervals. */
@Injectable()
export class WorkerHealthIndicator implements HealthIndicatorProvider {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly db: DatabaseHealthIndicator,
    private readonly config: AppConfigService,
  ) {}

  check() {
    const session = this.health.check('workers');
    if (!this.config.health.requireWorker) return session.up({ required: false });
    const window = this.config.queue.heartbeatIntervalMs * 3;
    return session
      .attempt(async () => {
        const rows = await this.db.query<{ n: number }>(LIVE_WORKERS, [window]);
        const live = rows[0]?.n ?? 0;
        if (live === 0) throw new Error(`no worker heartbeat in the last ${Math.round(window / 1000)}s`);
        return { live };
      })
      .withTimeout(1000);
  }
}
