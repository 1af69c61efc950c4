import type { Queryable } from '../../database/queryable';
import { ErpRepository } from './erp.repository';
import { absentMask, checkFields, mapFields, readField, type FieldSpec, type Row } from './field-spec';
import type {
  DocumentDefinition,
  ErpTarget,
  GeneratedStatement,
  ItemFieldsDefinition,
  MappedDocument,
  RecordHandler,
  SyncHandler,
} from './sync-handler';
import type { SyncEntityType, SyncEvent, SyncOutcome } from './sync.types';
import { FieldError, indexedList } from './zoho-values';
import { stockSnapshot } from './handlers/stock-snapshot';

/** Columns (and row keys) the pipeline itself writes: a field spec may not name them. */
const DOCUMENT_RESERVED = ['zoho_modified_at', 'raw', 'synced_at', 'deleted_at', 'event_id', 'version'];
const LINE_RESERVED = ['position', 'zoho_modified_at', 'raw', 'synced_at', 'event_id', 'source_index'];

/** Maps one event; FieldError means the payload can never map (→ invalid, dead letter with the field named). */
/** The line key as a field spec, made once per line definition (readField caches its reader by spec). */
const lineKeySpecs = new WeakMap<object, FieldSpec>();
function lineKeySpec(key: { column: string; from: FieldSpec['from'] }): FieldSpec {
  let spec = lineKeySpecs.get(key);
  if (!spec) lineKeySpecs.set(key, (spec = { column: key.column, type: 'id', from: key.from } as FieldSpec));
  return spec;
}

export function mapDocument<B>(def: DocumentDefinition<B>, event: SyncEvent): MappedDocument {
  const base: Row = { [def.key]: event.entityId, zoho_modified_at: event.zohoModifiedAt, event_id: event.id };
  if (event.eventKind === 'deleted') {
    // The version the deleted row keeps (ErpRepository.softDelete): its timestamp, else final or the receive time.
    const version = event.zohoModifiedAt ?? (def.timestamped === false ? 'infinity' : event.receivedAt);
    return { event, row: { ...base, version }, lines: [] };
  }
  // The mappers return a fresh object per record: the pipeline's own keys are added to it, not spread into a copy
  // (a spread with computed keys measured ~40 µs per 5-line invoice).
  const row = mapFields(def.fields, event.record);
  row[def.key] = event.entityId;
  row.zoho_modified_at = event.zohoModifiedAt;
  row.event_id = event.id;
  row.absent = absentMask(def.fields, event.record);
  const ld = def.lines;
  // A record that does not send its line list at all leaves the stored lines as they are (an empty list clears them).
  if (ld && !Object.prototype.hasOwnProperty.call(event.record, ld.source)) return { event, row, lines: null };
  const lines: Row[] = [];
  if (ld) {
    const keySpec = lineKeySpec(ld.key);
    const seen = new Map<string, Row>();
    const entries = indexedList(event.record, ld.source);
    for (let i = 0; i < entries.length; i++) {
      const { entry, index } = entries[i];
      const line = mapFields(ld.fields, entry, event.record); // validated even when the entry is left out
      const key = readField(keySpec, entry) as string | null;
      if (key === null && ld.key.whenMissing === 'skip') continue;
      const lineKey = key ?? `pos-${i + 1}`;
      line[ld.parentKey] = event.entityId;
      line[ld.key.column] = lineKey;
      line.position = i + 1;
      line.zoho_modified_at = event.zohoModifiedAt;
      line.event_id = event.id;
      line.source_index = index;
      // A key repeated within one document: the last one wins (the key must be unique).
      seen.set(lineKey, line);
    }
    let kept = 0;
    for (const line of seen.values()) {
      if (ld.position === 'kept') line.position = ++kept;
      lines.push(line);
    }
  }
  return { event, row, lines };
}

/** The shared pipeline for every document-shaped record type: one definition, one record type. */
export class DocumentRecordHandler<B = void> implements RecordHandler {
  readonly recordType: string;
  readonly target: ErpTarget;

  constructor(private readonly def: DocumentDefinition<B>) {
    this.recordType = def.recordType;
    this.target = { table: def.table, key: def.key };
    checkFields(def.table, def.fields, [def.key, ...DOCUMENT_RESERVED]);
    if (def.lines) checkFields(def.lines.table, def.lines.fields, [def.lines.parentKey, def.lines.key.column, ...LINE_RESERVED]);
  }

  statements(): GeneratedStatement[] {
    return ErpRepository.generated(this.def);
  }

  async apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]> {
    const def = this.def;
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
    const before = (def.beforeApply ? await def.beforeApply(tx, docs) : undefined) as B;
    const upserts = docs.filter((d) => d.event.eventKind !== 'deleted');
    const deletes = docs.filter((d) => d.event.eventKind === 'deleted');
    const written = await ErpRepository.upsert(
      tx,
      def,
      upserts.map((d) => d.row),
    );
    const deleted = await ErpRepository.softDelete(
      tx,
      def,
      deletes.map((d) => d.row),
    );
    const applied = upserts.filter((d) => written.has(d.event.entityId));
    const appliedDeletes = deletes.filter((d) => deleted.has(d.event.entityId));
    if (def.lines) {
      const withLines = applied.filter((d) => d.lines !== null);
      await ErpRepository.replaceLines(
        tx,
        def,
        withLines.map((d) => d.event.entityId),
        withLines.flatMap((d) => d.lines ?? []),
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

/**
 * An `item` record arriving on the stock or prices route updates only part of erp.products (ItemFieldsDefinition),
 * with the same stale rule; an unknown item gets a minimal row. Deletes are not meaningful here (an item is deleted
 * through /webhooks/products) and complete as applied without effect.
 */
export class ItemFieldsRecordHandler implements RecordHandler {
  readonly recordType = 'item';
  readonly target: ErpTarget = { table: 'erp.products', key: 'zoho_item_id' };

  constructor(private readonly def: ItemFieldsDefinition) {
    checkFields('erp.products (item fields)', def.fields, ['zoho_item_id', 'name', 'sku', ...DOCUMENT_RESERVED]);
  }

  statements(): GeneratedStatement[] {
    return ErpRepository.generated(this.def);
  }

  async apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]> {
    const outcomes: SyncOutcome[] = [];
    const rows: Row[] = [];
    const live: SyncEvent[] = [];
    for (const e of events) {
      if (e.eventKind === 'deleted') {
        outcomes.push({ eventId: e.id, status: 'applied', detail: 'item delete ignored on this route' });
        continue;
      }
      try {
        const identity = mapFields(ITEM_IDENTITY_FIELDS, e.record);
        rows.push({
          zoho_item_id: e.entityId,
          ...identity,
          ...mapFields(this.def.fields, e.record),
          zoho_modified_at: e.zohoModifiedAt,
          event_id: e.id,
          absent: absentMask(this.def.fields, e.record),
        });
        live.push(e);
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        outcomes.push({ eventId: e.id, status: 'invalid', error: `item.${err.message}` });
      }
    }
    const written = await ErpRepository.upsertItemFields(tx, this.def, rows);
    if (this.def.stockLevels) {
      await ErpRepository.setStockLevels(
        tx,
        live.filter((e) => written.has(e.entityId)).flatMap((e) => stockSnapshot(e.record, e.entityId, e.zohoModifiedAt, e.id).rows),
      );
    }
    for (const e of live) outcomes.push({ eventId: e.id, status: written.has(e.entityId) ? 'applied' : 'skipped_stale' });
    return outcomes;
  }
}

/** Name and sku an item on another route brings (kept only when the product row has none). */
const ITEM_IDENTITY_FIELDS = [
  { column: 'name', type: 'text', from: 'name' },
  { column: 'sku', type: 'text', from: 'sku' },
] as const;

/** A route's handler: each event goes to the record handler for its body key; an unknown key is invalid. */
export class RecordTypeDispatch implements SyncHandler {
  constructor(
    readonly type: SyncEntityType,
    readonly records: readonly RecordHandler[],
  ) {}

  async apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]> {
    const outcomes: SyncOutcome[] = [];
    for (const handler of this.records) {
      const mine = events.filter((e) => e.recordType === handler.recordType);
      if (mine.length) outcomes.push(...(await handler.apply(tx, mine)));
    }
    const known = new Set(this.records.map((h) => h.recordType));
    for (const e of events) {
      if (!known.has(e.recordType)) {
        outcomes.push({ eventId: e.id, status: 'invalid', error: `no ${this.type} handler for record type '${e.recordType}'` });
      }
    }
    return outcomes;
  }
}

/** The handler of a route whose only record type is one document definition. */
export const documentHandler = <B>(def: DocumentDefinition<B>): SyncHandler =>
  new RecordTypeDispatch(def.type, [new DocumentRecordHandler(def)]);
