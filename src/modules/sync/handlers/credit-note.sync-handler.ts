import { DocumentSyncHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { date, decimal, id, text } from '../zoho-values';
import { documentLines } from './document-lines';

export const creditNoteSyncHandler = new DocumentSyncHandler([
  {
    type: SyncEntityType.CreditNote,
    recordType: 'creditnote',
    table: 'erp.credit_notes',
    key: 'zoho_creditnote_id',
    columns: [
      { name: 'creditnote_number', type: 'text' },
      { name: 'reference_number', type: 'text' },
      { name: 'customer_zoho_id', type: 'text' },
      { name: 'customer_name', type: 'text' },
      { name: 'date', type: 'date' },
      { name: 'status', type: 'text' },
      { name: 'currency_code', type: 'text' },
      { name: 'exchange_rate', type: 'numeric' },
      { name: 'sub_total', type: 'numeric' },
      { name: 'total', type: 'numeric' },
      { name: 'balance', type: 'numeric' },
    ],
    map: (r) => ({
      creditnote_number: text(r, 'creditnote_number'),
      reference_number: text(r, 'reference_number'),
      customer_zoho_id: id(r, 'customer_id'),
      customer_name: text(r, 'customer_name'),
      date: date(r, 'date'),
      status: text(r, 'status'),
      currency_code: text(r, 'currency_code'),
      exchange_rate: decimal(r, 'exchange_rate'),
      sub_total: decimal(r, 'sub_total'),
      total: decimal(r, 'total'),
      balance: decimal(r, 'balance'),
    }),
    lines: documentLines(
      'erp.credit_note_lines',
      'zoho_creditnote_id',
      [
        { name: 'account_id', type: 'text' },
        { name: 'zoho_invoice_id', type: 'text' },
      ],
      (l) => ({ account_id: id(l, 'account_id'), zoho_invoice_id: id(l, 'invoice_id') }),
    ),
  },
]);
