import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfigService } from '../../config/app-config.service';
import { CachedCheck } from '../health/cached-check';
import type { HealthIndicatorProvider } from '../health/health-indicators';
import { timedCheck } from '../health/timed-check';
import { WorkerRegistryRepository } from '../workers/worker-registry.repository';
import { EventRepository } from './event.repository';

// Both probes run on the health checks' own pool (DatabaseService.probes, through the repositories), each at most once
// per HEALTH_CHECK_CACHE_MS whatever the probe rate (CachedCheck).

/** /health "queue": down when the oldest waiting event is older than HEALTH_QUEUE_MAX_AGE_SECONDS. */
@Injectable()
export class QueueHealthIndicator implements HealthIndicatorProvider {
  private readonly shared: CachedCheck;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly events: EventRepository,
    private readonly config: AppConfigService,
  ) {
    this.shared = new CachedCheck(config.health.checkCacheMs, () => this.run());
  }

  check() {
    return this.shared.get();
  }

  private run() {
    const maxAge = this.config.health.queueMaxAgeSeconds;
    return timedCheck(this.health.check('queue'), 1000, async () => {
      const age = Math.round(await this.events.oldestWaitingAgeSeconds());
      if (age > maxAge) throw new Error(`oldest waiting event is ${age}s old (limit ${maxAge}s)`);
      return { oldestWaitingSeconds: age, limitSeconds: maxAge };
    });
  }
}

/** /health "workers": down when no worker process has sent a heartbeat within TDS_WORKER_HEARTBEAT_TIMEOUT_S. */
@Injectable()
export class WorkerHealthIndicator implements HealthIndicatorProvider {
  private readonly shared: CachedCheck;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly workers: WorkerRegistryRepository,
    private readonly config: AppConfigService,
  ) {
    this.shared = new CachedCheck(config.health.checkCacheMs, () => this.run());
  }

  check() {
    if (!this.config.health.requireWorker) return this.health.check('workers').up({ required: false });
    return this.shared.get();
  }

  private run() {
    const session = this.health.check('workers');
    const window = this.config.health.workerHeartbeatTimeoutS * 1000;
    return timedCheck(session, 1000, async () => {
      const live = await this.workers.countLiveWorkers(window);
      if (live === 0) throw new Error(`no worker heartbeat in the last ${Math.round(window / 1000)}s`);
      return { live };
    });
  }
}
