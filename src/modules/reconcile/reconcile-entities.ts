import { SyncEntityType } from '../sync/sync.types';

/**
 * How each entity type is found in the Zoho API (docs/RECONCILIATION.md; ZOHO.md §8):
 *  - `modified`: records carry last_modified_time; listed newest first (sort_column=last_modified_time), with the
 *    "modified after" filter where Zoho documents it. A filter or sort Zoho ignores costs pages, never records:
 *    timestamps are compared here.
 *  - `content_hash` (price lists: no timestamps): every pass lists them all; a price list whose listed content
 *    changed since the last pass (or that the ERP lacks) is fetched.
 *  - `new_ids` (adjustments: no timestamps, newest first): ids not seen before are fetched.
 */
export interface ReconcileEntity {
  type: SyncEntityType;
  /** API module path: /contacts, /items, … */
  module: string;
  listKey: string;
  /** The detail answer's key (= the webhook body key, tds.events.record_type). */
  recordType: string;
  idField: string;
  modifiedFields: string[];
  mode: 'modified' | 'content_hash' | 'new_ids';
  /** APIs documenting the `last_modified_time` list filter for this module. */
  filterIn: ('books' | 'inventory')[];
}

export const RECONCILE_ENTITIES: { [K in SyncEntityType]: ReconcileEntity } = {
  [SyncEntityType.Contact]: {
    type: SyncEntityType.Contact,
    module: 'contacts',
    listKey: 'contacts',
    recordType: 'contact',
    idField: 'contact_id',
    modifiedFields: ['last_modified_time'],
    mode: 'modified',
    filterIn: [],
  },
  [SyncEntityType.Product]: {
    type: SyncEntityType.Product,
    module: 'items',
    listKey: 'items',
    recordType: 'item',
    idField: 'item_id',
    modifiedFields: ['last_modified_time'],
    mode: 'modified',
    filterIn: ['inventory'],
  },
  [SyncEntityType.SalesOrder]: {
    type: SyncEntityType.SalesOrder,
    module: 'salesorders',
    listKey: 'salesorders',
    recordType: 'salesorder',
    idField: 'salesorder_id',
    modifiedFields: ['last_modified_time'],
    mode: 'modified',
    filterIn: ['books', 'inventory'],
  },
  [SyncEntityType.Invoice]: {
    type: SyncEntityType.Invoice,
    module: 'invoices',
    listKey: 'invoices',
    recordType: 'invoice',
    idField: 'invoice_id',
    modifiedFields: ['last_modified_time'],
    mode: 'modified',
    filterIn: ['books', 'inventory'],
  },
  [SyncEntityType.Bill]: {
    type: SyncEntityType.Bill,
    module: 'bills',
    listKey: 'bills',
    recordType: 'bill',
    idField: 'bill_id',
    modifiedFields: ['last_modified_time'],
    mode: 'modified',
    filterIn: ['books', 'inventory'],
  },
  [SyncEntityType.CreditNote]: {
    type: SyncEntityType.CreditNote,
    module: 'creditnotes',
    listKey: 'creditnotes',
    recordType: 'creditnote',
    idField: 'creditnote_id',
    modifiedFields: ['last_modified_time', 'updated_time'],
    mode: 'modified',
    filterIn: [],
  },
  [SyncEntityType.Stock]: {
    type: SyncEntityType.Stock,
    module: 'inventoryadjustments',
    listKey: 'inventory_adjustments',
    recordType: 'inventory_adjustment',
    idField: 'inventory_adjustment_id',
    modifiedFields: ['last_modified_time'],
    mode: 'new_ids',
    filterIn: [],
  },
  [SyncEntityType.Price]: {
    type: SyncEntityType.Price,
    module: 'pricebooks',
    listKey: 'pricebooks',
    recordType: 'pricebook',
    idField: 'pricebook_id',
    modifiedFields: ['last_modified_time'],
    mode: 'content_hash',
    filterIn: [],
  },
};

/** Zoho's list filter format: yyyy-MM-ddTHH:mm:ssZ with a numeric offset (UTC: +0000). */
export function zohoFilterTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+0000`;
}

/** A value as canonical JSON (keys sorted; numbers are already their exact digit strings): equal content, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
