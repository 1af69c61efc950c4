import type { Column, LineDefinition } from '../sync-handler';
import { decimal, id, text, type ZohoRecord } from '../zoho-values';

/** The line columns sales orders, invoices, bills and credit notes share (Zoho's line_items[]). */
export const LINE_COLUMNS: Column[] = [
  { name: 'zoho_item_id', type: 'text' },
  { name: 'sku', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'description', type: 'text' },
  { name: 'quantity', type: 'numeric' },
  { name: 'unit', type: 'text' },
  { name: 'rate', type: 'numeric' },
  { name: 'discount', type: 'text' },
  { name: 'item_total', type: 'numeric' },
];

export function mapLine(line: ZohoRecord) {
  return {
    zoho_line_item_id: id(line, 'line_item_id'),
    zoho_item_id: id(line, 'item_id'),
    sku: text(line, 'sku'),
    name: text(line, 'name') ?? text(line, 'item_name'),
    description: text(line, 'description'),
    quantity: decimal(line, 'quantity'),
    unit: text(line, 'unit'),
    rate: decimal(line, 'rate'),
    // Zoho sends a line discount as an amount or as a percentage string ("10.00%"): kept as sent.
    discount: text(line, 'discount'),
    item_total: decimal(line, 'item_total'),
  };
}

export function documentLines(table: string, parentKey: string, extra: Column[] = [], mapExtra?: (l: ZohoRecord) => Record<string, unknown>): LineDefinition {
  return {
    table,
    parentKey,
    source: 'line_items',
    columns: [...LINE_COLUMNS, ...extra],
    map: (line) => ({ ...mapLine(line), ...(mapExtra ? mapExtra(line) : {}) }),
  };
}

/** A location/warehouse id on a line (Inventory's newer location_id, or the older warehouse_id). */
export const locationOf = (r: ZohoRecord) => id(r, 'location_id') ?? id(r, 'warehouse_id');

/** The location/warehouse name next to that id. */
export const locationNameOf = (r: ZohoRecord) => text(r, 'location_name') ?? text(r, 'warehouse_name');
