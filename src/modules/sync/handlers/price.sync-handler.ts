import { isPlainObject } from '../../../common/json/exact-json';
import { DocumentRecordHandler, ItemFieldsRecordHandler, RecordTypeDispatch } from '../document-sync-handler';
import { ErpRepository, type PriceBracketRow } from '../erp.repository';
import { mapFields, type FieldSpec } from '../field-spec';
import type { MappedDocument } from '../sync-handler';
import { SyncEntityType } from '../sync.types';
import { FieldError, indexedList, text, type ZohoRecord } from '../zoho-values';

/** One volume-pricing tier of a price-list item (Inventory pricelists.yml `price_bracket`). */
const BRACKET_FIELDS: readonly FieldSpec[] = [
  { column: 'zoho_pricebook_item_id', type: 'id', from: 'pricebook_item_id' },
  { column: 'start_quantity', type: 'numeric', from: 'start_quantity' },
  { column: 'end_quantity', type: 'numeric', from: 'end_quantity' },
  { column: 'rate', type: 'numeric', from: ['pricebook_rate', 'rate'] },
  { column: 'discount', type: 'text', from: 'pricebook_discount' },
];

/** The brackets of a price-list item entry, mapped (a bad figure is a field error naming the bracket field). */
function bracketsOf(entry: ZohoRecord): { row: Record<string, unknown>; index: number }[] {
  return indexedList(entry, 'price_brackets').map(({ entry: bracket, index }) => {
    try {
      return { row: mapFields(BRACKET_FIELDS, bracket), index };
    } catch (err) {
      if (err instanceof FieldError) throw new FieldError(`price_brackets.${err.field}`, err.message.slice(err.field.length + 2));
      throw err;
    }
  });
}

/**
 * Unit or volume pricing: the entry's own scheme, else the price list's, else volume when it lists brackets. Reading
 * the brackets here validates them when the entry is mapped, so a bad bracket dead-letters the event before any write.
 */
function pricingSchemeOf(entry: ZohoRecord, book: ZohoRecord): string | null {
  const brackets = bracketsOf(entry);
  const scheme = text(entry, 'pricing_scheme') ?? text(book, 'pricing_scheme');
  return scheme?.toLowerCase() ?? (brackets.length ? 'volume' : null);
}

/** The bracket rows of the applied price lists: those of each item entry kept (the last entry of a repeated item). */
function bracketRows(applied: MappedDocument[]): PriceBracketRow[] {
  return applied.flatMap((d) => {
    const entries = d.event.record.pricebook_items;
    return (d.lines ?? []).flatMap((line) => {
      const itemIndex = line.source_index as number;
      const entry: unknown = Array.isArray(entries) ? entries[itemIndex] : undefined;
      return bracketsOf(isPlainObject(entry) ? entry : {}).map(({ row, index }, i) => ({
        ...(row as Pick<PriceBracketRow, 'zoho_pricebook_item_id' | 'start_quantity' | 'end_quantity' | 'rate' | 'discount'>),
        zoho_pricebook_id: d.event.entityId,
        zoho_item_id: line.zoho_item_id as string,
        position: i + 1,
        zoho_modified_at: d.event.zohoModifiedAt,
        event_id: d.event.id,
        item_index: itemIndex,
        bracket_index: index,
      }));
    });
  });
}

/**
 * Price lists: header plus its item set (one price per item: the last one wins) and, for volume pricing, each item's
 * brackets; all replaced exactly on every applied version.
 */
const priceLists = new DocumentRecordHandler({
  type: SyncEntityType.Price,
  recordType: 'pricebook',
  table: 'erp.price_lists',
  key: 'zoho_pricebook_id',
  // Zoho documents no timestamp on price lists: a delete without one is final.
  timestamped: false,
  fields: [
    { column: 'name', type: 'text', from: 'name' },
    { column: 'description', type: 'text', from: 'description' },
    { column: 'currency_code', type: 'text', from: 'currency_code' },
    { column: 'pricebook_type', type: 'text', from: 'pricebook_type' },
    { column: 'sales_or_purchase_type', type: 'text', from: 'sales_or_purchase_type' },
    { column: 'percentage', type: 'numeric', from: 'percentage' },
    { column: 'is_increase', type: 'boolean', from: 'is_increase' },
    { column: 'rounding_type', type: 'text', from: 'rounding_type' },
    { column: 'decimal_place', type: 'integer', from: 'decimal_place' },
    { column: 'is_default', type: 'boolean', from: 'is_default' },
    { column: 'status', type: 'text', from: 'status' },
    { column: 'pricing_scheme', type: 'text', from: (r) => text(r, 'pricing_scheme')?.toLowerCase() ?? null, keys: ['pricing_scheme'] },
  ],
  lines: {
    table: 'erp.price_list_items',
    parentKey: 'zoho_pricebook_id',
    source: 'pricebook_items',
    // An entry without an item id prices nothing: left out.
    key: { column: 'zoho_item_id', from: 'item_id', whenMissing: 'skip' },
    position: 'kept',
    fields: [
      { column: 'zoho_pricebook_item_id', type: 'id', from: 'pricebook_item_id' },
      { column: 'name', type: 'text', from: ['name', 'item_name'] },
      // A volume-priced item has no rate of its own (NULL): its prices are its brackets.
      { column: 'rate', type: 'numeric', from: ['pricebook_rate', 'rate'] },
      { column: 'discount', type: 'text', from: 'pricebook_discount' },
      { column: 'pricing_scheme', type: 'text', from: pricingSchemeOf },
    ],
  },
  afterApply: async (tx, applied) => {
    // Brackets go with their items: kept as they are when the price list does not send its items.
    const withItems = applied.filter((d) => d.lines !== null);
    await ErpRepository.replacePriceBrackets(
      tx,
      withItems.map((d) => d.event.entityId),
      bracketRows(withItems),
    );
  },
});

/** An item whose own rate changed (→ erp.products.rate). */
const itemRate = new ItemFieldsRecordHandler({
  type: SyncEntityType.Price,
  fields: [{ column: 'rate', type: 'numeric', from: 'rate' }],
  stockLevels: false,
});

/** /webhooks/prices: price lists, or an item whose own rate changed. */
export const priceSyncHandler = new RecordTypeDispatch(SyncEntityType.Price, [priceLists, itemRate]);
