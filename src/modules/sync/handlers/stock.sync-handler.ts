import type { Queryable } from '../../../database/queryable';
import { DocumentSyncHandler } from '../document-sync-handler';
import { ErpRepository } from '../erp.repository';
import type { MappedDocument, SyncHandler } from '../sync-handler';
import { SyncEntityType, SyncEvent, SyncOutcome } from '../sync.types';
import { addDecimal, date, decimal, id, isZero, subtractDecimal, text } from '../zoho-values';
import { locationOf } from './document-lines';
import { applyItemFields } from './item-fields';

type AppliedLine = { itemId: string; warehouseId: string; qty: string };

const READ_APPLIED = `
  SELECT zoho_adjustment_id AS "adjustmentId", zoho_item_id AS "itemId", warehouse_id AS "warehouseId",
         applied_quantity::text AS qty
  FROM erp.stock_adjustment_lines WHERE zoho_adjustment_id = ANY($1::text[]) AND zoho_item_id IS NOT NULL`;

/**
 * Inventory adjustments change stock exactly once: each stored line remembers what it applied
 * (applied_quantity). A new version applies (new − applied) per item and warehouse; a delete reverses what was
 * applied. Value adjustments change no quantities. The queue never runs two events of one adjustment at once.
 */
const adjustments = new DocumentSyncHandler([
  {
    type: SyncEntityType.Stock,
    recordType: 'inventory_adjustment',
    table: 'erp.stock_adjustments',
    key: 'zoho_adjustment_id',
    columns: [
      { name: 'reference_number', type: 'text' },
      { name: 'date', type: 'date' },
      { name: 'reason', type: 'text' },
      { name: 'reason_id', type: 'text' },
      { name: 'description', type: 'text' },
      { name: 'adjustment_type', type: 'text' },
      { name: 'total', type: 'numeric' },
    ],
    map: (r) => ({
      reference_number: text(r, 'reference_number'),
      date: date(r, 'date'),
      reason: text(r, 'reason'),
      reason_id: id(r, 'reason_id'),
      description: text(r, 'description'),
      adjustment_type: text(r, 'adjustment_type')?.toLowerCase() ?? 'quantity',
      total: decimal(r, 'total'),
    }),
    lines: {
      table: 'erp.stock_adjustment_lines',
      parentKey: 'zoho_adjustment_id',
      source: 'line_items',
      columns: [
        { name: 'zoho_item_id', type: 'text' },
        { name: 'name', type: 'text' },
        { name: 'warehouse_id', type: 'text' },
        { name: 'quantity_adjusted', type: 'numeric' },
        { name: 'value_adjusted', type: 'numeric' },
        { name: 'applied_quantity', type: 'numeric' },
        { name: 'adjustment_account_id', type: 'text' },
      ],
      map: (line, _i, doc) => {
        const quantity = decimal(line, 'quantity_adjusted');
        const isQuantity = (text(doc, 'adjustment_type')?.toLowerCase() ?? 'quantity') === 'quantity';
        return {
          zoho_line_item_id: id(line, 'line_item_id'),
          zoho_item_id: id(line, 'item_id'),
          name: text(line, 'name') ?? text(line, 'item_name'),
          warehouse_id: locationOf(line) ?? locationOf(doc) ?? '',
          quantity_adjusted: quantity,
          value_adjusted: decimal(line, 'value_adjusted'),
          applied_quantity: isQuantity && id(line, 'item_id') ? (quantity ?? '0') : '0',
          adjustment_account_id: id(line, 'adjustment_account_id'),
        };
      },
    },
    beforeApply: async (tx, docs) => {
      const res = await tx.query<AppliedLine & { adjustmentId: string }>(READ_APPLIED, [docs.map((d) => d.event.entityId)]);
      const byDoc = new Map<string, AppliedLine[]>();
      for (const r of res.rows) byDoc.set(r.adjustmentId, [...(byDoc.get(r.adjustmentId) ?? []), r]);
      return byDoc;
    },
    afterApply: async (tx, applied, deleted, before) => {
      const old = before as Map<string, AppliedLine[]>;
      const deltas = new Map<string, { itemId: string; warehouseId: string; delta: string }>();
      const add = (itemId: string, warehouseId: string, qty: string, sign: 1 | -1) => {
        const k = `${itemId}\u0000${warehouseId}`;
        const cur = deltas.get(k) ?? { itemId, warehouseId, delta: '0' };
        cur.delta = sign === 1 ? addDecimal(cur.delta, qty) : subtractDecimal(cur.delta, qty);
        deltas.set(k, cur);
      };
      const reverseOld = (d: MappedDocument) => {
        for (const l of old.get(d.event.entityId) ?? []) add(l.itemId, l.warehouseId, l.qty, -1);
      };
      for (const d of applied) {
        reverseOld(d);
        for (const l of d.lines) if (l.zoho_item_id) add(l.zoho_item_id as string, l.warehouse_id as string, l.applied_quantity as string, 1);
      }
      for (const d of deleted) reverseOld(d);
      if (deleted.length) {
        await tx.query(`UPDATE erp.stock_adjustment_lines SET applied_quantity = 0 WHERE zoho_adjustment_id = ANY($1::text[])`, [
          deleted.map((d) => d.event.entityId),
        ]);
      }
      const changed = [...deltas.values()].filter((d) => !isZero(d.delta));
      await ErpRepository.addStockDeltas(tx, changed);
      const perItem = new Map<string, string>();
      for (const d of changed) perItem.set(d.itemId, addDecimal(perItem.get(d.itemId) ?? '0', d.delta));
      await ErpRepository.addProductStockDeltas(
        tx,
        [...perItem].filter(([, delta]) => !isZero(delta)).map(([itemId, delta]) => ({ itemId, delta })),
      );
    },
  },
]);

/** /webhooks/stock: inventory adjustments (deltas) or item stock snapshots (absolute levels). */
export const stockSyncHandler: SyncHandler = {
  type: SyncEntityType.Stock,
  async apply(tx: Queryable, events: SyncEvent[]): Promise<SyncOutcome[]> {
    const items = events.filter((e) => e.recordType === 'item');
    const rest = events.filter((e) => e.recordType !== 'item');
    return [...(rest.length ? await adjustments.apply(tx, rest) : []), ...(items.length ? await applyItemFields(tx, items, 'stock') : [])];
  },
};
