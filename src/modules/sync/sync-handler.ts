import type { Queryable } from '../../database/queryable';
import type { FieldSpec, Row } from './field-spec';
import type { SyncEntityType, SyncEvent, SyncOutcome } from './sync.types';

export type { Row } from './field-spec';

/** What SyncService calls: apply a batch of events of one type (at most one per record) in the caller's transaction. */
export interface SyncHandler {
  readonly type: SyncEntityType;
  /** One per body key the route accepts; the handler dispatches each event to the one for its record type. */
  readonly records: readonly RecordHandler[];
  apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]>;
}

/** A generated statement, named for the SQL snapshot (test/snapshots/erp-statements.sql). */
export interface GeneratedStatement {
  name: string;
  sql: string;
}

/** The ERP row a record lands in: its table and the key column holding the Zoho id (the dashboard shows it). */
export interface ErpTarget {
  readonly table: string;
  readonly key: string;
}

/** Applies the events of one record type ('invoice', 'item' …) of a route. */
export interface RecordHandler {
  readonly recordType: string;
  /** Where an applied record of this type is written (the row keyed by its Zoho id). */
  readonly target: ErpTarget;
  apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]>;
  /** Every statement generated from the definition, in a fixed order. */
  statements(): GeneratedStatement[];
}

/**
 * A document's line set (invoice lines, bill lines, price-list items …): replaced exactly whenever the document is
 * applied. Table shape: `(parentKey, key.column)` primary key, `position`, the fields, then zoho_modified_at, raw
 * (the line as received, read from the stored event) and synced_at.
 */
export interface LineDefinition {
  table: string;
  /** Parent key column in the line table (same name as the document's key). */
  parentKey: string;
  /** Field of the record holding the lines. */
  source: string;
  /**
   * The line's key within its document; a key repeated within one document: the last line wins. A line without one
   * takes `pos-<position>` ('position') or is left out ('skip').
   */
  key: { column: string; from: string; whenMissing: 'position' | 'skip' };
  /**
   * `position` is the line's place in the source list ('source'), or 1..n over the lines kept, in first-seen order
   * ('kept').
   */
  position: 'source' | 'kept';
  /** Read from each line; a function source also gets the document. */
  fields: readonly FieldSpec[];
}

export interface MappedDocument {
  event: SyncEvent;
  /** The columns, plus `absent` (field-spec.ts absentMask: the fields the record did not send keep their stored values). */
  row: Row;
  /** The line set; null when the record did not send its line list at all (the stored lines stay as they are). */
  lines: Row[] | null;
}

/**
 * One small definition per Zoho record type; the document pipeline (document-sync-handler.ts) runs it:
 * map (FieldError → invalid) → beforeApply → multi-row upsert with the stale check → soft deletes → line-set replace
 * → afterApply. `B` is what beforeApply hands to afterApply.
 */
export interface DocumentDefinition<B = void> {
  type: SyncEntityType;
  /** Body key the definition handles ('invoice'); a route with two envelopes has two record handlers. */
  recordType: string;
  table: string;
  key: string;
  /**
   * false for record types Zoho documents without a timestamp (inventory adjustments, price lists): a delete that
   * carries none is final (no later version brings the record back). Otherwise such a delete takes its receive time
   * as its version. Default true.
   */
  timestamped?: boolean;
  fields: readonly FieldSpec[];
  lines?: LineDefinition;
  /** Runs before the upsert with every mapped document (e.g. read the state an edit must diff against). */
  beforeApply?(tx: Queryable, docs: MappedDocument[]): Promise<B>;
  /**
   * Runs after the upsert with the documents actually applied (stale ones excluded). May return, per event id, what
   * the apply did not do and why (stored as the event's outcome_detail).
   */
  afterApply?(tx: Queryable, applied: MappedDocument[], deleted: MappedDocument[], before: B): Promise<Map<string, string> | void>;
}

/**
 * An `item` record on a route other than /webhooks/products (stock, prices): updates only some erp.products columns
 * (`fields`, plus name and sku when the row has none), with the same stale rule; an unknown item gets a minimal row.
 */
export interface ItemFieldsDefinition {
  type: SyncEntityType;
  fields: readonly FieldSpec[];
  /** Also write the item's per-warehouse stock snapshot to erp.stock_levels. */
  stockLevels: boolean;
}
