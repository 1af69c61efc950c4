import type { Queryable } from '../../database/queryable';
import { ErpRepository } from './erp.repository';
import type { DocumentDefinition, MappedDocument, Row, SyncHandler } from './sync-handler';
import type { SyncEntityType, SyncEvent, SyncOutcome } from './sync.types';
import { FieldError, list } from './zoho-values';

/** Maps one event; FieldError means the payload can never map (→ invalid, dead letter with the field named). */
export function mapDocument(def: DocumentDefinition, event: SyncEvent): MappedDocument {
  const base: Row = { [def.key]: event.entityId, zoho_modified_at: event.zohoModifiedAt, event_id: event.id };
  if (event.eventKind === 'deleted') {
    // The version the deleted row keeps (ErpRepository.softDelete): its timestamp, else final or the receive time.
    const version = event.zohoModifiedAt ?? (def.timestamped === false ? 'infinity' : event.receivedAt);
    return { event, row: { ...base, version }, lines: [] };
  }
  const row = { ...def.map(event.record), ...base };
  const lines: Row[] = [];
  if (def.lines) {
    const seen = new Map<string, Row>();
    list(event.record, def.lines.source).forEach((line, i) => {
      const mapped = def.lines!.map(line, i, event.record);
      const lineId = (mapped.zoho_line_item_id as string | null) ?? `pos-${i + 1}`;
      // A line id repeated within one document: the last one wins (the key must be unique).
      seen.set(lineId, {
        ...mapped,
        [def.lines!.parentKey]: event.entityId,
        zoho_line_item_id: lineId,
        position: i + 1,
        zoho_modified_at: event.zohoModifiedAt,
        event_id: event.id,
        source_index: i,
      });
    });
    lines.push(...seen.values());
  }
  return { event, row, lines };
}

/** The shared pipeline for every document-shaped record type. */
export class DocumentSyncHandler implements SyncHandler {
  readonly type: SyncEntityType;

  constructor(private readonly defs: DocumentDefinition[]) {
    this.type = defs[0].type;
  }

  async apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]> {
    const outcomes: SyncOutcome[] = [];
    for (const def of this.defs) {
      const mine = events.filter((e) => e.recordType === def.recordType);
      if (mine.length) outcomes.push(...(await this.applyDefinition(tx, def, mine)));
    }
    const handled = new Set(outcomes.map((o) => o.eventId));
    for (const e of events) {
      if (!handled.has(e.id)) {
        outcomes.push({ eventId: e.id, status: 'invalid', error: `no ${this.type} handler for record type '${e.recordType}'` });
      }
    }
    return outcomes;
  }

  private async applyDefinition(tx: Queryable, def: DocumentDefinition, events: SyncEvent[]): Promise<SyncOutcome[]> {
    const outcomes: SyncOutcome[] = [];
    const docs: MappedDocument[] = [];
    for (const event of events) {
      try {
        docs.push(mapDocument(def, event));
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        outcomes.push({ eventId: event.id, status: 'invalid', error: `${def.recordType}.${err.message}` });
      }
    }
    const before = def.beforeApply ? await def.beforeApply(tx, docs) : undefined;
    const upserts = docs.filter((d) => d.event.eventKind !== 'deleted');
    const deletes = docs.filter((d) => d.event.eventKind === 'deleted');
    const written = await ErpRepository.upsert(tx, def.table, def.key, def.columns, upserts.map((d) => d.row));
    const deleted = await ErpRepository.softDelete(tx, def.table, def.key, deletes.map((d) => d.row));
    const applied = upserts.filter((d) => written.has(d.event.entityId));
    const appliedDeletes = deletes.filter((d) => deleted.has(d.event.entityId));
    if (def.lines) {
      await ErpRepository.replaceLines(
        tx,
        def.lines.table,
        def.lines.parentKey,
        def.lines.source,
        def.lines.columns,
        applied.map((d) => d.event.entityId),
        applied.flatMap((d) => d.lines),
      );
    }
    const details = def.afterApply ? await def.afterApply(tx, applied, appliedDeletes, before) : undefined;
    for (const d of docs) {
      const ok = d.event.eventKind === 'deleted' ? deleted.has(d.event.entityId) : written.has(d.event.entityId);
      const detail = details ? details.get(d.event.id) : undefined;
      outcomes.push({ eventId: d.event.id, status: ok ? 'applied' : 'skipped_stale', ...(detail ? { detail } : {}) });
    }
    return outcomes;
  }
}
