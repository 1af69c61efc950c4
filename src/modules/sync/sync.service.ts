import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/queryable';
import { SYNC_HANDLERS } from './sync-handlers';
import { SyncEntityType, SyncEvent, SyncOutcome } from './sync.types';

/**
 * The one sync pipeline: the queue hands it a claimed batch inside the transaction that will also mark the
 * events completed; each type's handler maps and writes its events with multi-row statements.
 */
@Injectable()
export class SyncService {
  /** One outcome per event. Throws on a database error (the caller rolls back and isolates the culprit). */
  async applyBatch(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]> {
    const byType = new Map<SyncEntityType, SyncEvent[]>();
    for (const e of events) byType.set(e.entityType, [...(byType.get(e.entityType) ?? []), e]);
    const outcomes: SyncOutcome[] = [];
    for (const [type, group] of byType) {
      const handler = SYNC_HANDLERS[type];
      if (!handler) {
        outcomes.push(...group.map((e) => ({ eventId: e.id, status: 'invalid' as const, error: `unknown entity type '${type}'` })));
        continue;
      }
      outcomes.push(...(await handler.apply(tx, group)));
    }
    return outcomes;
  }
}
