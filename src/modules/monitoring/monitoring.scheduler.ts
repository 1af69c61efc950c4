import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { SingletonJobsService } from '../scheduling/singleton-jobs.service';
import { MonitoringService } from './monitoring.service';

export const MONITORING_JOB = 'monitoring.snapshot';

/**
 * Schedules the monitoring run on TDS_MONITORING_CRON in every process role; the singleton-job lock runs it once per
 * scheduled time across all processes and never lets it overlap itself.
 */
@Injectable()
export class MonitoringScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(MonitoringScheduler.name);

  constructor(
    private readonly jobs: SingletonJobsService,
    private readonly monitoring: MonitoringService,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, cron } = this.config.monitoring;
    if (!enabled) return;
    this.jobs.schedule(MONITORING_JOB, cron, async (signal) => {
      const s = await this.monitoring.runOnce(signal);
      const open = s.alerts?.open;
      return (
        `pending=${s.queue.depth.pending} dead_letter=${s.queue.depth.deadLetter} live_workers=${s.workers.live} ` +
        `alerts critical=${open?.critical ?? 0} warning=${open?.warning ?? 0} in ${s.durationMs}ms`
      );
    });
    this.logger.log(`monitoring scheduled (${cron})`);
  }
}
