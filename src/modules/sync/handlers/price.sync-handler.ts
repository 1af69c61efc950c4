import type { Queryable } from '../../../database/queryable';
import { DocumentSyncHandler } from '../document-sync-handler';
import type { SyncHandler } from '../sync-handler';
import { SyncEntityType, SyncEvent, SyncOutcome } from '../sync.types';
import { bool, decimal, id, integer, list, text } from '../zoho-values';
import { applyItemFields } from './item-fields';

const REPLACE_ITEMS_DELETE = `DELETE FROM erp.price_list_items WHERE zoho_pricebook_id = ANY($1::text[])`;
const REPLACE_ITEMS_INSERT = `
  INSERT INTO erp.price_list_items (zoho_pricebook_id, zoho_item_id, zoho_pricebook_item_id, position, name, rate, discount,
                                    zoho_modified_at, raw, synced_at)
  SELECT u.p, u.i, u.pi, u.pos, u.n, u.r, u.d, u.m, u.raw::jsonb, now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::numeric[], $7::text[], $8::timestamptz[], $9::text[])
    AS u(p, i, pi, pos, n, r, d, m, raw)`;

/** Price lists: header plus its item set, replaced exactly on every applied version. */
const priceLists = new DocumentSyncHandler([
  {
    type: SyncEntityType.Price,
    recordType: 'pricebook',
    table: 'erp.price_lists',
    key: 'zoho_pricebook_id',
    // Zoho documents no timestamp on price lists: a delete without one is final.
    timestamped: false,
    columns: [
      { name: 'name', type: 'text' },
      { name: 'description', type: 'text' },
      { name: 'currency_code', type: 'text' },
      { name: 'pricebook_type', type: 'text' },
      { name: 'sales_or_purchase_type', type: 'text' },
      { name: 'percentage', type: 'numeric' },
      { name: 'is_increase', type: 'boolean' },
      { name: 'rounding_type', type: 'text' },
      { name: 'decimal_place', type: 'integer' },
      { name: 'is_default', type: 'boolean' },
      { name: 'status', type: 'text' },
    ],
    map: (r) => ({
      name: text(r, 'name'),
      description: text(r, 'description'),
      currency_code: text(r, 'currency_code'),
      pricebook_type: text(r, 'pricebook_type'),
      sales_or_purchase_type: text(r, 'sales_or_purchase_type'),
      percentage: decimal(r, 'percentage'),
      is_increase: bool(r, 'is_increase'),
      rounding_type: text(r, 'rounding_type'),
      decimal_place: integer(r, 'decimal_place'),
      is_default: bool(r, 'is_default'),
      status: text(r, 'status'),
      // validated here so a bad item aborts only this event (FieldError → invalid)
      _items: list(r, 'pricebook_items').map((it) => ({
        itemId: id(it, 'item_id'),
        pricebookItemId: id(it, 'pricebook_item_id'),
        name: text(it, 'name') ?? text(it, 'item_name'),
        rate: decimal(it, 'pricebook_rate') ?? decimal(it, 'rate'),
        discount: text(it, 'pricebook_discount'),
        raw: JSON.stringify(it),
      })),
    }),
    afterApply: async (tx, applied) => {
      if (!applied.length) return;
      await tx.query(REPLACE_ITEMS_DELETE, [applied.map((d) => d.event.entityId)]);
      const rows: unknown[][] = [[], [], [], [], [], [], [], [], []];
      for (const d of applied) {
        const seen = new Map<string, { itemId: string | null; pricebookItemId: string | null; name: string | null; rate: string | null; discount: string | null; raw: string }>();
        for (const it of d.row._items as { itemId: string | null; pricebookItemId: string | null; name: string | null; rate: string | null; discount: string | null; raw: string }[]) {
          if (it.itemId) seen.set(it.itemId, it); // one price per item and list: the last one wins
        }
        let pos = 0;
        for (const it of seen.values()) {
          const values = [d.event.entityId, it.itemId, it.pricebookItemId, ++pos, it.name, it.rate, it.discount, d.event.zohoModifiedAt, it.raw];
          values.forEach((v, i) => rows[i].push(v));
        }
      }
      if (rows[0].length) await tx.query(REPLACE_ITEMS_INSERT, rows);
    },
  },
]);

/** /webhooks/prices: price lists, or an item whose own rate changed (→ erp.products.rate). */
export const priceSyncHandler: SyncHandler = {
  type: SyncEntityType.Price,
  async apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]> {
    const items = events.filter((e) => e.recordType === 'item');
    const rest = events.filter((e) => e.recordType !== 'item');
    return [...(rest.length ? await priceLists.apply(tx, rest) : []), ...(items.length ? await applyItemFields(tx, items, 'rate') : [])];
  },
};
