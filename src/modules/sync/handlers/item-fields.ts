import type { Queryable } from '../../../database/queryable';
import { ErpRepository } from '../erp.repository';
import type { Row } from '../sync-handler';
import type { SyncEvent, SyncOutcome } from '../sync.types';
import { decimal, FieldError, text } from '../zoho-values';
import { stockSnapshot } from './stock-snapshot';

/**
 * An `item` record arriving on the stock or prices route updates only part of erp.products (stock figures or
 * its own rate), with the same stale rule; an unknown item gets a minimal row. Deletes are not meaningful here
 * (an item is deleted through /webhooks/products) and complete as applied without effect.
 */
export async function applyItemFields(tx: Queryable, events: SyncEvent[], kind: 'stock' | 'rate'): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = [];
  const rows: Row[] = [];
  const snapshots: Row[][] = [];
  const live: SyncEvent[] = [];
  for (const e of events) {
    if (e.eventKind === 'deleted') {
      outcomes.push({ eventId: e.id, status: 'applied', detail: 'item delete ignored on this route' });
      continue;
    }
    try {
      const base = {
        zoho_item_id: e.entityId,
        name: text(e.record, 'name'),
        sku: text(e.record, 'sku'),
        zoho_modified_at: e.zohoModifiedAt,
        event_id: e.id,
      };
      if (kind === 'stock') {
        const snap = stockSnapshot(e.record, e.entityId, e.zohoModifiedAt);
        rows.push({ ...base, stock_on_hand: snap.total, available_stock: decimal(e.record, 'available_stock') });
        snapshots.push(snap.rows);
      } else {
        rows.push({ ...base, rate: decimal(e.record, 'rate') });
        snapshots.push([]);
      }
      live.push(e);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      outcomes.push({ eventId: e.id, status: 'invalid', error: `item.${err.message}` });
    }
  }
  const written = await ErpRepository.upsertProductFields(tx, kind === 'stock' ? ['stock_on_hand', 'available_stock'] : ['rate'], rows);
  const levels = live.flatMap((e, i) => (written.has(e.entityId) ? snapshots[i] : []));
  await ErpRepository.setStockLevels(tx, levels);
  for (const e of live) outcomes.push({ eventId: e.id, status: written.has(e.entityId) ? 'applied' : 'skipped_stale' });
  return outcomes;
}
