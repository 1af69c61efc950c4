import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

/** What one pruning statement did over one window of events (ids after a cursor, in id order). */
export interface PruneBatchRow {
  /** The window's last id: the next window starts after it (null = no events left). */
  last_id: string | null;
  scanned: number;
  /** The window's earliest receive time: once it is past the cutoff, no later window holds prunable events. */
  first_received_at: Date | null;
  affected: number;
  attempts_deleted: number;
}

// Record types Zoho documents without a timestamp (see event.repository.ts, UNTIMED_RECORD_TYPES).
const UNTIMED_RECORD_TYPES = `('inventory_adjustment', 'pricebook')`;

// An event the ingest dedup may still compare a new delivery with: the newest event of its record among the events
// the untimed lookup considers (same predicate, record and organization as event.repository.ts's insert). Its row
// and payload stay, whatever its age: deleting it would make a redelivery of that same content a new event, and
// clearing its payload would make the lookup's content comparison fail. One per such record; the lookup runs on
// events_untimed_record_idx (record_type, entity_id, id).
const IS_NEWEST_UNTIMED = `(
    (e.zoho_modified_at IS NULL OR e.record_type IN ${UNTIMED_RECORD_TYPES})
    AND e.id = (
      SELECT n.id FROM tds.events n
      WHERE n.record_type = e.record_type AND n.entity_id = e.entity_id
        AND (n.zoho_modified_at IS NULL OR n.record_type IN ${UNTIMED_RECORD_TYPES})
        AND n.organization_id IS NOT DISTINCT FROM e.organization_id
      ORDER BY n.id DESC LIMIT 1))`;

// The window: the next $2 events after cursor $1 by primary key (a range scan; never the whole table). Only completed
// events are touched: pending, failed and dead-letter rows (and their attempts) are never pruned, so the worker, whose
// claim takes only pending/failed rows, never meets a pruned event. Each statement is its own short transaction.
const WINDOW = `SELECT id, received_at FROM tds.events WHERE id > $1 ORDER BY id LIMIT $2`;

const SUMMARY = (affected: string, attempts: string) => `
  SELECT (SELECT max(id) FROM w)::text AS last_id, (SELECT count(*) FROM w)::int AS scanned,
         (SELECT min(received_at) FROM w) AS first_received_at,
         (SELECT count(*) FROM ${affected})::int AS affected, ${attempts} AS attempts_deleted`;

// Completed events older than the event cutoff ($3) go with their attempts, in one statement (the attempts of exactly
// the rows deleted). The newest untimed event of a record stays (see IS_NEWEST_UNTIMED).
const DELETE_EVENTS = `/* retention: delete completed events */
  WITH w AS (${WINDOW}),
  del AS (
    DELETE FROM tds.events e USING w
    WHERE e.id = w.id AND e.status = 'completed' AND e.completed_at < $3 AND NOT ${IS_NEWEST_UNTIMED}
    RETURNING e.id
  ),
  del_attempts AS (
    DELETE FROM tds.event_attempts a USING del WHERE a.event_id = del.id RETURNING 1
  )
  ${SUMMARY('del', '(SELECT count(*) FROM del_attempts)::int')}`;

// Completed events older than the inbox cutoff ($3) lose their raw body and payload; dedup_key and every other column
// stay. The newest untimed event of a record keeps its payload (the dedup lookup compares it), not its body.
const CLEAR_BODIES = `/* retention: clear bodies of completed events */
  WITH w AS (${WINDOW}),
  upd AS (
    UPDATE tds.events e
    SET body = NULL, payload = CASE WHEN ${IS_NEWEST_UNTIMED} THEN e.payload END
    FROM w
    WHERE e.id = w.id AND e.status = 'completed' AND e.completed_at < $3
      AND (e.body IS NOT NULL OR (e.payload IS NOT NULL AND NOT ${IS_NEWEST_UNTIMED}))
    RETURNING e.id
  )
  ${SUMMARY('upd', '0')}`;

/** The retention job's statements over tds.events / tds.event_attempts (docs/decisions/0017). */
@Injectable()
export class RetentionRepository {
  constructor(private readonly db: DatabaseService) {}

  async deleteCompleted(afterId: string, limit: number, cutoff: Date): Promise<PruneBatchRow> {
    return (await this.db.query<PruneBatchRow>(DELETE_EVENTS, [afterId, limit, cutoff]))[0];
  }

  async clearBodies(afterId: string, limit: number, cutoff: Date): Promise<PruneBatchRow> {
    return (await this.db.query<PruneBatchRow>(CLEAR_BODIES, [afterId, limit, cutoff]))[0];
  }
}
