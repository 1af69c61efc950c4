import { DocumentSyncHandler } from '../document-sync-handler';
import { SyncEntityType } from '../sync.types';
import { decimal, integer, list, text, type ZohoRecord } from '../zoho-values';

/** The primary contact person (is_primary_contact), else the first one. */
function primaryPerson(rec: ZohoRecord): ZohoRecord | undefined {
  const people = list(rec, 'contact_persons');
  return people.find((p) => p.is_primary_contact === true || p.is_primary_contact === 'true') ?? people[0];
}

export const contactSyncHandler = new DocumentSyncHandler([
  {
    type: SyncEntityType.Contact,
    recordType: 'contact',
    table: 'erp.contacts',
    key: 'zoho_contact_id',
    columns: [
      { name: 'contact_type', type: 'text' },
      { name: 'customer_sub_type', type: 'text' },
      { name: 'contact_name', type: 'text' },
      { name: 'company_name', type: 'text' },
      { name: 'email', type: 'text' },
      { name: 'phone', type: 'text' },
      { name: 'currency_code', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'credit_limit', type: 'numeric' },
      { name: 'outstanding_receivable_amount', type: 'numeric' },
      { name: 'outstanding_payable_amount', type: 'numeric' },
      { name: 'payment_terms', type: 'integer' },
      { name: 'payment_terms_label', type: 'text' },
    ],
    map: (r) => {
      const person = primaryPerson(r) ?? {};
      return {
        contact_type: text(r, 'contact_type')?.toLowerCase() ?? null,
        customer_sub_type: text(r, 'customer_sub_type'),
        contact_name: text(r, 'contact_name'),
        company_name: text(r, 'company_name'),
        email: (text(r, 'email') ?? text(person, 'email'))?.trim().toLowerCase() ?? null,
        phone: text(r, 'phone') ?? text(r, 'mobile') ?? text(person, 'phone') ?? text(person, 'mobile'),
        currency_code: text(r, 'currency_code'),
        status: text(r, 'status'),
        credit_limit: decimal(r, 'credit_limit'),
        outstanding_receivable_amount: decimal(r, 'outstanding_receivable_amount'),
        outstanding_payable_amount: decimal(r, 'outstanding_payable_amount'),
        payment_terms: integer(r, 'payment_terms'),
        payment_terms_label: text(r, 'payment_terms_label'),
      };
    },
  },
]);
