import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { SingletonJobsService } from '../scheduling/singleton-jobs.service';
import { RetentionService } from './retention.service';

export const RETENTION_JOB = 'tds.retention';

/** TDS_RETENTION_ENABLED: one pruning run per TDS_RETENTION_CRON time across every process. */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionScheduler.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly jobs: SingletonJobsService,
    private readonly retention: RetentionService,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, cron } = this.config.retention;
    if (!enabled) return;
    this.jobs.schedule(RETENTION_JOB, cron, async (signal) => {
      const r = await this.retention.prune({ signal });
      return (
        `deleted ${r.deleted.rows} events, ${r.deleted.attemptsDeleted} attempts; cleared ${r.cleared.rows} bodies; ` +
        `${r.deleted.batches + r.cleared.batches} batches${r.interrupted ? '; interrupted' : ''}`
      );
    });
    this.logger.log(`retention scheduled (${cron})`);
  }
}
