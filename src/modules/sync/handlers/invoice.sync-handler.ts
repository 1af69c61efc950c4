import { documentHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { documentLines, LOCATION_FIELD } from './document-lines';

export const invoiceSyncHandler = documentHandler({
  type: SyncEntityType.Invoice,
  recordType: 'invoice',
  table: 'erp.invoices',
  key: 'zoho_invoice_id',
  fields: [
    { column: 'invoice_number', type: 'text', from: 'invoice_number' },
    { column: 'reference_number', type: 'text', from: 'reference_number' },
    { column: 'customer_zoho_id', type: 'id', from: 'customer_id' },
    { column: 'customer_name', type: 'text', from: 'customer_name' },
    { column: 'date', type: 'date', from: 'date' },
    { column: 'due_date', type: 'date', from: 'due_date' },
    { column: 'status', type: 'text', from: 'status' },
    { column: 'currency_code', type: 'text', from: 'currency_code' },
    { column: 'exchange_rate', type: 'numeric', from: 'exchange_rate' },
    { column: 'sub_total', type: 'numeric', from: 'sub_total' },
    { column: 'tax_total', type: 'numeric', from: 'tax_total' },
    { column: 'total', type: 'numeric', from: 'total' },
    { column: 'payment_made', type: 'numeric', from: 'payment_made' },
    { column: 'balance', type: 'numeric', from: 'balance' },
  ],
  lines: documentLines('erp.invoice_lines', 'zoho_invoice_id', [LOCATION_FIELD]),
});
