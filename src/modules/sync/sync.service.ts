import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/queryable';
import { SYNC_HANDLERS } from './sync-handlers';
import { SyncEntityType, SyncEvent, SyncOutcome } from './sync.types';
import type { ErpTarget } from './sync-handler';
import { ErpRowRepository } from './erp-row.repository';
import { parseJsonExact } from '../../common/json/exact-json';

/** The ERP row an event's record lands in, as it is now (null when the record has no row yet); numbers as exact strings. */
export interface ErpRecord {
  table: string;
  key: string;
  row: Record<string, unknown> | null;
}

/**
 * The one sync pipeline: the queue hands it a claimed batch inside the transaction that will also mark the
 * events completed; each type's handler maps and writes its events with multi-row statements.
 */
@Injectable()
export class SyncService {
  constructor(private readonly erpRows: ErpRowRepository) {}

  /** Where a record of this route and body key is written, from the handler definitions; undefined if unknown. */
  targetOf(entityType: string, recordType: string): ErpTarget | undefined {
    const handler = Object.hasOwn(SYNC_HANDLERS, entityType) ? SYNC_HANDLERS[entityType as SyncEntityType] : undefined;
    return handler?.records.find((r) => r.recordType === recordType)?.target;
  }

  /** The current ERP row of a record (for the dashboard's event detail); undefined when the type is unknown. */
  async erpRecordOf(entityType: string, recordType: string, zohoId: string): Promise<ErpRecord | undefined> {
    const target = this.targetOf(entityType, recordType);
    if (!target) return undefined;
    const json = await this.erpRows.findRowJson(target, zohoId);
    // numbers stay exact (as strings), as everywhere the service hands Zoho figures on
    return { table: target.table, key: target.key, row: json === undefined ? null : (parseJsonExact(json) as Record<string, unknown>) };
  }

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
