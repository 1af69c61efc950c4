import { Injectable } from '@nestjs/common';
import type { CollectContext, MetricsCollector } from '../monitoring/metrics-collector';
import type { ReconcileSection } from '../monitoring/monitoring-snapshot';
import { ReconcileService } from './reconcile.service';

/**
 * `reconcile`: the records the last pass of each entity type found missing, for passes after the first complete one
 * (not the backfill): many of them mean webhooks are being lost (alert rule reconcile_missed_records).
 */
@Injectable()
export class ReconcileCollector implements MetricsCollector {
  readonly section = 'reconcile';

  constructor(private readonly reconcile: ReconcileService) {}

  async collect(_ctx: CollectContext): Promise<ReconcileSection> {
    const passes = await this.reconcile.lastPasses();
    const judged = passes.filter((p) => p.after_first_complete && !p.backfill);
    const worst = judged.reduce<(typeof judged)[number] | undefined>((w, p) => (!w || p.missing > w.missing ? p : w), undefined);
    return {
      enabled: this.reconcile.enabled,
      maxMissing: worst?.missing ?? 0,
      worstPass: worst ? { id: String(worst.id), entityType: worst.entity_type, missing: worst.missing } : null,
    };
  }
}
