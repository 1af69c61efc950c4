import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import type { CollectContext, MetricsCollector } from './metrics-collector';
import type { WorkersSection } from './monitoring-snapshot';
import { MonitoringRepository } from './monitoring.repository';

/** `workers`: worker processes with a heartbeat within TDS_WORKER_HEARTBEAT_TIMEOUT_S, and the recent ones. */
@Injectable()
export class WorkersCollector implements MetricsCollector {
  readonly section = 'workers';

  constructor(
    private readonly repo: MonitoringRepository,
    private readonly config: AppConfigService,
  ) {}

  async collect(_ctx: CollectContext): Promise<WorkersSection> {
    const timeoutSeconds = this.config.monitoring.workerHeartbeatTimeoutS;
    const rows = await this.repo.recentWorkers(timeoutSeconds);
    const drainers = rows.filter((r) => r.role !== 'api');
    return {
      live: rows.filter((r) => r.live).length,
      timeoutSeconds,
      lastHeartbeatAt: drainers[0]?.last_heartbeat_at.toISOString() ?? null,
      recent: rows.slice(0, 10).map((r) => ({
        workerId: r.worker_id,
        role: r.role,
        hostname: r.hostname,
        lastHeartbeatAt: r.last_heartbeat_at.toISOString(),
        live: r.live,
      })),
    };
  }
}
