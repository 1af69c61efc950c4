// Realistic Zoho Books / Inventory "default payload" bodies for the benchmarks, with the field names of
// Zoho's API documentation (docs/decisions/0006-zoho-webhook-contract.md): the record wrapped in its API key ({"invoice": {...}}), ids as 18–19 digit JSON numbers
// (above 2^53, as Zoho prints them), last_modified_time like 2026-11-28T10:15:30+0300.
//
// Bodies are rendered once per variant into a template, and each request only fills its ids in, so the load
// generator spends microseconds per request (it shares the two cores with the service and PostgreSQL).
import { createHmac, randomInt } from 'node:crypto';

const CUSTOMER_NAMES = [
  'Bagdad Trading Co.',
  'شركة النور للتجارة العامة',
  'Erbil Medical Supplies',
  'کۆمپانیای هەولێر بۆ بازرگانی',
  'Basra Oil Services LLC',
  'Al-Rafidain Pharmacy',
  'Duhok Home Appliances',
  'مكتبة دار السلام',
  'Kirkuk Auto Parts',
  'Sulaymaniyah Electronics 📱',
  'Najaf Building Materials',
  'Mosul Fresh Foods',
];
const CITIES = ['Baghdad', 'Erbil', 'Basra', 'Sulaymaniyah', 'Duhok', 'Najaf', 'Karbala', 'Kirkuk', 'Mosul'];
const ITEMS = [
  ['Samsung Galaxy A15 128GB', 'SM-A155F-128', 'pcs', 185000],
  ['HP LaserJet Pro M404dn', 'HP-W1A53A', 'pcs', 412500],
  ['Cable HDMI 2.1 2m', 'CBL-HDMI-2M', 'pcs', 7500],
  ['Logitech MX Master 3S', 'LOG-910-006559', 'pcs', 135000],
  ['A4 Paper 80gsm (box of 5)', 'PAP-A4-80-5', 'box', 32000],
  ['Dell 27" Monitor P2723D', 'DEL-P2723D', 'pcs', 389000],
  ['UPS APC 1500VA', 'APC-BX1500MI', 'pcs', 268000],
  ['SSD Samsung 990 PRO 1TB', 'MZ-V9P1T0BW', 'pcs', 162000],
  ['زيت محرك 5W-30 (4 لتر)', 'OIL-5W30-4L', 'can', 28000],
  ['Router TP-Link Archer AX55', 'TPL-AX55', 'pcs', 99000],
];
const STATUSES = ['sent', 'draft', 'overdue', 'paid', 'partially_paid', 'unpaid', 'viewed'];

const pad = (n, w) => String(n).padStart(w, '0');

/** Zoho's timestamp format: the offset has no colon. */
export function zohoTime(date, offsetMinutes = 180) {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const off = Math.abs(offsetMinutes);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}T` +
    `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}` +
    `${sign}${pad(Math.floor(off / 60), 2)}${pad(off % 60, 2)}`
  );
}

const zohoDate = (date) => zohoTime(date).slice(0, 10);

/**
 * Id source: 18-digit decimal strings "46" + kind + 5-digit run nonce + 10-digit sequence, so every run (and every
 * kind of record) has its own ids and a rerun against the same database never looks like a redelivery.
 */
export function makeIds(nonce = randomInt(0, 100_000)) {
  const n = pad(nonce, 5);
  return {
    nonce,
    contact: (seq) => `461${n}${pad(seq, 10)}`,
    invoice: (seq) => `462${n}${pad(seq, 10)}`,
    line: (seq, k) => `463${n}${pad(seq * 8 + k, 10)}`,
    item: (k) => `4640000000000${pad(k, 5)}`,
    // 19 digits, above 2^53 like Zoho's own examples
    customer: (k) => `13042600000${pad(k, 8)}`,
  };
}

/**
 * JSON text with placeholders turned into slots: a whole string "@@NAME@@" becomes a raw value (numbers),
 * @@NAME@@ inside a string is replaced in place. render(values) fills them.
 */
function compileTemplate(text) {
  const texts = [];
  const slots = [];
  let last = 0;
  for (const m of text.matchAll(/"@@([A-Z0-9_]+)@@"|@@([A-Z0-9_]+)@@/g)) {
    texts.push(text.slice(last, m.index));
    slots.push(m[1] ?? m[2]);
    last = m.index + m[0].length;
  }
  texts.push(text.slice(last));
  return (values) => {
    let out = texts[0];
    for (let i = 0; i < slots.length; i++) out += values[slots[i]] + texts[i + 1];
    return out;
  };
}

function contactRecord(v) {
  const name = CUSTOMER_NAMES[v % CUSTOMER_NAMES.length];
  const city = CITIES[v % CITIES.length];
  const modified = new Date(Date.UTC(2026, 10, 28, 7, 15, 30) + v * 61_000);
  return {
    contact: {
      contact_id: '@@ID@@',
      contact_name: `${name} #@@NAME_SEQ@@`,
      company_name: name,
      contact_type: v % 5 === 0 ? 'vendor' : 'customer',
      customer_sub_type: 'business',
      status: 'active',
      payment_terms: 30,
      payment_terms_label: 'Net 30',
      currency_id: '@@CURRENCY_ID@@',
      currency_code: v % 3 === 0 ? 'USD' : 'IQD',
      credit_limit: v % 3 === 0 ? 25000.0 : 50000000,
      outstanding_receivable_amount: (v * 137_500) % 9_000_000,
      website: '',
      notes: 'Imported from the old ERP; VAT exempt.',
      billing_address: {
        attention: 'Accounts',
        address: `Street ${10 + (v % 80)}, Building ${v % 40}`,
        city,
        state: city,
        zip: '',
        country: 'Iraq',
        phone: '+964 750 123 4567',
      },
      shipping_address: {
        attention: 'Warehouse',
        address: `Industrial zone ${v % 9}`,
        city,
        state: city,
        zip: '',
        country: 'Iraq',
        phone: '',
      },
      contact_persons: [
        {
          contact_person_id: '@@PERSON_ID@@',
          first_name: 'Ahmed',
          last_name: 'Karim',
          email: `ahmed.${v}@example.iq`,
          phone: '+964 770 000 0000',
          mobile: '+964 750 000 0000',
          is_primary_contact: true,
        },
      ],
      custom_fields: [{ customfield_id: '@@CF_ID@@', label: 'Region', value: city }],
      cf_region: city,
      created_time: zohoTime(new Date(modified.getTime() - 86_400_000 * 30)),
      last_modified_time: zohoTime(modified),
    },
  };
}

function invoiceRecord(v, lineCount) {
  const customer = CUSTOMER_NAMES[v % CUSTOMER_NAMES.length];
  const modified = new Date(Date.UTC(2026, 10, 28, 7, 15, 30) + v * 47_000);
  const usd = v % 4 === 0;
  const lines = [];
  let subTotal = 0;
  for (let k = 0; k < lineCount; k++) {
    const [name, sku, unit, rateIqd] = ITEMS[(v + k * 3) % ITEMS.length];
    const quantity = 1 + ((v + k) % 12);
    const rate = usd ? Math.round((rateIqd / 1310) * 100) / 100 : rateIqd;
    const total = Math.round(quantity * rate * 100) / 100;
    subTotal += total;
    lines.push({
      line_item_id: `@@L${k}@@`,
      item_id: `@@ITEM${k}@@`,
      sku,
      name,
      description: '',
      item_order: k + 1,
      quantity,
      unit,
      rate,
      discount: 0,
      tax_id: '',
      tax_percentage: 0,
      item_total: total,
      location_id: '@@LOCATION_ID@@',
    });
  }
  subTotal = Math.round(subTotal * 100) / 100;
  return {
    invoice: {
      invoice_id: '@@ID@@',
      invoice_number: 'INV-@@NUMBER@@',
      reference_number: `SO-${pad(v, 5)}`,
      customer_id: '@@CUSTOMER_ID@@',
      customer_name: customer,
      status: STATUSES[v % STATUSES.length],
      date: zohoDate(modified),
      due_date: zohoDate(new Date(modified.getTime() + 30 * 86_400_000)),
      payment_terms: 30,
      payment_terms_label: 'Net 30',
      currency_id: '@@CURRENCY_ID@@',
      currency_code: usd ? 'USD' : 'IQD',
      exchange_rate: usd ? 1310.0 : 1.0,
      price_precision: usd ? 2 : 0,
      discount: 0,
      is_discount_before_tax: true,
      line_items: lines,
      shipping_charge: 0,
      adjustment: 0,
      sub_total: subTotal,
      tax_total: 0,
      total: subTotal,
      payment_made: 0,
      credits_applied: 0,
      balance: subTotal,
      write_off_amount: 0,
      salesperson_name: 'Omar',
      notes: 'Thank you for your business.',
      terms: 'Payment within 30 days. شكراً لتعاملكم معنا',
      billing_address: { address: 'Karrada, Street 62', city: 'Baghdad', country: 'Iraq' },
      custom_fields: [{ customfield_id: '@@CF_ID@@', label: 'Branch', value: 'Baghdad' }],
      created_time: zohoTime(new Date(modified.getTime() - 3_600_000)),
      last_modified_time: zohoTime(modified),
    },
  };
}

const VARIANTS = 64;

/**
 * factory.body(seq) → { body (string), entityId } with a fresh id for every seq.
 * kind: 'contact' | 'invoice'. lineCount for invoices (default 5).
 */
export function bodyFactory(kind, { ids = makeIds(), lineCount = 5 } = {}) {
  const templates = [];
  for (let v = 0; v < VARIANTS; v++) {
    const record = kind === 'contact' ? contactRecord(v) : invoiceRecord(v, lineCount);
    templates.push(compileTemplate(JSON.stringify(record)));
  }
  const fixed = {
    CURRENCY_ID: '460000000000097',
    LOCATION_ID: '460000000000123',
    CF_ID: '460000000000555',
  };
  const body =
    kind === 'contact'
      ? (seq) => {
          const id = ids.contact(seq);
          const values = { ...fixed, ID: id, NAME_SEQ: seq, PERSON_ID: ids.line(seq, 7) };
          return { body: templates[seq % VARIANTS](values), entityId: id };
        }
      : (seq) => {
          const id = ids.invoice(seq);
          const values = { ...fixed, ID: id, NUMBER: pad(seq, 7), CUSTOMER_ID: ids.customer(seq % 500) };
          for (let k = 0; k < lineCount; k++) {
            values[`L${k}`] = ids.line(seq, k);
            values[`ITEM${k}`] = ids.item((seq + k * 3) % ITEMS.length);
          }
          return { body: templates[seq % VARIANTS](values), entityId: id };
        };
  return { kind, ids, body };
}

/** The record object (for the peers' job payloads), ids as strings. */
export function contactJobData(seq, ids) {
  const text = (bodyFactory.cache ??= new Map());
  let f = text.get(ids.nonce);
  if (!f) text.set(ids.nonce, (f = bodyFactory('contact', { ids })));
  const { body } = f.body(seq);
  // Keep ids exact: quote the long numbers before parsing.
  return JSON.parse(body.replace(/([:[,]\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"')).contact;
}

/** Query string in a fixed order, and the string Zoho signs: params sorted by key as key+value, then the raw body. */
export function webhookQuery(event = 'created', organizationId = '20099887766') {
  return { event, organization_id: organizationId };
}

export function queryString(params) {
  return new URLSearchParams(params).toString();
}

export function zohoSignature(secret, params, body) {
  const h = createHmac('sha256', secret);
  for (const key of Object.keys(params).sort()) h.update(key + params[key]);
  h.update(body);
  return h.digest('hex');
}

export const ENTITY_ROUTE = { contact: 'contacts', invoice: 'invoices' };
