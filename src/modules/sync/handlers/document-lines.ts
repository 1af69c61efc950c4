import type { FieldSpec } from '../field-spec';
import type { LineDefinition } from '../sync-handler';
import { id, text, type ZohoRecord } from '../zoho-values';

/** The line fields sales orders, invoices, bills and credit notes share (Zoho's line_items[]). */
export const LINE_FIELDS: readonly FieldSpec[] = [
  { column: 'zoho_item_id', type: 'id', from: 'item_id' },
  { column: 'sku', type: 'text', from: 'sku' },
  { column: 'name', type: 'text', from: ['name', 'item_name'] },
  { column: 'description', type: 'text', from: 'description' },
  { column: 'quantity', type: 'numeric', from: 'quantity' },
  { column: 'unit', type: 'text', from: 'unit' },
  { column: 'rate', type: 'numeric', from: 'rate' },
  // Zoho sends a line discount as an amount or as a percentage string ("10.00%"): kept as sent.
  { column: 'discount', type: 'text', from: 'discount' },
  { column: 'item_total', type: 'numeric', from: 'item_total' },
];

/** A document's line_items[] keyed by line_item_id (else its position), with the shared fields plus `extra`. */
export function documentLines(table: string, parentKey: string, extra: readonly FieldSpec[] = []): LineDefinition {
  return {
    table,
    parentKey,
    source: 'line_items',
    key: { column: 'zoho_line_item_id', from: 'line_item_id', whenMissing: 'position' },
    position: 'source',
    fields: [...LINE_FIELDS, ...extra],
  };
}

/** A location/warehouse id on a line (Inventory's newer location_id, or the older warehouse_id). */
export const locationOf = (r: ZohoRecord) => id(r, 'location_id') ?? id(r, 'warehouse_id');

/** The location/warehouse name next to that id. */
export const locationNameOf = (r: ZohoRecord) => text(r, 'location_name') ?? text(r, 'warehouse_name');

/** A line's location (location_id, else warehouse_id). */
export const LOCATION_FIELD: FieldSpec = { column: 'location_id', type: 'id', from: ['location_id', 'warehouse_id'] };
