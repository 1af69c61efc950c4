import type { Queryable } from '../../database/queryable';
import { namedQuery } from '../../database/named-query';
import { PG_ARRAY_TYPE, type FieldSpec, type Row } from './field-spec';
import type { DocumentDefinition, GeneratedStatement, ItemFieldsDefinition, LineDefinition } from './sync-handler';
// Apply unless the stored version is strictly newer. Records without a Zoho timestamp apply in arrival order.
const NOT_STALE = `(t.zoho_modified_at IS NULL OR EXCLUDED.zoho_modified_at IS NULL OR EXCLUDED.zoho_modified_at >= t.zoho_modified_at)`;
// The version an applied write leaves: never lower, never erased. An untimed write (NULL) keeps the stored version
// (greatest() skips NULLs), so a late delivery older than that version is still stale after it; a timed write that
// passed NOT_STALE is the greater one anyway.
const KEPT_VERSION = `zoho_modified_at = greatest(t.zoho_modified_at, EXCLUDED.zoho_modified_at)`;
// A deleted row comes back only with a strictly newer version: an equal, older or untimed write leaves it deleted
// and is not applied at all (skipped_stale: no column, line or stock change). A final delete stores 'infinity'.
const LIVE_OR_NEWER = `(t.deleted_at IS NULL OR EXCLUDED.zoho_modified_at > t.zoho_modified_at)`;

export interface AppliedAdjustmentLine {
  adjustmentId: string;
  itemId: string;
  warehouseId: string;
  qty: string;
}

/** A stock level or product row a delta would move: its snapshot version and whether its figure is known. */
export interface StockTarget {
  /** ISO 8601 UTC, or null. */
  zoho_modified_at: string | null;
  known: boolean;
}

export const stockLevelKey = (itemId: string, warehouseId: string) => `${itemId}\u0000${warehouseId}`;

const READ_APPLIED_ADJUSTMENT_LINES = `
  SELECT zoho_adjustment_id AS "adjustmentId", zoho_item_id AS "itemId", warehouse_id AS "warehouseId",
         applied_quantity::text AS qty
  FROM erp.stock_adjustment_lines WHERE zoho_adjustment_id = ANY($1::text[]) AND zoho_item_id IS NOT NULL`;

const CLEAR_APPLIED_QUANTITIES = `UPDATE erp.stock_adjustment_lines SET applied_quantity = 0 WHERE zoho_adjustment_id = ANY($1::text[])`;

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const LOCK_STOCK_LEVELS = `
  SELECT l.zoho_item_id AS item_id, l.warehouse_id, ${ISO('l.zoho_modified_at')} AS zoho_modified_at,
         l.stock_on_hand IS NOT NULL AS known
  FROM erp.stock_levels l JOIN unnest($1::text[], $2::text[]) AS u(i, w) ON l.zoho_item_id = u.i AND l.warehouse_id = u.w
  ORDER BY l.zoho_item_id, l.warehouse_id
  FOR UPDATE OF l`;

const LOCK_PRODUCTS = `
  SELECT p.zoho_item_id AS item_id, ${ISO('p.zoho_modified_at')} AS zoho_modified_at, p.stock_on_hand IS NOT NULL AS known
  FROM erp.products p WHERE p.zoho_item_id = ANY($1::text[])
  ORDER BY p.zoho_item_id
  FOR UPDATE OF p`;

const ADD_STOCK_DELTAS = `
  WITH d AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[]) AS d(i, w, n, q)),
  upd AS (
    UPDATE erp.stock_levels t SET stock_on_hand = t.stock_on_hand + d.q, available_stock = t.available_stock + d.q,
      warehouse_name = coalesce(t.warehouse_name, d.n), synced_at = now()
    FROM d WHERE t.zoho_item_id = d.i AND t.warehouse_id = d.w
    RETURNING t.zoho_item_id, t.warehouse_id
  )
  INSERT INTO erp.stock_levels (zoho_item_id, warehouse_id, warehouse_name, stock_on_hand, available_stock, synced_at)
  SELECT d.i, d.w, d.n, NULL, NULL, now() FROM d
  WHERE NOT EXISTS (SELECT 1 FROM erp.stock_levels t WHERE t.zoho_item_id = d.i AND t.warehouse_id = d.w)
  ON CONFLICT (zoho_item_id, warehouse_id) DO NOTHING`;

const ADD_PRODUCT_STOCK_DELTAS = `
  WITH d AS (SELECT * FROM unnest($1::text[], $2::numeric[]) AS d(i, q)),
  upd AS (
    UPDATE erp.products t SET stock_on_hand = t.stock_on_hand + d.q, synced_at = now()
    FROM d WHERE t.zoho_item_id = d.i
    RETURNING t.zoho_item_id
  )
  INSERT INTO erp.products (zoho_item_id, stock_on_hand, synced_at)
  SELECT d.i, NULL, now() FROM d WHERE NOT EXISTS (SELECT 1 FROM erp.products t WHERE t.zoho_item_id = d.i)
  ON CONFLICT (zoho_item_id) DO NOTHING`;

/** The statements a document definition needs, built once per definition (not per table: two definitions may share one). */
export interface DocumentStatements {
  upsert: string;
  softDelete: string;
  deleteLines?: string;
  insertLines?: string;
}

const params = (types: string[]) => types.map((t, i) => `$${i + 1}::${t}`).join(', ');

/**
 * A field's value in the written row: the record's, or, where the record did not send the field at all (`u.absent`
 * holds '1' at the field's place, field-spec.ts absentMask), the stored row's (NULL for a new row). The stored value
 * is a subquery in the CASE branch, so it is read only for a field left out: a record that sends every field (absent
 * NULL, the usual case) costs no extra read.
 */
const keptWhenAbsent = (table: string, key: string, fields: readonly FieldSpec[]) =>
  fields.map(
    (f, i) =>
      `CASE WHEN substr(u.absent, ${i + 1}, 1) = '1' THEN (SELECT cur.${f.column} FROM ${table} cur WHERE cur.${key} = u.${key}) ELSE u.${f.column} END`,
  );

function buildUpsert(table: string, key: string, fields: readonly FieldSpec[]): string {
  const names = [key, ...fields.map((f) => f.column)];
  const types = ['text[]', ...fields.map((f) => PG_ARRAY_TYPE[f.type]), 'timestamptz[]', 'bigint[]', 'text[]'];
  const sets = [...fields.map((f) => `${f.column} = EXCLUDED.${f.column}`), KEPT_VERSION].join(', ');
  // raw = the stored record (tds.events.payload): read in place instead of sent back over the wire.
  return `
    INSERT INTO ${table} AS t (${names.join(', ')}, zoho_modified_at, raw, synced_at, deleted_at)
    SELECT u.${key}, ${keptWhenAbsent(table, key, fields).join(', ')}, u.zoho_modified_at, e.payload, now(), NULL
    FROM unnest(${params(types)}) AS u(${names.join(', ')}, zoho_modified_at, event_id, absent)
    JOIN tds.events e ON e.id = u.event_id
    ON CONFLICT (${key}) DO UPDATE SET ${sets},
      raw = EXCLUDED.raw, synced_at = now(), deleted_at = NULL
    WHERE ${NOT_STALE} AND ${LIVE_OR_NEWER}
    RETURNING t.${key} AS key`;
}

function buildSoftDelete(table: string, key: string): string {
  return `
    WITH u AS (
      SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::bigint[]) AS u(k, m, v, event_id)
    ), upd AS (
      UPDATE ${table} t SET deleted_at = coalesce(t.deleted_at, now()), synced_at = now(),
        zoho_modified_at = greatest(t.zoho_modified_at, u.v)
      FROM u
      WHERE t.${key} = u.k AND (u.m IS NULL OR t.zoho_modified_at IS NULL OR u.m >= t.zoho_modified_at)
      RETURNING t.${key} AS key
    ), ins AS (
      INSERT INTO ${table} (${key}, zoho_modified_at, raw, synced_at, deleted_at)
      SELECT u.k, u.v, e.payload, now(), now() FROM u JOIN tds.events e ON e.id = u.event_id
      WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.${key} = u.k)
      ON CONFLICT (${key}) DO NOTHING
      RETURNING ${key} AS key
    )
    SELECT key FROM upd UNION ALL SELECT key FROM ins`;
}

/** The columns of a line row, in parameter order (the last three are not stored as such). */
const lineParams = (l: LineDefinition) => [
  l.parentKey,
  l.key.column,
  'position',
  ...l.fields.map((f) => f.column),
  'zoho_modified_at',
  'event_id',
  'source_index',
];

function buildInsertLines(l: LineDefinition): string {
  const names = [l.parentKey, l.key.column, 'position', ...l.fields.map((f) => f.column)];
  const types = ['text[]', 'text[]', 'int[]', ...l.fields.map((f) => PG_ARRAY_TYPE[f.type]), 'timestamptz[]', 'bigint[]', 'int[]'];
  // raw = the line as received, read from the stored record (its index in the source list).
  return `
    INSERT INTO ${l.table} (${names.join(', ')}, zoho_modified_at, raw, synced_at)
    SELECT ${names.map((n) => `u.${n}`).join(', ')}, u.zoho_modified_at, e.payload -> '${l.source}' -> u.source_index, now()
    FROM unnest(${params(types)}) AS u(${names.join(', ')}, zoho_modified_at, event_id, source_index)
    JOIN tds.events e ON e.id = u.event_id`;
}

/** Identity columns an item on another route fills only when the product row has none. */
const ITEM_IDENTITY = ['name', 'sku'];

function buildItemFields(fields: readonly FieldSpec[]): string {
  const names = ['zoho_item_id', ...ITEM_IDENTITY, ...fields.map((f) => f.column)];
  const types = [
    'text[]',
    ...ITEM_IDENTITY.map(() => 'text[]'),
    ...fields.map((f) => PG_ARRAY_TYPE[f.type]),
    'timestamptz[]',
    'bigint[]',
    'text[]',
  ];
  return `
    INSERT INTO erp.products AS t (${names.join(', ')}, zoho_modified_at, raw, synced_at)
    SELECT ${['zoho_item_id', ...ITEM_IDENTITY].map((n) => `u.${n}`).join(', ')}, ${keptWhenAbsent('erp.products', 'zoho_item_id', fields).join(', ')},
      u.zoho_modified_at, e.payload, now()
    FROM unnest(${params(types)}) AS u(${names.join(', ')}, zoho_modified_at, event_id, absent)
    JOIN tds.events e ON e.id = u.event_id
    ON CONFLICT (zoho_item_id) DO UPDATE SET ${fields.map((f) => `${f.column} = EXCLUDED.${f.column}`).join(', ')},
      name = coalesce(t.name, EXCLUDED.name), sku = coalesce(t.sku, EXCLUDED.sku), raw = coalesce(t.raw, EXCLUDED.raw),
      ${KEPT_VERSION}, synced_at = now(), deleted_at = NULL
    WHERE ${NOT_STALE} AND ${LIVE_OR_NEWER}
    RETURNING t.zoho_item_id AS key`;
}

// Absolute stock snapshot rows (from item records); raw is the location/warehouse entry read from the stored record
// (`source` is 'locations' or 'warehouses', `idx` its index there), so its numbers stay JSON numbers.
const SET_STOCK_LEVELS = `
  INSERT INTO erp.stock_levels AS t (zoho_item_id, warehouse_id, warehouse_name, stock_on_hand, available_stock, zoho_modified_at, raw, synced_at)
  SELECT u.i, u.w, u.n, u.s, u.a, u.m, e.payload -> u.source -> u.idx, now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::timestamptz[], $7::bigint[], $8::text[], $9::int[])
    AS u(i, w, n, s, a, m, event_id, source, idx)
  JOIN tds.events e ON e.id = u.event_id
  ON CONFLICT (zoho_item_id, warehouse_id) DO UPDATE SET
    warehouse_name = coalesce(EXCLUDED.warehouse_name, t.warehouse_name), stock_on_hand = EXCLUDED.stock_on_hand,
    available_stock = EXCLUDED.available_stock, ${KEPT_VERSION}, raw = EXCLUDED.raw, synced_at = now()
  WHERE ${NOT_STALE}`;

// Volume-pricing brackets of price-list items, replaced exactly with their price list's items (the caller passes the
// price lists applied in this batch). raw is the bracket read from the stored record:
// payload -> 'pricebook_items' -> item_idx -> 'price_brackets' -> idx, so its numbers stay JSON numbers.
const DELETE_PRICE_BRACKETS = `DELETE FROM erp.price_list_item_brackets WHERE zoho_pricebook_id = ANY($1::text[])`;
const INSERT_PRICE_BRACKETS = `
  INSERT INTO erp.price_list_item_brackets
    (zoho_pricebook_id, zoho_item_id, position, zoho_pricebook_item_id, start_quantity, end_quantity, rate, discount, zoho_modified_at, raw, synced_at)
  SELECT u.p, u.i, u.pos, u.pi, u.sq, u.eq, u.r, u.d, u.m, e.payload -> 'pricebook_items' -> u.item_idx -> 'price_brackets' -> u.idx, now()
  FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::text[], $9::timestamptz[],
              $10::bigint[], $11::int[], $12::int[])
    AS u(p, i, pos, pi, sq, eq, r, d, m, event_id, item_idx, idx)
  JOIN tds.events e ON e.id = u.event_id`;

/** One volume bracket of a price-list item (price.sync-handler.ts). */
export interface PriceBracketRow {
  zoho_pricebook_id: string;
  zoho_item_id: string;
  /** 1..n in Zoho's order within the item. */
  position: number;
  zoho_pricebook_item_id: string | null;
  start_quantity: string | null;
  end_quantity: string | null;
  rate: string | null;
  discount: string | null;
  zoho_modified_at: string | null;
  event_id: string;
  /** Where the bracket is in the record: `pricebook_items[item_index].price_brackets[bracket_index]`. */
  item_index: number;
  bracket_index: number;
}

/** One per-warehouse level from an item record (stock-snapshot.ts). */
export interface StockLevelRow {
  zoho_item_id: string;
  warehouse_id: string;
  warehouse_name: string | null;
  stock_on_hand: string | null;
  available_stock: string | null;
  zoho_modified_at: string | null;
  event_id: string;
  /** Where the entry is in the record: `record[source][source_index]`. */
  source: 'locations' | 'warehouses';
  source_index: number;
}

const documentCache = new WeakMap<object, DocumentStatements>();
const itemFieldsCache = new WeakMap<object, string>();

/**
 * The ERP writes. The statements for a definition are generated from its field specs once (cached per definition
 * object, so each definition keeps one statement text and so one prepared-statement name); identifiers come from the
 * definitions, values are always parameters. One statement per table per batch: unnest() of one array per column.
 * Every generated text is snapshotted in test/snapshots/erp-statements.sql.
 */
export class ErpRepository {
  static documentStatements(def: DocumentDefinition<unknown>): DocumentStatements {
    let s = documentCache.get(def);
    if (!s) {
      s = { upsert: buildUpsert(def.table, def.key, def.fields), softDelete: buildSoftDelete(def.table, def.key) };
      if (def.lines) {
        s.deleteLines = `DELETE FROM ${def.lines.table} WHERE ${def.lines.parentKey} = ANY($1::text[])`;
        s.insertLines = buildInsertLines(def.lines);
      }
      documentCache.set(def, s);
    }
    return s;
  }

  static itemFieldsStatement(def: ItemFieldsDefinition): string {
    let s = itemFieldsCache.get(def);
    if (!s) itemFieldsCache.set(def, (s = buildItemFields(def.fields)));
    return s;
  }

  /** The generated statements of a definition, named, in a fixed order (for the SQL snapshot). */
  static generated(def: DocumentDefinition<unknown> | ItemFieldsDefinition): GeneratedStatement[] {
    if (!('table' in def)) return [{ name: 'upsert item fields erp.products', sql: ErpRepository.itemFieldsStatement(def) }];
    const s = ErpRepository.documentStatements(def);
    const out = [
      { name: `upsert ${def.table}`, sql: s.upsert },
      { name: `soft delete ${def.table}`, sql: s.softDelete },
    ];
    if (s.deleteLines && s.insertLines) {
      out.push(
        { name: `delete lines ${def.lines!.table}`, sql: s.deleteLines },
        { name: `insert lines ${def.lines!.table}`, sql: s.insertLines },
      );
    }
    return out;
  }

  /** Upsert documents; returns the keys actually written (the rest were stale). */
  static async upsert(tx: Queryable, def: DocumentDefinition<unknown>, rows: Row[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const values = [rows.map((r) => r[def.key]), ...def.fields.map((f) => rows.map((r) => r[f.column] ?? null))];
    values.push(
      rows.map((r) => r.zoho_modified_at ?? null),
      rows.map((r) => r.event_id),
      rows.map((r) => r.absent ?? null),
    );
    const res = await namedQuery<{ key: string }>(tx, ErpRepository.documentStatements(def).upsert, values);
    return new Set(res.rows.map((r) => r.key));
  }

  /**
   * Soft delete (a tombstone when the record is unknown); returns the keys marked. Each row carries `zoho_modified_at`
   * (the delete's own Zoho timestamp: a delete older than the stored version is stale) and `version`, what the row
   * keeps as its version so that only a strictly newer write brings it back: the timestamp, else the receive time
   * (types Zoho timestamps), else 'infinity' (a final delete). A delete without a timestamp is never stale.
   */
  static async softDelete(tx: Queryable, def: DocumentDefinition<unknown>, rows: Row[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const res = await namedQuery<{ key: string }>(tx, ErpRepository.documentStatements(def).softDelete, [
      rows.map((r) => r[def.key]),
      rows.map((r) => r.zoho_modified_at ?? null),
      rows.map((r) => r.version ?? null),
      rows.map((r) => r.event_id),
    ]);
    return new Set(res.rows.map((r) => r.key));
  }

  /** Replaces the line sets of the given parents exactly (removed lines disappear); pass only parents that sent their lines. */
  static async replaceLines(tx: Queryable, def: DocumentDefinition<unknown>, parents: string[], lines: Row[]): Promise<void> {
    const s = ErpRepository.documentStatements(def);
    if (!parents.length || !def.lines || !s.deleteLines || !s.insertLines) return;
    await namedQuery(tx, s.deleteLines, [parents]);
    if (!lines.length) return;
    await namedQuery(
      tx,
      s.insertLines,
      lineParams(def.lines).map((n) => lines.map((l) => l[n] ?? null)),
    );
  }

  /** Partial product update from another route (stock snapshot, item rate); returns keys written. */
  static async upsertItemFields(tx: Queryable, def: ItemFieldsDefinition, rows: Row[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const names = ['zoho_item_id', ...ITEM_IDENTITY, ...def.fields.map((f) => f.column), 'zoho_modified_at', 'event_id', 'absent'];
    const res = await namedQuery<{ key: string }>(
      tx,
      ErpRepository.itemFieldsStatement(def),
      names.map((n) => rows.map((r) => r[n] ?? null)),
    );
    return new Set(res.rows.map((r) => r.key));
  }

  /** Absolute stock snapshot rows (from item records). A blank figure from Zoho is "unknown": stored as NULL. */
  static async setStockLevels(tx: Queryable, rows: StockLevelRow[]): Promise<void> {
    if (!rows.length) return;
    await namedQuery(tx, SET_STOCK_LEVELS, [
      rows.map((r) => r.zoho_item_id),
      rows.map((r) => r.warehouse_id),
      rows.map((r) => r.warehouse_name),
      rows.map((r) => r.stock_on_hand),
      rows.map((r) => r.available_stock),
      rows.map((r) => r.zoho_modified_at),
      rows.map((r) => r.event_id),
      rows.map((r) => r.source),
      rows.map((r) => r.source_index),
    ]);
  }

  /** Replaces the volume brackets of the given price lists exactly (brackets of items no longer listed disappear). */
  static async replacePriceBrackets(tx: Queryable, pricebookIds: string[], rows: PriceBracketRow[]): Promise<void> {
    if (!pricebookIds.length) return;
    await namedQuery(tx, DELETE_PRICE_BRACKETS, [pricebookIds]);
    if (!rows.length) return;
    await namedQuery(tx, INSERT_PRICE_BRACKETS, [
      rows.map((r) => r.zoho_pricebook_id),
      rows.map((r) => r.zoho_item_id),
      rows.map((r) => r.position),
      rows.map((r) => r.zoho_pricebook_item_id),
      rows.map((r) => r.start_quantity),
      rows.map((r) => r.end_quantity),
      rows.map((r) => r.rate),
      rows.map((r) => r.discount),
      rows.map((r) => r.zoho_modified_at),
      rows.map((r) => r.event_id),
      rows.map((r) => r.item_index),
      rows.map((r) => r.bracket_index),
    ]);
  }

  /** What each adjustment line has applied to stock so far (an edit applies new − applied; a delete reverses it). */
  static async appliedAdjustmentLines(tx: Queryable, adjustmentIds: string[]): Promise<AppliedAdjustmentLine[]> {
    const res = await namedQuery<AppliedAdjustmentLine>(tx, READ_APPLIED_ADJUSTMENT_LINES, [adjustmentIds]);
    return res.rows;
  }

  /** A deleted adjustment has nothing applied any more (a second delete, or a later version, reverses nothing). */
  static async clearAppliedQuantities(tx: Queryable, adjustmentIds: string[]): Promise<void> {
    if (adjustmentIds.length) await namedQuery(tx, CLEAR_APPLIED_QUANTITIES, [adjustmentIds]);
  }

  /**
   * Locks the stock levels and products a batch of deltas will move (in key order: two workers never wait on each
   * other in a cycle) and returns their snapshot versions, so that a delta older than the snapshot is left out and
   * an unknown level stays unknown.
   */
  static async lockStockTargets(
    tx: Queryable,
    levels: { itemId: string; warehouseId: string }[],
    itemIds: string[],
  ): Promise<{ levels: Map<string, StockTarget>; products: Map<string, StockTarget> }> {
    const lv = await namedQuery<{ item_id: string; warehouse_id: string } & StockTarget>(tx, LOCK_STOCK_LEVELS, [
      levels.map((l) => l.itemId),
      levels.map((l) => l.warehouseId),
    ]);
    const pr = await namedQuery<{ item_id: string } & StockTarget>(tx, LOCK_PRODUCTS, [itemIds]);
    return {
      levels: new Map(lv.rows.map((r) => [stockLevelKey(r.item_id, r.warehouse_id), r])),
      products: new Map(pr.rows.map((r) => [r.item_id, r])),
    };
  }

  /**
   * Adds quantity deltas to stock levels (adjustments). An unknown level (no row yet, or a blank figure) stays
   * unknown: NULL + delta is NULL, and a missing row is created as unknown, with the location's name, until a
   * snapshot gives the level.
   */
  static async addStockDeltas(
    tx: Queryable,
    deltas: { itemId: string; warehouseId: string; warehouseName: string | null; delta: string }[],
  ): Promise<void> {
    if (!deltas.length) return;
    await namedQuery(tx, ADD_STOCK_DELTAS, [
      deltas.map((d) => d.itemId),
      deltas.map((d) => d.warehouseId),
      deltas.map((d) => d.warehouseName),
      deltas.map((d) => d.delta),
    ]);
  }

  /** Adds per-item deltas to products.stock_on_hand (unknown stays unknown; an unknown item gets a minimal row). */
  static async addProductStockDeltas(tx: Queryable, deltas: { itemId: string; delta: string }[]): Promise<void> {
    if (!deltas.length) return;
    await namedQuery(tx, ADD_PRODUCT_STOCK_DELTAS, [deltas.map((d) => d.itemId), deltas.map((d) => d.delta)]);
  }
}
