import { documentHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { list, text, type ZohoRecord } from '../zoho-values';

/** The primary contact person (is_primary_contact), else the first one. */
function primaryPerson(rec: ZohoRecord): ZohoRecord {
  const people = list(rec, 'contact_persons');
  return people.find((p) => p.is_primary_contact === true || p.is_primary_contact === 'true') ?? people[0] ?? {};
}

export const contactSyncHandler = documentHandler({
  type: SyncEntityType.Contact,
  recordType: 'contact',
  table: 'erp.contacts',
  key: 'zoho_contact_id',
  fields: [
    { column: 'contact_type', type: 'text', from: (r) => text(r, 'contact_type')?.toLowerCase() ?? null, keys: ['contact_type'] },
    { column: 'customer_sub_type', type: 'text', from: 'customer_sub_type' },
    { column: 'contact_name', type: 'text', from: 'contact_name' },
    { column: 'company_name', type: 'text', from: 'company_name' },
    {
      column: 'email',
      type: 'text',
      from: (r) => {
        const person = primaryPerson(r); // read even when unused: a malformed contact_persons is always a field error
        return (text(r, 'email') ?? text(person, 'email'))?.trim().toLowerCase() ?? null;
      },
      keys: ['email', 'contact_persons'],
    },
    {
      column: 'phone',
      type: 'text',
      from: (r) => {
        const own = text(r, 'phone') ?? text(r, 'mobile');
        if (own !== null) return own;
        const person = primaryPerson(r);
        return text(person, 'phone') ?? text(person, 'mobile');
      },
      keys: ['phone', 'mobile', 'contact_persons'],
    },
    { column: 'currency_code', type: 'text', from: 'currency_code' },
    { column: 'status', type: 'text', from: 'status' },
    { column: 'credit_limit', type: 'numeric', from: 'credit_limit' },
    { column: 'outstanding_receivable_amount', type: 'numeric', from: 'outstanding_receivable_amount' },
    { column: 'outstanding_payable_amount', type: 'numeric', from: 'outstanding_payable_amount' },
    { column: 'payment_terms', type: 'integer', from: 'payment_terms' },
    { column: 'payment_terms_label', type: 'text', from: 'payment_terms_label' },
  ],
});
