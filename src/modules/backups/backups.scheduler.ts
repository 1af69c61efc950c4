import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { SingletonJobsService } from '../scheduling/singleton-jobs.service';
import { BackupsService } from './backups.service';

export const BACKUP_JOB = 'tds.backup';

/** BACKUP_ENABLED: one backup per BACKUP_CRON time across every process (the singleton-job lock). */
@Injectable()
export class BackupsScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(BackupsScheduler.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly jobs: SingletonJobsService,
    private readonly backups: BackupsService,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, cron } = this.config.backups;
    if (!enabled) return;
    this.jobs.schedule(BACKUP_JOB, cron, async (signal, scheduledAt) => {
      const run = await this.backups.runBackup({ trigger: 'schedule', scheduledAt, signal });
      return `backup run ${run.id}: ${run.file} (${run.size_bytes} bytes, verified ${run.verify_mode})`;
    });
    this.logger.log(`backups scheduled (${cron}) into ${this.backups.dir}`);
  }
}
