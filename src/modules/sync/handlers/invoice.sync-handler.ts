import { DocumentSyncHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { date, decimal, id, text } from '../zoho-values';
import { documentLines, locationOf } from './document-lines';

export const invoiceSyncHandler = new DocumentSyncHandler([
  {
    type: SyncEntityType.Invoice,
    recordType: 'invoice',
    table: 'erp.invoices',
    key: 'zoho_invoice_id',
    columns: [
      { name: 'invoice_number', type: 'text' },
      { name: 'reference_number', type: 'text' },
      { name: 'customer_zoho_id', type: 'text' },
      { name: 'customer_name', type: 'text' },
      { name: 'date', type: 'date' },
      { name: 'due_date', type: 'date' },
      { name: 'status', type: 'text' },
      { name: 'currency_code', type: 'text' },
      { name: 'exchange_rate', type: 'numeric' },
      { name: 'sub_total', type: 'numeric' },
      { name: 'tax_total', type: 'numeric' },
      { name: 'total', type: 'numeric' },
      { name: 'payment_made', type: 'numeric' },
      { name: 'balance', type: 'numeric' },
    ],
    map: (r) => ({
      invoice_number: text(r, 'invoice_number'),
      reference_number: text(r, 'reference_number'),
      customer_zoho_id: id(r, 'customer_id'),
      customer_name: text(r, 'customer_name'),
      date: date(r, 'date'),
      due_date: date(r, 'due_date'),
      status: text(r, 'status'),
      currency_code: text(r, 'currency_code'),
      exchange_rate: decimal(r, 'exchange_rate'),
      sub_total: decimal(r, 'sub_total'),
      tax_total: decimal(r, 'tax_total'),
      total: decimal(r, 'total'),
      payment_made: decimal(r, 'payment_made'),
      balance: decimal(r, 'balance'),
    }),
    lines: documentLines('erp.invoice_lines', 'zoho_invoice_id', [{ name: 'location_id', type: 'text' }], (l) => ({
      location_id: locationOf(l),
    })),
  },
]);
