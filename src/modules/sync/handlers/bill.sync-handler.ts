import { documentHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { documentLines, LOCATION_FIELD } from './document-lines';

export const billSyncHandler = documentHandler({
  type: SyncEntityType.Bill,
  recordType: 'bill',
  table: 'erp.bills',
  key: 'zoho_bill_id',
  fields: [
    { column: 'bill_number', type: 'text', from: 'bill_number' },
    { column: 'reference_number', type: 'text', from: 'reference_number' },
    { column: 'vendor_zoho_id', type: 'id', from: 'vendor_id' },
    { column: 'vendor_name', type: 'text', from: 'vendor_name' },
    { column: 'date', type: 'date', from: 'date' },
    { column: 'due_date', type: 'date', from: 'due_date' },
    { column: 'status', type: 'text', from: 'status' },
    { column: 'currency_code', type: 'text', from: 'currency_code' },
    { column: 'exchange_rate', type: 'numeric', from: 'exchange_rate' },
    { column: 'sub_total', type: 'numeric', from: 'sub_total' },
    { column: 'tax_total', type: 'numeric', from: 'tax_total' },
    { column: 'total', type: 'numeric', from: 'total' },
    { column: 'balance', type: 'numeric', from: 'balance' },
  ],
  lines: documentLines('erp.bill_lines', 'zoho_bill_id', [{ column: 'account_id', type: 'id', from: 'account_id' }, LOCATION_FIELD]),
});
