/**
 * Realistic Zoho Books / Inventory records, built from the field names of Zoho's API documentation
 * (docs/decisions/0006-zoho-webhook-contract.md). Ids are 18-digit numbers as Zoho prints them; bodies are serialised by
 * `zohoBody()`, which writes ids and amounts as JSON numbers (like Zoho) without passing them through a JS number.
 */
export type Json = Record<string, unknown>;

/** A JSON number kept as its exact digits (ids above 2^53, amounts). */
export class Num {
  constructor(readonly digits: string) {}
}
export const n = (digits: string | number) => new Num(String(digits));

export function zohoBody(envelope: string, record: Json): string {
  return `{${JSON.stringify(envelope)}:${serialise(record)}}`;
}

function serialise(v: unknown): string {
  if (v instanceof Num) return v.digits;
  if (Array.isArray(v)) return `[${v.map(serialise).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${serialise(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

let seq = 0;
export const zohoId = () => n(`4600000000${String(26000 + ++seq).padStart(8, '0')}`);

export function zohoContact(over: Json = {}): Json {
  return {
    contact_id: zohoId(),
    contact_name: 'Bagdad Trading Co.',
    company_name: 'Bagdad Trading Company LLC',
    contact_type: 'customer',
    customer_sub_type: 'business',
    status: 'active',
    payment_terms: n(30),
    payment_terms_label: 'Net 30',
    currency_id: n('460000000000097'),
    currency_code: 'IQD',
    credit_limit: n('15000000.00'),
    outstanding_receivable_amount: n('2500000.50'),
    outstanding_payable_amount: n('0.00'),
    billing_address: { address: 'Al-Mansour St. 14', city: 'Baghdad', country: 'Iraq', zip: '10013' },
    shipping_address: { address: 'Industrial Zone 3', city: 'Erbil', country: 'Iraq' },
    contact_persons: [
      {
        contact_person_id: zohoId(),
        first_name: 'Ali',
        last_name: 'Hassan',
        email: 'Ali.Hassan@Bagdad-Trading.iq',
        phone: '+964 770 123 4567',
        mobile: '+964 750 765 4321',
        is_primary_contact: true,
      },
    ],
    custom_fields: [{ customfield_id: n('460000000093003'), label: 'Region', value: 'Central' }],
    cf_region: 'Central',
    created_time: '2026-01-10T09:00:00+0300',
    last_modified_time: '2026-11-28T10:15:30+0300',
    ...over,
  };
}

export function zohoItem(over: Json = {}): Json {
  return {
    item_id: zohoId(),
    name: 'Hydraulic Pump HP-200',
    sku: 'HP-200',
    unit: 'pcs',
    status: 'active',
    description: 'Gear pump, 200 bar',
    item_type: 'inventory',
    product_type: 'goods',
    rate: n('125000.00'),
    purchase_rate: n('98000.00'),
    upc: '012345678905',
    ean: '4006381333931',
    part_number: 'HP200-A',
    stock_on_hand: n('42.00'),
    available_stock: n('40.00'),
    warehouses: [
      {
        warehouse_id: n('460000000038080'),
        warehouse_name: 'Baghdad Main',
        warehouse_stock_on_hand: n('30.00'),
        warehouse_available_stock: n('28.00'),
      },
      {
        warehouse_id: n('460000000038090'),
        warehouse_name: 'Erbil',
        warehouse_stock_on_hand: n('12.00'),
        warehouse_available_stock: n('12.00'),
      },
    ],
    created_time: '2026-01-10T09:00:00+0300',
    last_modified_time: '2026-11-28T10:15:30+0300',
    ...over,
  };
}

export function zohoLineItems(count: number, over: Json = {}): Json[] {
  return Array.from({ length: count }, (_, i) => ({
    line_item_id: zohoId(),
    item_id: n(`46000000001708${i}`),
    sku: `SKU-${i + 1}`,
    name: `Spare part ${i + 1}`,
    description: 'Original spare part, boxed',
    item_order: n(i + 1),
    quantity: n(`${i + 2}.00`),
    unit: 'pcs',
    rate: n('12500.00'),
    discount: n(0),
    tax_id: '',
    tax_percentage: n(0),
    item_total: n(`${(i + 2) * 12500}.00`),
    location_id: n('460000000038080'),
    ...over,
  }));
}

function documentTotals(lines: Json[]) {
  const sub = lines.reduce((s, l) => s + Number((l.item_total as Num).digits), 0);
  return { sub_total: n(`${sub}.00`), tax_total: n('0.00'), total: n(`${sub}.00`) };
}

export function zohoSalesOrder(over: Json = {}, lineCount = 3): Json {
  const line_items = zohoLineItems(lineCount);
  return {
    salesorder_id: zohoId(),
    salesorder_number: 'SO-00017',
    reference_number: 'PO-7781',
    date: '2026-11-27',
    shipment_date: '2026-12-02',
    status: 'confirmed',
    customer_id: n('460000000026049'),
    customer_name: 'Bagdad Trading Co.',
    salesperson_name: 'Omar',
    currency_code: 'IQD',
    exchange_rate: n('1.00'),
    price_precision: n(0),
    discount: '0.00%',
    shipping_charge: n('0.00'),
    adjustment: n('0.00'),
    line_items,
    ...documentTotals(line_items),
    created_time: '2026-11-27T08:00:00+0300',
    last_modified_time: '2026-11-28T10:15:30+0300',
    ...over,
  };
}

export function zohoInvoice(over: Json = {}, lineCount = 5): Json {
  const line_items = zohoLineItems(lineCount);
  return {
    invoice_id: zohoId(),
    invoice_number: 'INV-000031',
    reference_number: 'SO-00017',
    date: '2026-11-28',
    due_date: '2026-12-28',
    payment_terms: n(30),
    payment_terms_label: 'Net 30',
    status: 'sent',
    customer_id: n('460000000026049'),
    customer_name: 'Bagdad Trading Co.',
    email: 'accounts@bagdad-trading.iq',
    currency_id: n('460000000000097'),
    currency_code: 'IQD',
    exchange_rate: n('1.00'),
    is_inclusive_tax: false,
    line_items,
    ...documentTotals(line_items),
    payment_made: n('0.00'),
    credits_applied: n('0.00'),
    write_off_amount: n('0.00'),
    balance: documentTotals(line_items).total,
    billing_address: { address: 'Al-Mansour St. 14', city: 'Baghdad', country: 'Iraq' },
    shipping_address: { address: 'Industrial Zone 3', city: 'Erbil', country: 'Iraq' },
    notes: 'Thank you for your business.',
    terms: 'Payment within 30 days.',
    custom_fields: [{ customfield_id: n('460000000093007'), label: 'Branch', value: 'Baghdad' }],
    created_time: '2026-11-28T08:00:00+0300',
    last_modified_time: '2026-11-28T10:15:30+0300',
    ...over,
  };
}

export function zohoBill(over: Json = {}, lineCount = 3): Json {
  const line_items = zohoLineItems(lineCount, { account_id: n('460000000000403') });
  return {
    bill_id: zohoId(),
    bill_number: 'BILL-00412',
    reference_number: 'VND-INV-99',
    purchaseorder_ids: [n('460000000068009')],
    date: '2026-11-20',
    due_date: '2026-12-20',
    status: 'open',
    vendor_id: n('460000000038029'),
    vendor_name: 'Gulf Industrial Supplies',
    currency_code: 'USD',
    exchange_rate: n('1310.00'),
    line_items,
    ...documentTotals(line_items),
    balance: documentTotals(line_items).total,
    payments: [],
    created_time: '2026-11-20T08:00:00+0300',
    last_modified_time: '2026-11-28T10:15:30+0300',
    ...over,
  };
}

export function zohoCreditNote(over: Json = {}, lineCount = 2): Json {
  const line_items = zohoLineItems(lineCount, { account_id: n('460000000000388'), invoice_id: n('460000000061001') });
  return {
    creditnote_id: zohoId(),
    creditnote_number: 'CN-00007',
    reference_number: 'INV-000031',
    date: '2026-11-28',
    status: 'open',
    customer_id: n('460000000026049'),
    customer_name: 'Bagdad Trading Co.',
    currency_code: 'IQD',
    exchange_rate: n('1.00'),
    line_items,
    ...documentTotals(line_items),
    balance: documentTotals(line_items).total,
    invoices: [],
    created_time: '2026-11-28T08:00:00+0300',
    updated_time: '2026-11-28T10:15:30+0300',
    ...over,
  };
}

export function zohoInventoryAdjustment(over: Json = {}, lines?: Json[]): Json {
  return {
    inventory_adjustment_id: zohoId(),
    date: '2026-11-28',
    reason: 'Stocktaking difference',
    reason_id: n('460000000055001'),
    description: 'Annual count',
    reference_number: 'ADJ-00005',
    adjustment_type: 'quantity',
    total: n('0.00'),
    line_items: lines ?? [
      {
        line_item_id: zohoId(),
        item_id: n('460000000017080'),
        name: 'Spare part 1',
        quantity_adjusted: n('5.00'),
        location_id: n('460000000038080'),
        adjustment_account_id: n('460000000000412'),
      },
    ],
    ...over,
  };
}

export function zohoPriceBook(over: Json = {}, itemCount = 3): Json {
  return {
    pricebook_id: zohoId(),
    name: 'Wholesale IQD',
    description: 'Dealers',
    currency_id: n('460000000000097'),
    currency_code: 'IQD',
    decimal_place: n(0),
    pricebook_type: 'per_item',
    sales_or_purchase_type: 'sales',
    percentage: n(0),
    is_increase: false,
    rounding_type: 'no_rounding',
    is_default: false,
    status: 'active',
    pricebook_items: Array.from({ length: itemCount }, (_, i) => ({
      pricebook_item_id: zohoId(),
      item_id: n(`46000000001708${i}`),
      name: `Spare part ${i + 1}`,
      pricebook_rate: n(`${11000 + i * 100}.00`),
      pricebook_discount: '',
    })),
    ...over,
  };
}
