import { documentHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { documentLines, LOCATION_FIELD } from './document-lines';

export const salesOrderSyncHandler = documentHandler({
  type: SyncEntityType.SalesOrder,
  recordType: 'salesorder',
  table: 'erp.sales_orders',
  key: 'zoho_salesorder_id',
  fields: [
    { column: 'salesorder_number', type: 'text', from: 'salesorder_number' },
    { column: 'reference_number', type: 'text', from: 'reference_number' },
    { column: 'customer_zoho_id', type: 'id', from: 'customer_id' },
    { column: 'customer_name', type: 'text', from: 'customer_name' },
    { column: 'date', type: 'date', from: 'date' },
    { column: 'shipment_date', type: 'date', from: 'shipment_date' },
    { column: 'status', type: 'text', from: ['status', 'order_status'] },
    { column: 'currency_code', type: 'text', from: 'currency_code' },
    { column: 'exchange_rate', type: 'numeric', from: 'exchange_rate' },
    { column: 'sub_total', type: 'numeric', from: 'sub_total' },
    { column: 'tax_total', type: 'numeric', from: 'tax_total' },
    { column: 'shipping_charge', type: 'numeric', from: 'shipping_charge' },
    { column: 'adjustment', type: 'numeric', from: 'adjustment' },
    { column: 'total', type: 'numeric', from: 'total' },
  ],
  lines: documentLines('erp.sales_order_lines', 'zoho_salesorder_id', [LOCATION_FIELD]),
});
