import { Injectable } from '@nestjs/common';
import { SharedRead } from '../../common/cache/shared-read';
import { AppConfigService } from '../../config/app-config.service';
import { EventBrowserRepository, StatusByTypeRow } from './event-browser.repository';

export type UnfinishedStatus = StatusByTypeRow['status'];

/**
 * The live counts of unfinished events by type and status, read once and shared by every caller for
 * DASHBOARD_LIVE_CACHE_MS (decision 0027): the count reads every waiting event, so during a backlog each count costs
 * in proportion to it. `/dashboard/queue-stats` (by type) and `/dashboard/metrics` (by status, `byStatus()`) answer
 * from the same count.
 */
@Injectable()
export class LiveQueueCounts {
  private readonly shared: SharedRead<StatusByTypeRow[]>;

  constructor(browser: EventBrowserRepository, config: AppConfigService) {
    this.shared = new SharedRead(config.dashboard.liveCacheMs, () => browser.unfinishedByType());
  }

  byType(): Promise<StatusByTypeRow[]> {
    return this.shared.get().value;
  }

  /** Per status: how many, and the age of the oldest in seconds (null when none). */
  async byStatus(): Promise<Record<UnfinishedStatus, { count: number; oldestAgeSeconds: number | null }>> {
    const out: Record<UnfinishedStatus, { count: number; oldestAgeSeconds: number | null }> = {
      pending: { count: 0, oldestAgeSeconds: null },
      processing: { count: 0, oldestAgeSeconds: null },
      failed: { count: 0, oldestAgeSeconds: null },
      dead_letter: { count: 0, oldestAgeSeconds: null },
    };
    for (const r of await this.byType()) {
      const s = out[r.status];
      s.count += r.count;
      const age = Math.round(r.oldest_age_seconds);
      if (s.oldestAgeSeconds === null || age > s.oldestAgeSeconds) s.oldestAgeSeconds = age;
    }
    return out;
  }
}
