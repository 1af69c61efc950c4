import type { Queryable } from '../../database/queryable';
import { namedQuery } from '../../database/named-query';
import type { Column, ColumnType, Row } from './sync-handler';

const PG_ARRAY: Record<ColumnType, string> = {
  text: 'text[]',
  numeric: 'numeric[]',
  integer: 'int[]',
  boolean: 'bool[]',
  date: 'date[]',
};

// Apply unless the stored version is strictly newer. Records without a Zoho timestamp apply in arrival order.
const NOT_STALE = `(t.zoho_modified_at IS NULL OR EXCLUDED.zoho_modified_at IS NULL OR EXCLUDED.zoho_modified_at >= t.zoho_modified_at)`;
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

const sqlCache = new Map<string, string>();
const cached = (key: string, build: () => string) => {
  let s = sqlCache.get(key);
  if (!s) sqlCache.set(key, (s = build()));
  return s;
};

/**
 * Multi-row SQL for the ERP tables, built once per table definition (identifiers come from the handler
 * definitions, values are always parameters). One statement per batch: unnest() of one array per column.
 */
export class ErpRepository {
  /** Upsert documents; returns the keys actually written (the rest were stale). */
  static async upsert(tx: Queryable, table: string, key: string, columns: Column[], rows: Row[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const sql = cached(`upsert:${table}`, () => {
      const names = [key, ...columns.map((c) => c.name)];
      const types = ['text[]', ...columns.map((c) => PG_ARRAY[c.type]), 'timestamptz[]', 'bigint[]'];
      const params = types.map((t, i) => `$${i + 1}::${t}`).join(', ');
      const sets = columns.map((c) => `${c.name} = EXCLUDED.${c.name}`).join(', ');
      // raw = the stored record (tds.events.payload): read in place instead of sent back over the wire.
      return `
        INSERT INTO ${table} AS t (${names.join(', ')}, zoho_modified_at, raw, synced_at, deleted_at)
        SELECT ${names.map((n) => `u.${n}`).join(', ')}, u.zoho_modified_at, e.payload, now(), NULL
        FROM unnest(${params}) AS u(${names.join(', ')}, zoho_modified_at, event_id)
        JOIN tds.events e ON e.id = u.event_id
        ON CONFLICT (${key}) DO UPDATE SET ${sets ? `${sets}, ` : ''}
          zoho_modified_at = EXCLUDED.zoho_modified_at, raw = EXCLUDED.raw, synced_at = now(), deleted_at = NULL
        WHERE ${NOT_STALE} AND ${LIVE_OR_NEWER}
        RETURNING t.${key} AS key`;
    });
    const params = [rows.map((r) => r[key]), ...columns.map((c) => rows.map((r) => r[c.name] ?? null))];
    params.push(rows.map((r) => r.zoho_modified_at ?? null), rows.map((r) => r.event_id));
    const res = await namedQuery<{ key: string }>(tx, sql, params);
    return new Set(res.rows.map((r) => r.key));
  }

  /**
   * Soft delete (a tombstone when the record is unknown); returns the keys marked. Each row carries `zoho_modified_at`
   * (the delete's own Zoho timestamp: a delete older than the stored version is stale) and `version`, what the row
   * keeps as its version so that only a strictly newer write brings it back: the timestamp, else the receive time
   * (types Zoho timestamps), else 'infinity' (a final delete). A delete without a timestamp is never stale.
   */
  static async softDelete(tx: Queryable, table: string, key: string, rows: Row[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const sql = cached(`delete:${table}`, () => `
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
      SELECT key FROM upd UNION ALL SELECT key FROM ins`);
    const res = await namedQuery<{ key: string }>(tx, sql, [
      rows.map((r) => r[key]),
      rows.map((r) => r.zoho_modified_at ?? null),
      rows.map((r) => r.version ?? null),
      rows.map((r) => r.event_id),
    ]);
    return new Set(res.rows.map((r) => r.key));
  }

  /** Replaces the line sets of the given parents exactly (removed lines disappear). */
  static async replaceLines(
    tx: Queryable,
    table: string,
    parentKey: string,
    source: string,
    columns: Column[],
    parents: string[],
    lines: Row[],
  ): Promise<void> {
    if (!parents.length) return;
    await namedQuery(tx, `DELETE FROM ${table} WHERE ${parentKey} = ANY($1::text[])`, [parents]);
    if (!lines.length) return;
    const sql = cached(`lines:${table}`, () => {
      const names = [parentKey, 'zoho_line_item_id', 'position', ...columns.map((c) => c.name)];
      const types = ['text[]', 'text[]', 'int[]', ...columns.map((c) => PG_ARRAY[c.type]), 'timestamptz[]', 'bigint[]', 'int[]'];
      const params = types.map((t, i) => `$${i + 1}::${t}`).join(', ');
      // raw = the line as received, read from the stored record (its index in the source list).
      return `
        INSERT INTO ${table} (${names.join(', ')}, zoho_modified_at, raw, synced_at)
        SELECT ${names.map((n) => `u.${n}`).join(', ')}, u.zoho_modified_at, e.payload -> '${source}' -> u.source_index, now()
        FROM unnest(${params}) AS u(${names.join(', ')}, zoho_modified_at, event_id, source_index)
        JOIN tds.events e ON e.id = u.event_id`;
    });
    const names = [parentKey, 'zoho_line_item_id', 'position', ...columns.map((c) => c.name), 'zoho_modified_at', 'event_id', 'source_index'];
    await namedQuery(tx, sql, names.map((n) => lines.map((l) => l[n] ?? null)));
  }

  /** Absolute stock snapshot rows (from item records). A blank figure from Zoho is "unknown": stored as NULL. */
  static async setStockLevels(tx: Queryable, rows: Row[]): Promise<void> {
    if (!rows.length) return;
    await namedQuery(
      tx,
      `INSERT INTO erp.stock_levels AS t (zoho_item_id, warehouse_id, warehouse_name, stock_on_hand, available_stock, zoho_modified_at, raw, synced_at)
       SELECT u.i, u.w, u.n, u.s, u.a, u.m, u.r::jsonb, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::timestamptz[], $7::text[]) AS u(i, w, n, s, a, m, r)
       ON CONFLICT (zoho_item_id, warehouse_id) DO UPDATE SET
         warehouse_name = coalesce(EXCLUDED.warehouse_name, t.warehouse_name), stock_on_hand = EXCLUDED.stock_on_hand,
         available_stock = EXCLUDED.available_stock, zoho_modified_at = EXCLUDED.zoho_modified_at, raw = EXCLUDED.raw, synced_at = now()
       WHERE ${NOT_STALE}`,
      ['zoho_item_id', 'warehouse_id', 'warehouse_name', 'stock_on_hand', 'available_stock', 'zoho_modified_at', 'raw'].map((k) =>
        rows.map((r) => r[k] ?? null),
      ),
    );
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
  static async addStockDeltas(tx: Queryable, deltas: { itemId: string; warehouseId: string; warehouseName: string | null; delta: string }[]): Promise<void> {
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

  /** Partial product update from another route (stock snapshot, item rate); returns keys written. */
  static async upsertProductFields(tx: Queryable, fields: ('stock_on_hand' | 'available_stock' | 'rate')[], rows: Row[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const cols = ['name', 'sku', ...fields];
    const sql = cached(`product-fields:${fields.join(',')}`, () => {
      const types = ['text[]', 'text[]', 'text[]', ...fields.map(() => 'numeric[]'), 'timestamptz[]', 'bigint[]'];
      const params = types.map((t, i) => `$${i + 1}::${t}`).join(', ');
      const names = ['zoho_item_id', ...cols];
      return `
        INSERT INTO erp.products AS t (${names.join(', ')}, zoho_modified_at, raw, synced_at)
        SELECT ${names.map((n) => `u.${n}`).join(', ')}, u.zoho_modified_at, e.payload, now()
        FROM unnest(${params}) AS u(${names.join(', ')}, zoho_modified_at, event_id)
        JOIN tds.events e ON e.id = u.event_id
        ON CONFLICT (zoho_item_id) DO UPDATE SET ${fields.map((f) => `${f} = EXCLUDED.${f}`).join(', ')},
          name = coalesce(t.name, EXCLUDED.name), sku = coalesce(t.sku, EXCLUDED.sku), raw = coalesce(t.raw, EXCLUDED.raw),
          zoho_modified_at = greatest(t.zoho_modified_at, EXCLUDED.zoho_modified_at), synced_at = now(), deleted_at = NULL
        WHERE ${NOT_STALE} AND ${LIVE_OR_NEWER}
        RETURNING t.zoho_item_id AS key`;
    });
    const names = ['zoho_item_id', ...cols, 'zoho_modified_at', 'event_id'];
    const res = await namedQuery<{ key: string }>(tx, sql, names.map((n) => rows.map((r) => r[n] ?? null)));
    return new Set(res.rows.map((r) => r.key));
  }
}
