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
          zoho_modified_at = EXCLUDED.zoho_modified_at, raw = EXCLUDED.raw, synced_at = now(),
          -- a deleted record comes back only with a strictly newer version
          deleted_at = CASE WHEN t.deleted_at IS NOT NULL AND (EXCLUDED.zoho_modified_at IS NULL OR t.zoho_modified_at IS NULL
                                  OR EXCLUDED.zoho_modified_at <= t.zoho_modified_at) THEN t.deleted_at END
        WHERE ${NOT_STALE}
        RETURNING t.${key} AS key`;
    });
    const params = [rows.map((r) => r[key]), ...columns.map((c) => rows.map((r) => r[c.name] ?? null))];
    params.push(rows.map((r) => r.zoho_modified_at ?? null), rows.map((r) => r.event_id));
    const res = await namedQuery<{ key: string }>(tx, sql, params);
    return new Set(res.rows.map((r) => r.key));
  }

  /** Soft delete (a tombstone when the record is unknown); returns the keys marked. */
  static async softDelete(tx: Queryable, table: string, key: string, rows: Row[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const sql = cached(`delete:${table}`, () => `
      INSERT INTO ${table} AS t (${key}, zoho_modified_at, raw, synced_at, deleted_at)
      SELECT u.k, u.m, e.payload, now(), now() FROM unnest($1::text[], $2::timestamptz[], $3::bigint[]) AS u(k, m, event_id)
      JOIN tds.events e ON e.id = u.event_id
      ON CONFLICT (${key}) DO UPDATE SET deleted_at = coalesce(t.deleted_at, now()), synced_at = now(),
        zoho_modified_at = greatest(t.zoho_modified_at, EXCLUDED.zoho_modified_at)
      WHERE ${NOT_STALE}
      RETURNING t.${key} AS key`);
    const res = await namedQuery<{ key: string }>(tx, sql, [
      rows.map((r) => r[key]),
      rows.map((r) => r.zoho_modified_at ?? null),
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

  /** Adds quantity deltas to stock levels (adjustments); creates missing rows. */
  static async addStockDeltas(tx: Queryable, deltas: { itemId: string; warehouseId: string; delta: string }[]): Promise<void> {
    if (!deltas.length) return;
    await namedQuery(
      tx,
      `INSERT INTO erp.stock_levels AS t (zoho_item_id, warehouse_id, stock_on_hand, available_stock, synced_at)
       SELECT u.i, u.w, u.d, u.d, now() FROM unnest($1::text[], $2::text[], $3::numeric[]) AS u(i, w, d)
       ON CONFLICT (zoho_item_id, warehouse_id) DO UPDATE SET
         stock_on_hand = t.stock_on_hand + EXCLUDED.stock_on_hand,
         available_stock = coalesce(t.available_stock, 0) + EXCLUDED.stock_on_hand, synced_at = now()`,
      [deltas.map((d) => d.itemId), deltas.map((d) => d.warehouseId), deltas.map((d) => d.delta)],
    );
  }

  /** Adds per-item deltas to products.stock_on_hand (a minimal product row is created when unknown). */
  static async addProductStockDeltas(tx: Queryable, deltas: { itemId: string; delta: string }[]): Promise<void> {
    if (!deltas.length) return;
    await namedQuery(
      tx,
      `INSERT INTO erp.products AS t (zoho_item_id, stock_on_hand, synced_at)
       SELECT u.i, u.d, now() FROM unnest($1::text[], $2::numeric[]) AS u(i, d)
       ON CONFLICT (zoho_item_id) DO UPDATE SET stock_on_hand = coalesce(t.stock_on_hand, 0) + EXCLUDED.stock_on_hand, synced_at = now()`,
      [deltas.map((d) => d.itemId), deltas.map((d) => d.delta)],
    );
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
          zoho_modified_at = greatest(t.zoho_modified_at, EXCLUDED.zoho_modified_at), synced_at = now()
        WHERE ${NOT_STALE}
        RETURNING t.zoho_item_id AS key`;
    });
    const names = ['zoho_item_id', ...cols, 'zoho_modified_at', 'event_id'];
    const res = await namedQuery<{ key: string }>(tx, sql, names.map((n) => rows.map((r) => r[n] ?? null)));
    return new Set(res.rows.map((r) => r.key));
  }
}
