import type { Queryable } from '../../../database/queryable';
import { DocumentRecordHandler, ItemFieldsRecordHandler, RecordTypeDispatch } from '../document-sync-handler';
import { AppliedAdjustmentLine, ErpRepository, stockLevelKey, type StockTarget } from '../erp.repository';
import type { MappedDocument } from '../sync-handler';
import { SyncEntityType } from '../sync.types';
import { addDecimal, decimal, id, isZero, subtractDecimal, text, type ZohoRecord } from '../zoho-values';
import { locationNameOf, locationOf } from './document-lines';
import { STOCK_TOTAL_KEYS, stockTotal } from './stock-snapshot';

/** What each adjustment applied before this batch, per adjustment id (beforeApply → afterApply). */
type AppliedBefore = Map<string, AppliedAdjustmentLine[]>;

/** One stock movement an adjustment event asks for, with the version it comes from (null: no Zoho timestamp). */
interface Movement {
  eventId: string;
  itemId: string;
  warehouseId: string;
  warehouseName: string | null;
  delta: string;
  at: string | null;
}

/** A delta older than the target's snapshot is already counted in it. An untimed delta applies on arrival. */
const olderThanSnapshot = (at: string | null, target: StockTarget | undefined) =>
  at !== null && target?.zoho_modified_at != null && Date.parse(at) < Date.parse(target.zoho_modified_at);

/**
 * Moves stock for the applied adjustment versions and deletes, exactly once: each stored line remembers what it
 * applied (applied_quantity); a new version applies (new − applied) per item and location, a delete reverses what was
 * applied. A delta older than the current snapshot of its item and location (an item record already counting it)
 * moves nothing there, and an unknown level stays unknown; both are said in the event's outcome detail. The lines
 * still record the delta as applied: the snapshot holds it, so a later edit or delete moves only the difference.
 */
async function moveStock(
  tx: Queryable,
  applied: MappedDocument[],
  deleted: MappedDocument[],
  before: AppliedBefore,
): Promise<Map<string, string>> {
  const movements: Movement[] = [];
  const collect = (d: MappedDocument) => {
    // A version that does not send its lines leaves them, and what they applied, as they are.
    if (d.event.eventKind !== 'deleted' && d.lines === null) return;
    const perTarget = new Map<string, Movement>();
    const add = (itemId: string, warehouseId: string, warehouseName: string | null, qty: string, sign: 1 | -1) => {
      const k = stockLevelKey(itemId, warehouseId);
      const m = perTarget.get(k) ?? { eventId: d.event.id, itemId, warehouseId, warehouseName, delta: '0', at: d.event.zohoModifiedAt };
      m.delta = sign === 1 ? addDecimal(m.delta, qty) : subtractDecimal(m.delta, qty);
      m.warehouseName ??= warehouseName;
      perTarget.set(k, m);
    };
    for (const l of before.get(d.event.entityId) ?? []) add(l.itemId, l.warehouseId, null, l.qty, -1);
    if (d.event.eventKind !== 'deleted') {
      for (const l of d.lines ?? []) {
        if (l.zoho_item_id)
          add(l.zoho_item_id as string, l.warehouse_id as string, l.warehouse_name as string | null, l.applied_quantity as string, 1);
      }
    }
    movements.push(...[...perTarget.values()].filter((m) => !isZero(m.delta)));
  };
  applied.forEach(collect);
  deleted.forEach(collect);
  await ErpRepository.clearAppliedQuantities(
    tx,
    deleted.map((d) => d.event.entityId),
  );
  if (!movements.length) return new Map();

  const targets = await ErpRepository.lockStockTargets(
    tx,
    movements.map((m) => ({ itemId: m.itemId, warehouseId: m.warehouseId })),
    [...new Set(movements.map((m) => m.itemId))],
  );
  const notes = new Map<string, string[]>();
  const note = (m: Movement, text: string) => notes.set(m.eventId, [...(notes.get(m.eventId) ?? []), text]);
  const levelDeltas = new Map<string, { itemId: string; warehouseId: string; warehouseName: string | null; delta: string }>();
  const productDeltas = new Map<string, string>();
  for (const m of movements) {
    const where = `item ${m.itemId} at location ${m.warehouseId || '(none)'}`;
    const level = targets.levels.get(stockLevelKey(m.itemId, m.warehouseId));
    if (olderThanSnapshot(m.at, level)) {
      note(m, `${where}: delta ${m.delta} not applied, the stock snapshot of ${level?.zoho_modified_at} already counts it`);
    } else {
      if (!level?.known) note(m, `${where}: level unknown until a stock snapshot arrives (delta ${m.delta} not added)`);
      const k = stockLevelKey(m.itemId, m.warehouseId);
      const cur = levelDeltas.get(k) ?? { itemId: m.itemId, warehouseId: m.warehouseId, warehouseName: m.warehouseName, delta: '0' };
      cur.delta = addDecimal(cur.delta, m.delta);
      levelDeltas.set(k, cur);
    }
    const product = targets.products.get(m.itemId);
    if (olderThanSnapshot(m.at, product)) {
      note(m, `item ${m.itemId}: total not moved by ${m.delta}, the item record of ${product?.zoho_modified_at} already counts it`);
    } else {
      productDeltas.set(m.itemId, addDecimal(productDeltas.get(m.itemId) ?? '0', m.delta));
    }
  }
  await ErpRepository.addStockDeltas(
    tx,
    [...levelDeltas.values()].filter((d) => !isZero(d.delta)),
  );
  await ErpRepository.addProductStockDeltas(
    tx,
    [...productDeltas].filter(([, delta]) => !isZero(delta)).map(([itemId, delta]) => ({ itemId, delta })),
  );
  return new Map([...notes].map(([eventId, texts]) => [eventId, texts.join('; ')]));
}

/**
 * Inventory adjustments change stock exactly once (see moveStock). Value adjustments change no quantities. The queue
 * never runs two events of one adjustment at once. Zoho documents no timestamp for adjustments: one that carries
 * last_modified_time is ordered by it; a delete without one is final (Zoho cannot edit a deleted adjustment).
 */
const adjustmentType = (r: ZohoRecord) => text(r, 'adjustment_type')?.toLowerCase() ?? 'quantity';

const adjustments = new DocumentRecordHandler<AppliedBefore>({
  type: SyncEntityType.Stock,
  recordType: 'inventory_adjustment',
  table: 'erp.stock_adjustments',
  key: 'zoho_adjustment_id',
  timestamped: false,
  fields: [
    { column: 'reference_number', type: 'text', from: 'reference_number' },
    { column: 'date', type: 'date', from: 'date' },
    { column: 'reason', type: 'text', from: 'reason' },
    { column: 'reason_id', type: 'id', from: 'reason_id' },
    { column: 'description', type: 'text', from: 'description' },
    { column: 'adjustment_type', type: 'text', from: adjustmentType, keys: ['adjustment_type'] },
    { column: 'total', type: 'numeric', from: 'total' },
  ],
  lines: {
    table: 'erp.stock_adjustment_lines',
    parentKey: 'zoho_adjustment_id',
    source: 'line_items',
    key: { column: 'zoho_line_item_id', from: 'line_item_id', whenMissing: 'position' },
    position: 'source',
    fields: [
      { column: 'zoho_item_id', type: 'id', from: 'item_id' },
      { column: 'name', type: 'text', from: ['name', 'item_name'] },
      // The line's own location, else the adjustment's; the name comes with the id it belongs to.
      { column: 'warehouse_id', type: 'text', from: (line, doc) => locationOf(line) ?? locationOf(doc) ?? '' },
      {
        column: 'warehouse_name',
        type: 'text',
        from: (line, doc) => (locationOf(line) ? locationNameOf(line) : (locationNameOf(line) ?? locationNameOf(doc))),
      },
      { column: 'quantity_adjusted', type: 'numeric', from: 'quantity_adjusted' },
      { column: 'value_adjusted', type: 'numeric', from: 'value_adjusted' },
      // What this line moves in erp.stock_levels: only quantity adjustments of an item move stock.
      {
        column: 'applied_quantity',
        type: 'numeric',
        from: (line, doc) => {
          const quantity = decimal(line, 'quantity_adjusted');
          return adjustmentType(doc) === 'quantity' && id(line, 'item_id') ? (quantity ?? '0') : '0';
        },
      },
      { column: 'adjustment_account_id', type: 'id', from: 'adjustment_account_id' },
    ],
  },
  beforeApply: async (tx, docs) => {
    const rows = await ErpRepository.appliedAdjustmentLines(
      tx,
      docs.map((d) => d.event.entityId),
    );
    const byDoc: AppliedBefore = new Map();
    for (const r of rows) byDoc.set(r.adjustmentId, [...(byDoc.get(r.adjustmentId) ?? []), r]);
    return byDoc;
  },
  afterApply: (tx, applied, deleted, before) => moveStock(tx, applied, deleted, before),
});

/** An item record on the stock route: a stock snapshot (absolute levels, erp.products totals and erp.stock_levels). */
const itemStock = new ItemFieldsRecordHandler({
  type: SyncEntityType.Stock,
  fields: [
    { column: 'stock_on_hand', type: 'numeric', from: stockTotal, keys: STOCK_TOTAL_KEYS },
    { column: 'available_stock', type: 'numeric', from: 'available_stock' },
  ],
  stockLevels: true,
});

/** /webhooks/stock: inventory adjustments (deltas) or item stock snapshots (absolute levels). */
export const stockSyncHandler = new RecordTypeDispatch(SyncEntityType.Stock, [adjustments, itemStock]);
