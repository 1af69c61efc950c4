import { documentHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { documentLines } from './document-lines';

export const creditNoteSyncHandler = documentHandler({
  type: SyncEntityType.CreditNote,
  recordType: 'creditnote',
  table: 'erp.credit_notes',
  key: 'zoho_creditnote_id',
  fields: [
    { column: 'creditnote_number', type: 'text', from: 'creditnote_number' },
    { column: 'reference_number', type: 'text', from: 'reference_number' },
    { column: 'customer_zoho_id', type: 'id', from: 'customer_id' },
    { column: 'customer_name', type: 'text', from: 'customer_name' },
    { column: 'date', type: 'date', from: 'date' },
    { column: 'status', type: 'text', from: 'status' },
    { column: 'currency_code', type: 'text', from: 'currency_code' },
    { column: 'exchange_rate', type: 'numeric', from: 'exchange_rate' },
    { column: 'sub_total', type: 'numeric', from: 'sub_total' },
    { column: 'total', type: 'numeric', from: 'total' },
    { column: 'balance', type: 'numeric', from: 'balance' },
  ],
  lines: documentLines('erp.credit_note_lines', 'zoho_creditnote_id', [
    { column: 'account_id', type: 'id', from: 'account_id' },
    { column: 'zoho_invoice_id', type: 'id', from: 'invoice_id' },
  ]),
});
