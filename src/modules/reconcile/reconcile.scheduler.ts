import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import type { JobRunResult } from '../scheduling/singleton-job-runner';
import { SingletonJobsService } from '../scheduling/singleton-jobs.service';
import { RECONCILE_JOB, ReconcileService } from './reconcile.service';

/** Registers the reconciliation cron (TDS_RECONCILE_CRON) in every process when reconciliation is configured. */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReconcileScheduler.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly jobs: SingletonJobsService,
    private readonly reconcile: ReconcileService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.reconcile.enabled) {
      this.logger.debug(
        'Zoho reconciliation is off (ZOHO_CLIENT_ID / ZOHO_CLIENT_SECRET / ZOHO_REFRESH_TOKEN / ZOHO_ORGANIZATION_ID unset)',
      );
      return;
    }
    this.jobs.schedule(RECONCILE_JOB, this.config.reconcile.cron, (signal) => this.reconcile.runScheduled(signal), 'UTC');
  }

  /** What a cron tick does, for one scheduled time (tests call it from several processes at once). */
  runScheduled(scheduledAt: Date): Promise<JobRunResult | undefined> {
    return this.jobs.runNow(RECONCILE_JOB, scheduledAt, (signal) => this.reconcile.runScheduled(signal));
  }
}
