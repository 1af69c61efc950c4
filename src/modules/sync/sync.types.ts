/**
 * The contract between the queue (which claims events) and the sync pipeline (which applies them to `erp`).
 * The webhook receiver uses ENTITY_ENVELOPES to find the record in a Zoho body.
 */

export enum SyncEntityType {
  Contact = 'contact',
  Product = 'product',
  SalesOrder = 'sales_order',
  Invoice = 'invoice',
  Bill = 'bill',
  CreditNote = 'credit_note',
  Stock = 'stock',
  Price = 'price',
}

export type EventKind = 'created' | 'updated' | 'deleted';

/** A body key Zoho uses for a record (its API's singular response key) and the id field inside it. */
export interface EnvelopeSpec {
  key: string;
  idField: string;
  /** Fields holding Zoho's last-modified time, first present wins. Absent for adjustments and price lists. */
  modifiedFields: string[];
  /**
   * Other body keys Zoho's documentation uses for the same record: accepted as well, stored and applied under `key`
   * (so every version of a record has one record type, whichever key it came under).
   */
  aliases?: readonly string[];
}

/** Which envelopes each webhook route accepts. Stock takes adjustments or item stock snapshots; prices take price lists or an item's own rate. */
export const ENTITY_ENVELOPES: Record<SyncEntityType, EnvelopeSpec[]> = {
  [SyncEntityType.Contact]: [{ key: 'contact', idField: 'contact_id', modifiedFields: ['last_modified_time'] }],
  [SyncEntityType.Product]: [{ key: 'item', idField: 'item_id', modifiedFields: ['last_modified_time'] }],
  // Zoho Inventory's OpenAPI (salesorders.yml) answers GET under `salesorder` but create and update under `sales_order`.
  [SyncEntityType.SalesOrder]: [
    { key: 'salesorder', idField: 'salesorder_id', modifiedFields: ['last_modified_time'], aliases: ['sales_order'] },
  ],
  [SyncEntityType.Invoice]: [{ key: 'invoice', idField: 'invoice_id', modifiedFields: ['last_modified_time'] }],
  [SyncEntityType.Bill]: [{ key: 'bill', idField: 'bill_id', modifiedFields: ['last_modified_time'] }],
  [SyncEntityType.CreditNote]: [{ key: 'creditnote', idField: 'creditnote_id', modifiedFields: ['last_modified_time', 'updated_time'] }],
  [SyncEntityType.Stock]: [
    { key: 'inventory_adjustment', idField: 'inventory_adjustment_id', modifiedFields: ['last_modified_time'] },
    { key: 'item', idField: 'item_id', modifiedFields: ['last_modified_time'] },
  ],
  [SyncEntityType.Price]: [
    { key: 'pricebook', idField: 'pricebook_id', modifiedFields: ['last_modified_time'] },
    { key: 'item', idField: 'item_id', modifiedFields: ['last_modified_time'] },
  ],
};

/** One claimed event, as the queue hands it to the sync pipeline. */
export interface SyncEvent {
  /** tds.events.id (bigint, as text). */
  id: string;
  entityType: SyncEntityType;
  eventKind: EventKind;
  /** Body key the record came under ('contact', 'item', 'inventory_adjustment', ...). */
  recordType: string;
  /** The Zoho id, exactly as sent (text; may exceed 2^53). */
  entityId: string;
  /**
   * The record (body[recordType]) parsed exactly (src/common/json/exact-json.ts): JSON numbers are strings holding the exact digits
   * (e.g. "130426000002924000123", "12.50"), strings stay strings (jsonb never holds NUL).
   * Handlers must not trust types: a number may arrive as a string, a stock figure as "".
   */
  record: Record<string, unknown>;
  /** Parsed Zoho last-modified time (ISO 8601 UTC), or null when the record has none. */
  zohoModifiedAt: string | null;
  /** When TDS Core accepted the event (ISO 8601 UTC): the version of a delete that carries no Zoho timestamp. */
  receivedAt: string;
}

export type SyncOutcomeStatus = 'applied' | 'skipped_stale';

export type SyncOutcome =
  | { eventId: string; status: SyncOutcomeStatus; detail?: string }
  /** A payload that can never map (missing/invalid required field): goes to dead letter at once. */
  | { eventId: string; status: 'invalid'; error: string };
