import { DocumentSyncHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { date, decimal, id, text } from '../zoho-values';
import { documentLines, locationOf } from './document-lines';

export const salesOrderSyncHandler = new DocumentSyncHandler([
  {
    type: SyncEntityType.SalesOrder,
    recordType: 'salesorder',
    table: 'erp.sales_orders',
    key: 'zoho_salesorder_id',
    columns: [
      { name: 'salesorder_number', type: 'text' },
      { name: 'reference_number', type: 'text' },
      { name: 'customer_zoho_id', type: 'text' },
      { name: 'customer_name', type: 'text' },
      { name: 'date', type: 'date' },
      { name: 'shipment_date', type: 'date' },
      { name: 'status', type: 'text' },
      { name: 'currency_code', type: 'text' },
      { name: 'exchange_rate', type: 'numeric' },
      { name: 'sub_total', type: 'numeric' },
      { name: 'tax_total', type: 'numeric' },
      { name: 'shipping_charge', type: 'numeric' },
      { name: 'adjustment', type: 'numeric' },
      { name: 'total', type: 'numeric' },
    ],
    map: (r) => ({
      salesorder_number: text(r, 'salesorder_number'),
      reference_number: text(r, 'reference_number'),
      customer_zoho_id: id(r, 'customer_id'),
      customer_name: text(r, 'customer_name'),
      date: date(r, 'date'),
      shipment_date: date(r, 'shipment_date'),
      status: text(r, 'status') ?? text(r, 'order_status'),
      currency_code: text(r, 'currency_code'),
      exchange_rate: decimal(r, 'exchange_rate'),
      sub_total: decimal(r, 'sub_total'),
      tax_total: decimal(r, 'tax_total'),
      shipping_charge: decimal(r, 'shipping_charge'),
      adjustment: decimal(r, 'adjustment'),
      total: decimal(r, 'total'),
    }),
    lines: documentLines('erp.sales_order_lines', 'zoho_salesorder_id', [{ name: 'location_id', type: 'text' }], (l) => ({
      location_id: locationOf(l),
    })),
  },
]);
