import type { Row } from '../sync-handler';
import { addDecimal, decimal, id, list, text, type ZohoRecord } from '../zoho-values';

/**
 * Per-warehouse stock from an item record: Inventory's `locations[]` (location_stock_on_hand …) or the older
 * `warehouses[]` (warehouse_stock_on_hand …). Figures may be numbers or numeric strings; a blank figure ("" or
 * null) means "unknown" and maps to null, never to 0. `total` is the item's own stock_on_hand, else the sum of
 * its warehouses, and null (unknown) when there are none or any warehouse figure is unknown.
 */
export function stockSnapshot(item: ZohoRecord, itemId: string, modifiedAt: string | null): { rows: Row[]; total: string | null } {
  const rows: Row[] = [];
  for (const loc of list(item, 'locations')) {
    const warehouseId = id(loc, 'location_id');
    if (!warehouseId) continue;
    rows.push({
      zoho_item_id: itemId,
      warehouse_id: warehouseId,
      warehouse_name: text(loc, 'location_name'),
      stock_on_hand: decimal(loc, 'location_stock_on_hand'),
      available_stock: decimal(loc, 'location_available_stock') ?? decimal(loc, 'location_actual_available_stock'),
      zoho_modified_at: modifiedAt,
      raw: JSON.stringify(loc),
    });
  }
  if (!rows.length) {
    for (const wh of list(item, 'warehouses')) {
      const warehouseId = id(wh, 'warehouse_id');
      if (!warehouseId) continue;
      rows.push({
        zoho_item_id: itemId,
        warehouse_id: warehouseId,
        warehouse_name: text(wh, 'warehouse_name'),
        stock_on_hand: decimal(wh, 'warehouse_stock_on_hand'),
        available_stock: decimal(wh, 'warehouse_available_stock') ?? decimal(wh, 'warehouse_actual_available_stock'),
        zoho_modified_at: modifiedAt,
        raw: JSON.stringify(wh),
      });
    }
  }
  const own = decimal(item, 'stock_on_hand');
  const known = rows.length > 0 && rows.every((r) => r.stock_on_hand !== null);
  const total = own ?? (known ? rows.reduce<string>((sum, r) => addDecimal(sum, r.stock_on_hand as string), '0') : null);
  return { rows, total };
}
