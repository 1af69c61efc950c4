import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `raw` is the record's exact JSON everywhere (decision 0010). Until now erp.stock_levels.raw and
 * erp.price_list_items.raw were written as JSON.stringify of the exactly-parsed entry, where every JSON number had
 * become a string ({"warehouse_stock_on_hand":"12.50"}), while every other raw holds JSON numbers, so
 * `(raw->'x')::numeric` worked on one table and failed on another. The writers now read the entry from the stored
 * event (tds.events.payload -> 'locations' -> i, -> 'pricebook_items' -> i); this migration fixes the rows already
 * stored.
 *
 * How: each row takes its entry again from the newest completed, applied event of its record that holds it (its
 * location or item id), preferring the event whose version the row carries: that is the exact JSON the row was
 * written from, ids and all (a number-typed id had become a string too). Where no such event is left (events pruned),
 * the known numeric keys are converted in place, only when their string is an exact JSON number literal; every other
 * string stays a string (a name or sku made of digits is text). Rows without raw (levels created by a delta) are left
 * alone. The lookup uses events_record_chain_idx (record_type, entity_id, id).
 *
 * down: what the old writers stored, every top-level JSON number of these two raws as a string (nested values are
 * left as they are; the old writers never read them back).
 */
const STOCK_NUMERIC_KEYS = [
  'location_stock_on_hand',
  'location_available_stock',
  'location_actual_available_stock',
  'location_committed_stock',
  'location_actual_committed_stock',
  'location_available_for_sale_stock',
  'location_actual_available_for_sale_stock',
  'warehouse_stock_on_hand',
  'warehouse_available_stock',
  'warehouse_actual_available_stock',
  'warehouse_committed_stock',
  'warehouse_actual_committed_stock',
  'warehouse_available_for_sale_stock',
  'warehouse_actual_available_for_sale_stock',
];
const PRICE_NUMERIC_KEYS = ['pricebook_rate', 'rate'];

const JSON_NUMBER = `'^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$'`;

/** raw with the given keys' exact-number strings turned back into JSON numbers. */
const numbersIn = (raw: string, keys: string[]) => `
  CASE WHEN jsonb_typeof(${raw}) = 'object' THEN coalesce((
    SELECT jsonb_object_agg(j.k, CASE
      WHEN j.k = ANY (ARRAY[${keys.map((k) => `'${k}'`).join(', ')}]) AND jsonb_typeof(j.v) = 'string' AND (j.v #>> '{}') ~ ${JSON_NUMBER}
      THEN (j.v #>> '{}')::jsonb ELSE j.v END)
    FROM jsonb_each(${raw}) AS j(k, v)), '{}'::jsonb)
  ELSE ${raw} END`;

/** The entries of a list field of an event payload (none when it is not a list). */
const entries = (field: string) =>
  `jsonb_array_elements(CASE WHEN jsonb_typeof(e.payload -> '${field}') = 'array' THEN e.payload -> '${field}' ELSE '[]'::jsonb END)`;

const APPLIED = `e.status = 'completed' AND e.outcome = 'applied' AND e.event_kind <> 'deleted'`;

export class RawIsExactJson1764300000007 implements MigrationInterface {
  name = 'RawIsExactJson1764300000007';

  public async up(q: QueryRunner): Promise<void> {
    // A stock level comes from locations[] (preferred, as the writer does) or warehouses[] of an item record.
    await q.query(`
      UPDATE erp.stock_levels l SET raw = coalesce((
        SELECT x.entry
        FROM tds.events e
        CROSS JOIN LATERAL (
          SELECT loc.entry, loc.ord, 0 AS pref FROM ${entries('locations')} WITH ORDINALITY AS loc(entry, ord)
          WHERE btrim(loc.entry ->> 'location_id') = l.warehouse_id
          UNION ALL
          SELECT wh.entry, wh.ord, 1 FROM ${entries('warehouses')} WITH ORDINALITY AS wh(entry, ord)
          WHERE btrim(wh.entry ->> 'warehouse_id') = l.warehouse_id
        ) x
        WHERE e.record_type = 'item' AND e.entity_id = l.zoho_item_id AND ${APPLIED}
        ORDER BY (e.zoho_modified_at IS NOT DISTINCT FROM l.zoho_modified_at) DESC, e.id DESC, x.pref, x.ord DESC
        LIMIT 1
      ), ${numbersIn('l.raw', STOCK_NUMERIC_KEYS)})
      WHERE l.raw IS NOT NULL`);
    // A price-list item: one per item and list, the last entry for the item wins (as the writer does).
    await q.query(`
      UPDATE erp.price_list_items p SET raw = coalesce((
        SELECT it.entry
        FROM tds.events e
        CROSS JOIN LATERAL ${entries('pricebook_items')} WITH ORDINALITY AS it(entry, ord)
        WHERE e.record_type = 'pricebook' AND e.entity_id = p.zoho_pricebook_id AND ${APPLIED}
          AND btrim(it.entry ->> 'item_id') = p.zoho_item_id
        ORDER BY (e.zoho_modified_at IS NOT DISTINCT FROM p.zoho_modified_at) DESC, e.id DESC, it.ord DESC
        LIMIT 1
      ), ${numbersIn('p.raw', PRICE_NUMERIC_KEYS)})
      WHERE p.raw IS NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['erp.stock_levels', 'erp.price_list_items']) {
      await q.query(`
        UPDATE ${table} SET raw = (
          SELECT jsonb_object_agg(j.k, CASE WHEN jsonb_typeof(j.v) = 'number' THEN to_jsonb(j.v #>> '{}') ELSE j.v END)
          FROM jsonb_each(raw) AS j(k, v))
        WHERE jsonb_typeof(raw) = 'object' AND raw <> '{}'::jsonb`);
    }
  }
}
