// ad-hoc (not a deliverable): EXPLAIN ANALYZE of the worker's statements on a 20k backlog
import { acquireServer, createScratchDatabase, dropScratchDatabase, withClient } from './lib/pg.mjs';
import { startService } from './lib/service.mjs';
import { webhookLoad } from './lib/load.mjs';
const server = await acquireServer();
const db = await createScratchDatabase(server.url, 'explain');
try {
  const api = await startService({ databaseUrl: db.url, role: 'api' });
  await webhookLoad({ target: api.url, kind: 'contact', amount: 20000, connections: 32 });
  await api.stop();
  await withClient(db.url, async (c) => {
    await c.query('VACUUM ANALYZE tds.events');
    const claim = `EXPLAIN (ANALYZE, BUFFERS, TIMING) WITH candidates AS (
    SELECT e.id FROM tds.events e
    WHERE e.status IN ('pending', 'failed') AND e.next_attempt_at <= now()
      AND NOT EXISTS (
        SELECT 1 FROM tds.events p
        WHERE p.record_type = e.record_type AND p.entity_id = e.entity_id AND p.id < e.id
          AND p.status IN ('pending', 'processing', 'failed'))
    ORDER BY e.id
    LIMIT 100
    FOR UPDATE SKIP LOCKED
  )
  UPDATE tds.events e
  SET status = 'processing', attempts = e.attempts + 1, lease_token = gen_random_uuid(), lease_owner = 'x',
      lease_expires_at = now() + make_interval(secs => 60), updated_at = now()
  FROM candidates c
  WHERE e.id = c.id
  RETURNING e.id::text AS id, e.entity_type, e.record_type, e.entity_id, e.event_kind,
            to_char(e.zoho_modified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS zoho_modified_at,
            e.payload::text AS payload_text, e.attempts`;
    for (let i = 0; i < 3; i++) {
      await c.query('BEGIN');
      const r = await c.query(claim);
      console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
      await c.query(i < 2 ? 'COMMIT' : 'ROLLBACK');
      console.log('-----');
    }
    const sizes = await c.query(`SELECT pg_size_pretty(pg_total_relation_size('tds.events')) total, pg_size_pretty(pg_relation_size('tds.events')) heap,
      (SELECT pg_size_pretty(sum(pg_relation_size(indexrelid))) FROM pg_index WHERE indrelid='tds.events'::regclass) idx,
      avg(pg_column_size(body)) body, avg(pg_column_size(payload)) payload FROM tds.events`);
    console.log(sizes.rows);
  });
} finally {
  await dropScratchDatabase(server.url, db.name);
}
process.exit(0);
