import { DocumentSyncHandler } from '../document-sync-handler';
import { ErpRepository } from '../erp.repository';
import { SyncEntityType } from '../sync.types';
import { decimal, text } from '../zoho-values';
import { stockSnapshot } from './stock-snapshot';

export const productSyncHandler = new DocumentSyncHandler([
  {
    type: SyncEntityType.Product,
    recordType: 'item',
    table: 'erp.products',
    key: 'zoho_item_id',
    columns: [
      { name: 'sku', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'description', type: 'text' },
      { name: 'unit', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'item_type', type: 'text' },
      { name: 'product_type', type: 'text' },
      { name: 'rate', type: 'numeric' },
      { name: 'purchase_rate', type: 'numeric' },
      { name: 'stock_on_hand', type: 'numeric' },
      { name: 'available_stock', type: 'numeric' },
      { name: 'upc', type: 'text' },
      { name: 'ean', type: 'text' },
      { name: 'part_number', type: 'text' },
    ],
    map: (r) => ({
      sku: text(r, 'sku'),
      name: text(r, 'name') ?? text(r, 'item_name'),
      description: text(r, 'description'),
      unit: text(r, 'unit'),
      status: text(r, 'status'),
      item_type: text(r, 'item_type'),
      product_type: text(r, 'product_type'),
      rate: decimal(r, 'rate'),
      purchase_rate: decimal(r, 'purchase_rate'),
      // products.stock_on_hand follows the item total (or the sum of its warehouses when no total is given)
      stock_on_hand: stockSnapshot(r, '', null).total,
      available_stock: decimal(r, 'available_stock') ?? decimal(r, 'actual_available_stock'),
      upc: text(r, 'upc'),
      ean: text(r, 'ean'),
      part_number: text(r, 'part_number'),
    }),
    afterApply: async (tx, applied) => {
      const rows = applied.flatMap((d) => stockSnapshot(d.event.record, d.event.entityId, d.event.zohoModifiedAt).rows);
      await ErpRepository.setStockLevels(tx, rows);
    },
  },
]);
