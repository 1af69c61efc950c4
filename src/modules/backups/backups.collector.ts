import { Injectable } from '@nestjs/common';
import type { CollectContext, MetricsCollector } from '../monitoring/metrics-collector';
import type { BackupsSection } from '../monitoring/monitoring-snapshot';
import { BackupsService } from './backups.service';

/** `backups`: whether the newest backup run failed and whether a verified backup is overdue (alert rules backup_*). */
@Injectable()
export class BackupsCollector implements MetricsCollector {
  readonly section = 'backups';

  constructor(private readonly backups: BackupsService) {}

  async collect(_ctx: CollectContext): Promise<BackupsSection> {
    const s = await this.backups.status();
    return {
      enabled: s.enabled,
      lastRunFailed: s.lastRunFailed,
      lastError: s.lastError,
      lastFailureAt: s.lastFailureAt?.toISOString() ?? null,
      lastVerifiedAt: s.lastVerifiedAt?.toISOString() ?? null,
      verifiedBackupOverdue: s.verifiedBackupOverdue,
      maxVerifiedAgeHours: s.maxVerifiedAgeHours,
    };
  }
}
