import { DocumentSyncHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { date, decimal, id, text } from '../zoho-values';
import { documentLines, locationOf } from './document-lines';

export const billSyncHandler = new DocumentSyncHandler([
  {
    type: SyncEntityType.Bill,
    recordType: 'bill',
    table: 'erp.bills',
    key: 'zoho_bill_id',
    columns: [
      { name: 'bill_number', type: 'text' },
      { name: 'reference_number', type: 'text' },
      { name: 'vendor_zoho_id', type: 'text' },
      { name: 'vendor_name', type: 'text' },
      { name: 'date', type: 'date' },
      { name: 'due_date', type: 'date' },
      { name: 'status', type: 'text' },
      { name: 'currency_code', type: 'text' },
      { name: 'exchange_rate', type: 'numeric' },
      { name: 'sub_total', type: 'numeric' },
      { name: 'tax_total', type: 'numeric' },
      { name: 'total', type: 'numeric' },
      { name: 'balance', type: 'numeric' },
    ],
    map: (r) => ({
      bill_number: text(r, 'bill_number'),
      reference_number: text(r, 'reference_number'),
      vendor_zoho_id: id(r, 'vendor_id'),
      vendor_name: text(r, 'vendor_name'),
      date: date(r, 'date'),
      due_date: date(r, 'due_date'),
      status: text(r, 'status'),
      currency_code: text(r, 'currency_code'),
      exchange_rate: decimal(r, 'exchange_rate'),
      sub_total: decimal(r, 'sub_total'),
      tax_total: decimal(r, 'tax_total'),
      total: decimal(r, 'total'),
      balance: decimal(r, 'balance'),
    }),
    lines: documentLines(
      'erp.bill_lines',
      'zoho_bill_id',
      [
        { name: 'account_id', type: 'text' },
        { name: 'location_id', type: 'text' },
      ],
      (l) => ({ account_id: id(l, 'account_id'), location_id: locationOf(l) }),
    ),
  },
]);
