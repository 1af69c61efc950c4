import type { TestDatabase } from '../../support/test-database';
import { waitFor } from './harness';

/** SQL checks shared by the fault specs. */

export async function statusCounts(db: TestDatabase): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM tds.events GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Waits until nothing is pending or failed (retrying). */
export async function waitDrained(db: TestDatabase, timeoutMs: number, details?: () => string): Promise<void> {
  await waitFor(
    async () =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM tds.events WHERE status IN ('pending', 'failed')`))[0].n) === 0,
    { timeoutMs, intervalMs: 250, what: 'the queue to drain', details },
  );
}

/** Events with more than one finishing attempt (applied / skipped_stale): each must finish exactly once. */
export async function eventsFinishedTwice(db: TestDatabase): Promise<{ event_id: string; n: string; outcomes: string }[]> {
  return db.query(
    `SELECT event_id::text AS event_id, count(*) AS n, string_agg(outcome || '@' || worker_id, ', ') AS outcomes
     FROM tds.event_attempts WHERE outcome IN ('applied', 'skipped_stale')
     GROUP BY event_id HAVING count(*) > 1 LIMIT 20`,
  );
}

/** Completed events whose attempt log has no finishing attempt (or whose outcome disagrees with it). */
export async function completedWithoutAttempt(db: TestDatabase): Promise<{ id: string; outcome: string }[]> {
  return db.query(
    `SELECT e.id::text AS id, e.outcome FROM tds.events e
     WHERE e.status = 'completed' AND NOT EXISTS (
       SELECT 1 FROM tds.event_attempts a WHERE a.event_id = e.id AND a.outcome = e.outcome)
     LIMIT 20`,
  );
}

export interface ExpectedContact {
  name: string;
  /** UTC ISO instant of the newest version. */
  modifiedIso: string;
}

/** Compares erp.contacts with the newest version sent per record; returns human-readable mismatches. */
export async function contactMismatches(db: TestDatabase, expected: Map<string, ExpectedContact>): Promise<string[]> {
  const rows = await db.query<{ id: string; name: string | null; modified: Date | null; deleted: Date | null }>(
    `SELECT zoho_contact_id AS id, contact_name AS name, zoho_modified_at AS modified, deleted_at AS deleted
     FROM erp.contacts WHERE zoho_contact_id = ANY($1::text[])`,
    [[...expected.keys()]],
  );
  const got = new Map(rows.map((r) => [r.id, r]));
  const problems: string[] = [];
  for (const [id, want] of expected) {
    const row = got.get(id);
    if (!row) problems.push(`${id}: missing in erp.contacts`);
    else if (row.name !== want.name || row.modified?.toISOString() !== want.modifiedIso || row.deleted) {
      problems.push(
        `${id}: erp has ${JSON.stringify(row.name)} @ ${row.modified?.toISOString()}${row.deleted ? ' (deleted)' : ''}, newest sent is ${JSON.stringify(want.name)} @ ${want.modifiedIso}`,
      );
    }
  }
  return problems;
}
