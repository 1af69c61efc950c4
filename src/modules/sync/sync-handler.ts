import type { Queryable } from '../../database/queryable';
import type { SyncEntityType, SyncEvent, SyncOutcome } from './sync.types';
import type { ZohoRecord } from './zoho-values';

export type ColumnType = 'text' | 'numeric' | 'integer' | 'boolean' | 'date';
export interface Column {
  name: string;
  type: ColumnType;
}
export type Row = Record<string, unknown>;

/** What SyncService calls: apply a batch of events of one type (at most one per record) in the caller's transaction. */
export interface SyncHandler {
  readonly type: SyncEntityType;
  apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]>;
}

/** A document's line set (invoice lines, bill lines …): replaced exactly whenever the document is applied. */
export interface LineDefinition {
  table: string;
  /** Parent key column in the line table (same name as the document's key). */
  parentKey: string;
  /** Field of the record holding the lines. */
  source: string;
  columns: Column[];
  /** Values for `columns`, plus `zoho_line_item_id` when Zoho gives one (else the position is used). */
  map(line: ZohoRecord, position: number, doc: ZohoRecord): Row;
}

export interface MappedDocument {
  event: SyncEvent;
  row: Row;
  lines: Row[];
}

/**
 * One small definition per Zoho record type; DocumentSyncHandler runs the shared pipeline:
 * map (FieldError → invalid) → multi-row upsert with the stale check → line-set replace → afterApply hook.
 */
export interface DocumentDefinition {
  type: SyncEntityType;
  /** Body key the definition handles ('invoice'); a route with two envelopes has two definitions. */
  recordType: string;
  table: string;
  key: string;
  /**
   * false for record types Zoho documents without a timestamp (inventory adjustments, price lists): a delete that
   * carries none is final (no later version brings the record back). Otherwise such a delete takes its receive time
   * as its version. Default true.
   */
  timestamped?: boolean;
  columns: Column[];
  map(record: ZohoRecord): Row;
  lines?: LineDefinition;
  /** Runs before the upsert with every mapped document (e.g. read the state an edit must diff against). */
  beforeApply?(tx: Queryable, docs: MappedDocument[]): Promise<unknown>;
  /**
   * Runs after the upsert with the documents actually applied (stale ones excluded). May return, per event id, what
   * the apply did not do and why (stored as the event's outcome_detail).
   */
  afterApply?(tx: Queryable, applied: MappedDocument[], deleted: MappedDocument[], before: unknown): Promise<Map<string, string> | void>;
}
