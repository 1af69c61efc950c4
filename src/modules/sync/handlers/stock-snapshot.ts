import type { StockLevelRow } from '../erp.repository';
import { addDecimal, decimal, id, indexedList, text, type ZohoRecord } from '../zoho-values';

/**
 * Per-warehouse stock from an item record: Inventory's `locations[]` (location_stock_on_hand …) or the older
 * `warehouses[]` (warehouse_stock_on_hand …). Figures may be numbers or numeric strings; a blank figure ("" or
 * null) means "unknown" and maps to null, never to 0. `total` is the item's own stock_on_hand, else the sum of
 * its warehouses, and null (unknown) when there are none or any warehouse figure is unknown. Each row names where
 * its entry is in the record (`source`, `source_index`): its raw is read from the stored event. A location listed
 * twice is one level: the last entry wins, as for a line key repeated in a document (one multi-row upsert cannot
 * write a row twice, and the total counts each location once).
 */
export function stockSnapshot(
  item: ZohoRecord,
  itemId: string,
  modifiedAt: string | null,
  eventId: string,
): { rows: StockLevelRow[]; total: string | null } {
  const byLocation = new Map<string, StockLevelRow>();
  for (const { entry: loc, index } of indexedList(item, 'locations')) {
    const warehouseId = id(loc, 'location_id');
    if (!warehouseId) continue;
    byLocation.set(warehouseId, {
      zoho_item_id: itemId,
      warehouse_id: warehouseId,
      warehouse_name: text(loc, 'location_name'),
      stock_on_hand: decimal(loc, 'location_stock_on_hand'),
      available_stock: decimal(loc, 'location_available_stock') ?? decimal(loc, 'location_actual_available_stock'),
      zoho_modified_at: modifiedAt,
      event_id: eventId,
      source: 'locations',
      source_index: index,
    });
  }
  if (!byLocation.size) {
    for (const { entry: wh, index } of indexedList(item, 'warehouses')) {
      const warehouseId = id(wh, 'warehouse_id');
      if (!warehouseId) continue;
      byLocation.set(warehouseId, {
        zoho_item_id: itemId,
        warehouse_id: warehouseId,
        warehouse_name: text(wh, 'warehouse_name'),
        stock_on_hand: decimal(wh, 'warehouse_stock_on_hand'),
        available_stock: decimal(wh, 'warehouse_available_stock') ?? decimal(wh, 'warehouse_actual_available_stock'),
        zoho_modified_at: modifiedAt,
        event_id: eventId,
        source: 'warehouses',
        source_index: index,
      });
    }
  }
  const rows = [...byLocation.values()];
  const own = decimal(item, 'stock_on_hand');
  const known = rows.length > 0 && rows.every((r) => r.stock_on_hand !== null);
  const total = own ?? (known ? rows.reduce<string>((sum, r) => addDecimal(sum, r.stock_on_hand as string), '0') : null);
  return { rows, total };
}

/** The item's total stock (see stockSnapshot). */
export const stockTotal = (item: ZohoRecord): string | null => stockSnapshot(item, '', null, '').total;

/** The record keys stockTotal reads (an item record sending none of them leaves the stored total as it is). */
export const STOCK_TOTAL_KEYS = ['stock_on_hand', 'locations', 'warehouses'] as const;
