import { DocumentRecordHandler, ItemFieldsRecordHandler, RecordTypeDispatch } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';

/** Price lists: header plus its item set (one price per item: the last one wins), replaced exactly on every applied version. */
const priceLists = new DocumentRecordHandler({
  type: SyncEntityType.Price,
  recordType: 'pricebook',
  table: 'erp.price_lists',
  key: 'zoho_pricebook_id',
  // Zoho documents no timestamp on price lists: a delete without one is final.
  timestamped: false,
  fields: [
    { column: 'name', type: 'text', from: 'name' },
    { column: 'description', type: 'text', from: 'description' },
    { column: 'currency_code', type: 'text', from: 'currency_code' },
    { column: 'pricebook_type', type: 'text', from: 'pricebook_type' },
    { column: 'sales_or_purchase_type', type: 'text', from: 'sales_or_purchase_type' },
    { column: 'percentage', type: 'numeric', from: 'percentage' },
    { column: 'is_increase', type: 'boolean', from: 'is_increase' },
    { column: 'rounding_type', type: 'text', from: 'rounding_type' },
    { column: 'decimal_place', type: 'integer', from: 'decimal_place' },
    { column: 'is_default', type: 'boolean', from: 'is_default' },
    { column: 'status', type: 'text', from: 'status' },
  ],
  lines: {
    table: 'erp.price_list_items',
    parentKey: 'zoho_pricebook_id',
    source: 'pricebook_items',
    // An entry without an item id prices nothing: left out.
    key: { column: 'zoho_item_id', from: 'item_id', whenMissing: 'skip' },
    position: 'kept',
    fields: [
      { column: 'zoho_pricebook_item_id', type: 'id', from: 'pricebook_item_id' },
      { column: 'name', type: 'text', from: ['name', 'item_name'] },
      { column: 'rate', type: 'numeric', from: ['pricebook_rate', 'rate'] },
      { column: 'discount', type: 'text', from: 'pricebook_discount' },
    ],
  },
});

/** An item whose own rate changed (→ erp.products.rate). */
const itemRate = new ItemFieldsRecordHandler({
  type: SyncEntityType.Price,
  fields: [{ column: 'rate', type: 'numeric', from: 'rate' }],
  stockLevels: false,
});

/** /webhooks/prices: price lists, or an item whose own rate changed. */
export const priceSyncHandler = new RecordTypeDispatch(SyncEntityType.Price, [priceLists, itemRate]);
