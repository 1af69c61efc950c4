import { documentHandler } from '../document-sync-handler';
import { ErpRepository } from '../erp.repository';
import { SyncEntityType } from '../sync.types';
import { STOCK_TOTAL_KEYS, stockSnapshot, stockTotal } from './stock-snapshot';

export const productSyncHandler = documentHandler({
  type: SyncEntityType.Product,
  recordType: 'item',
  table: 'erp.products',
  key: 'zoho_item_id',
  fields: [
    { column: 'sku', type: 'text', from: 'sku' },
    { column: 'name', type: 'text', from: ['name', 'item_name'] },
    { column: 'description', type: 'text', from: 'description' },
    { column: 'unit', type: 'text', from: 'unit' },
    { column: 'status', type: 'text', from: 'status' },
    { column: 'item_type', type: 'text', from: 'item_type' },
    { column: 'product_type', type: 'text', from: 'product_type' },
    { column: 'rate', type: 'numeric', from: 'rate' },
    { column: 'purchase_rate', type: 'numeric', from: 'purchase_rate' },
    // products.stock_on_hand follows the item total (or the sum of its warehouses when no total is given)
    { column: 'stock_on_hand', type: 'numeric', from: stockTotal, keys: STOCK_TOTAL_KEYS },
    { column: 'available_stock', type: 'numeric', from: ['available_stock', 'actual_available_stock'] },
    { column: 'upc', type: 'text', from: 'upc' },
    { column: 'ean', type: 'text', from: 'ean' },
    { column: 'part_number', type: 'text', from: 'part_number' },
  ],
  afterApply: async (tx, applied) => {
    const rows = applied.flatMap((d) => stockSnapshot(d.event.record, d.event.entityId, d.event.zohoModifiedAt, d.event.id).rows);
    await ErpRepository.setStockLevels(tx, rows);
  },
});
