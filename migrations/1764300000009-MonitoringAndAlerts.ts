import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #11: the monitoring job's snapshots and the alerts its rules raise (docs/decisions/0015).
 *
 * - tds.metrics_snapshots: one row per monitoring run; the whole snapshot as jsonb plus the few figures read often
 *   (the health probe's cache, charts) as columns. Pruned after TDS_METRICS_RETENTION_DAYS.
 * - tds.alerts: open → acknowledged → resolved. A partial unique index keeps at most one unresolved alert per rule,
 *   whatever runs concurrently: a second INSERT for the same rule conflicts instead of opening a duplicate.
 * - One index on the queue's history, a BRIN on tds.event_attempts(finished_at): the window metrics (throughput,
 *   failure rate, latency, freshness) read the attempts of the last minutes. Attempts are appended in finish order, so
 *   the physical order follows finished_at and a BRIN (a few bytes per 32 pages; a new row touches it only when its
 *   page range is summarised by VACUUM) narrows the scan to the table's tail. The btree this replaces
 *   (event_attempts_finished_idx, dropped by 1764300000003) cost an index insert per attempt on the hot path.
 *   Nothing is added to tds.events: every other figure is read through its existing partial indexes.
 */
export class MonitoringAndAlerts1764300000009 implements MigrationInterface {
  name = 'MonitoringAndAlerts1764300000009';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tds.metrics_snapshots (
        id                    bigserial PRIMARY KEY,
        taken_at              timestamptz NOT NULL DEFAULT now(),
        duration_ms           integer NOT NULL,
        pending               integer NOT NULL,
        dead_letter           integer NOT NULL,
        oldest_pending_age_s  double precision,
        failure_rate          double precision,
        live_workers          integer NOT NULL,
        -- open alerts after this run's rules, by severity: {"critical": 1, "warning": 0, "info": 0}
        open_alerts           jsonb NOT NULL DEFAULT '{}',
        data                  jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX metrics_snapshots_taken_at_idx ON tds.metrics_snapshots (taken_at DESC)`);

    await q.query(`
      CREATE TABLE tds.alerts (
        id                bigserial PRIMARY KEY,
        rule              text NOT NULL,
        title             text NOT NULL,
        severity          text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
        value             double precision,
        threshold         double precision,
        unit              text,
        summary           text NOT NULL,
        occurrences       integer NOT NULL DEFAULT 1,
        opened_at         timestamptz NOT NULL DEFAULT now(),
        last_seen_at      timestamptz NOT NULL DEFAULT now(),
        last_notified_at  timestamptz NOT NULL DEFAULT now(),
        acknowledged_at   timestamptz,
        acknowledged_by   text,
        acknowledge_note  text,
        resolved_at       timestamptz,
        CONSTRAINT alerts_resolved_has_time CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX alerts_one_unresolved_per_rule_uq ON tds.alerts (rule) WHERE status <> 'resolved'`);
    await q.query(`CREATE INDEX alerts_status_idx ON tds.alerts (status, id DESC)`);

    await q.query(`CREATE INDEX event_attempts_finished_brin ON tds.event_attempts USING brin (finished_at) WITH (pages_per_range = 32)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tds.event_attempts_finished_brin`);
    await q.query(`DROP TABLE tds.alerts`);
    await q.query(`DROP TABLE tds.metrics_snapshots`);
  }
}
