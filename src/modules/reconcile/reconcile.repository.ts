import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { SyncEntityType } from '../sync/sync.types';

/** Where an entity type's records live in the ERP (the key column holds the Zoho id; zoho_modified_at the version). */
const ERP_ROWS: { [K in SyncEntityType]: { table: string; key: string } } = {
  [SyncEntityType.Contact]: { table: 'erp.contacts', key: 'zoho_contact_id' },
  [SyncEntityType.Product]: { table: 'erp.products', key: 'zoho_item_id' },
  [SyncEntityType.SalesOrder]: { table: 'erp.sales_orders', key: 'zoho_salesorder_id' },
  [SyncEntityType.Invoice]: { table: 'erp.invoices', key: 'zoho_invoice_id' },
  [SyncEntityType.Bill]: { table: 'erp.bills', key: 'zoho_bill_id' },
  [SyncEntityType.CreditNote]: { table: 'erp.credit_notes', key: 'zoho_creditnote_id' },
  [SyncEntityType.Stock]: { table: 'erp.stock_adjustments', key: 'zoho_adjustment_id' },
  [SyncEntityType.Price]: { table: 'erp.price_lists', key: 'zoho_pricebook_id' },
};

/** One statement per entity type, built once from the constant map above (no value is ever interpolated). */
const ERP_VERSIONS = Object.fromEntries(
  Object.entries(ERP_ROWS).map(([type, { table, key }]) => [
    type,
    `SELECT ${key} AS zoho_id, floor(extract(epoch FROM zoho_modified_at) * 1000)::float8 AS modified_ms
     FROM ${table} WHERE ${key} = ANY($1::text[])`,
  ]),
) as Record<SyncEntityType, string>;

/** An ERP row's version: epoch ms of zoho_modified_at (null: none; Infinity: a final delete). */
export interface ErpVersionRow {
  zoho_id: string;
  modified_ms: number | null;
}

/** Where an unfinished pass stopped, so that the next one continues from there. */
export interface ReconcileCursor {
  /** The pass's window start (epoch ms), or null for a full listing. */
  since: number | null;
  page: number;
  /** Newest last_modified_time seen so far (epoch ms). */
  maxSeen: number | null;
  backfill: boolean;
}

export interface ReconcileStateRow {
  entity_type: string;
  watermark: Date | null;
  cursor: ReconcileCursor | null;
  first_complete_at: Date | null;
}

export interface ReconcilePassRow {
  id: string;
  entity_type: string;
  trigger: 'schedule' | 'manual';
  admin_key_name: string | null;
  dry_run: boolean;
  backfill: boolean;
  after_first_complete: boolean;
  resumed: boolean;
  window_since: Date | null;
  window_until: Date | null;
  status: 'running' | 'completed' | 'incomplete' | 'failed';
  stop_reason: string | null;
  pages: number;
  requests: number;
  listed: number;
  missing: number;
  enqueued: number;
  duplicates: number;
  sample_ids: string[];
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  error: string | null;
}

export interface NewPass {
  entityType: string;
  trigger: 'schedule' | 'manual';
  adminKeyName: string | null;
  dryRun: boolean;
  backfill: boolean;
  afterFirstComplete: boolean;
  resumed: boolean;
  windowSince: Date | null;
}

export interface PassOutcome {
  status: 'completed' | 'incomplete' | 'failed';
  stopReason: string | null;
  windowUntil: Date | null;
  pages: number;
  requests: number;
  listed: number;
  missing: number;
  enqueued: number;
  duplicates: number;
  sampleIds: string[];
  error: string | null;
}

const PASS_COLUMNS = `id::text AS id, entity_type, trigger, admin_key_name, dry_run, backfill, after_first_complete, resumed,
  window_since, window_until, status, stop_reason, pages, requests, listed, missing, enqueued, duplicates, sample_ids,
  started_at, finished_at, duration_ms, error`;

const STATE = `SELECT entity_type, watermark, cursor, first_complete_at FROM tds.reconcile_state WHERE entity_type = $1`;
const ALL_STATES = `SELECT entity_type, watermark, cursor, first_complete_at FROM tds.reconcile_state ORDER BY entity_type`;

const SAVE_CURSOR = `
  INSERT INTO tds.reconcile_state (entity_type, cursor) VALUES ($1, $2::jsonb)
  ON CONFLICT (entity_type) DO UPDATE SET cursor = excluded.cursor, updated_at = now()`;

// A complete pass: the watermark only moves forward; the cursor is cleared; the first complete pass is remembered
// (the missed-records alert counts only the passes after it).
const COMPLETE = `
  INSERT INTO tds.reconcile_state (entity_type, watermark, cursor, first_complete_at) VALUES ($1, $2, NULL, now())
  ON CONFLICT (entity_type) DO UPDATE
  SET watermark = CASE WHEN tds.reconcile_state.watermark IS NULL OR excluded.watermark > tds.reconcile_state.watermark
                       THEN coalesce(excluded.watermark, tds.reconcile_state.watermark) ELSE tds.reconcile_state.watermark END,
      cursor = NULL, first_complete_at = coalesce(tds.reconcile_state.first_complete_at, now()), updated_at = now()`;

const START_PASS = `
  INSERT INTO tds.reconcile_passes (entity_type, trigger, admin_key_name, dry_run, backfill, after_first_complete, resumed,
                                    window_since, status)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running')
  RETURNING id::text AS id`;

const FINISH_PASS = `
  UPDATE tds.reconcile_passes
  SET status = $2, stop_reason = $3, window_until = $4, pages = $5, requests = $6, listed = $7, missing = $8,
      enqueued = $9, duplicates = $10, sample_ids = $11::text[], error = $12, finished_at = clock_timestamp(),
      duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::int
  WHERE id = $1`;

// The last pass per entity type (dry runs excluded: they change nothing), for the dashboard, metrics and alerts.
const LAST_PASSES = `
  SELECT DISTINCT ON (entity_type) ${PASS_COLUMNS}
  FROM tds.reconcile_passes WHERE NOT dry_run
  ORDER BY entity_type, id DESC`;

const RECENT_PASSES = `SELECT ${PASS_COLUMNS} FROM tds.reconcile_passes ORDER BY id DESC LIMIT $1`;

// A pass whose process died stays 'running': marked failed once no run can still hold it (the job lock is gone).
const ABANDON_RUNNING = `
  UPDATE tds.reconcile_passes SET status = 'failed', error = 'the process running this pass stopped', finished_at = now()
  WHERE status = 'running'`;

const SEEN = `SELECT zoho_id, content_hash FROM tds.reconcile_seen WHERE entity_type = $1 AND zoho_id = ANY($2::text[])`;

const MARK_SEEN = `
  INSERT INTO tds.reconcile_seen (entity_type, zoho_id, content_hash)
  SELECT $1, id, hash FROM unnest($2::text[], $3::text[]) AS s(id, hash)
  ON CONFLICT (entity_type, zoho_id) DO UPDATE SET content_hash = excluded.content_hash, seen_at = now()`;

@Injectable()
export class ReconcileRepository {
  constructor(private readonly db: DatabaseService) {}

  erpVersions(type: SyncEntityType, ids: string[]): Promise<ErpVersionRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db.query<ErpVersionRow>(ERP_VERSIONS[type], [ids]);
  }

  async state(type: string): Promise<ReconcileStateRow | undefined> {
    return (await this.db.query<ReconcileStateRow>(STATE, [type]))[0];
  }

  states(): Promise<ReconcileStateRow[]> {
    return this.db.query<ReconcileStateRow>(ALL_STATES);
  }

  async saveCursor(type: string, cursor: ReconcileCursor): Promise<void> {
    await this.db.execute(SAVE_CURSOR, [type, JSON.stringify(cursor)]);
  }

  async complete(type: string, watermark: Date | null): Promise<void> {
    await this.db.execute(COMPLETE, [type, watermark]);
  }

  async startPass(p: NewPass): Promise<string> {
    const rows = await this.db.query<{ id: string }>(START_PASS, [
      p.entityType,
      p.trigger,
      p.adminKeyName,
      p.dryRun,
      p.backfill,
      p.afterFirstComplete,
      p.resumed,
      p.windowSince,
    ]);
    return rows[0].id;
  }

  async finishPass(id: string, o: PassOutcome): Promise<void> {
    await this.db.execute(FINISH_PASS, [
      id,
      o.status,
      o.stopReason,
      o.windowUntil,
      o.pages,
      o.requests,
      o.listed,
      o.missing,
      o.enqueued,
      o.duplicates,
      o.sampleIds,
      o.error?.slice(0, 2000) ?? null,
    ]);
  }

  lastPasses(): Promise<ReconcilePassRow[]> {
    return this.db.query<ReconcilePassRow>(LAST_PASSES);
  }

  recentPasses(limit: number): Promise<ReconcilePassRow[]> {
    return this.db.query<ReconcilePassRow>(RECENT_PASSES, [limit]);
  }

  async abandonRunning(): Promise<number> {
    return this.db.execute(ABANDON_RUNNING);
  }

  async seen(type: string, ids: string[]): Promise<Map<string, string | null>> {
    if (!ids.length) return new Map();
    const rows = await this.db.query<{ zoho_id: string; content_hash: string | null }>(SEEN, [type, ids]);
    return new Map(rows.map((r) => [r.zoho_id, r.content_hash]));
  }

  async markSeen(type: string, items: { id: string; hash: string | null }[]): Promise<void> {
    if (!items.length) return;
    await this.db.execute(MARK_SEEN, [type, items.map((i) => i.id), items.map((i) => i.hash)]);
  }
}
