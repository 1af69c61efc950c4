import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertsService } from '../../src/modules/alerts/alerts.service';
import { MonitoringService } from '../../src/modules/monitoring/monitoring.service';
import type { MonitoringSnapshot } from '../../src/modules/monitoring/monitoring-snapshot';
import type { AlertNotice } from '../../src/modules/notifications/alert-notice';
import { NotificationsService } from '../../src/modules/notifications/notifications.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Alert rules on queue rows the test creates (inserted directly into tds.events / tds.event_attempts / tds.workers),
 * run through the real monitoring service and alert lifecycle on real PostgreSQL; notices recorded from the real
 * NotificationsService instance the alerts module holds.
 */
describe('alert rules and lifecycle (integration, real PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let monitoring: MonitoringService;
  let notices: AlertNotice[];
  let seq = 0;

  const addEvents = async (n: number, opts: { status?: string; entity?: string; ageMinutes?: number } = {}) => {
    const { status = 'pending', entity = 'contact', ageMinutes = 0 } = opts;
    const start = seq;
    seq += n;
    await db.query(
      `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, content_type, body, payload, status,
                               received_at, completed_at, outcome)
       SELECT 'k' || g, $2, $2, 'e' || g, 'created', 'application/json', '\\x7b7d', '{}', $3,
              now() - make_interval(mins => $4), CASE WHEN $3 = 'completed' THEN now() END,
              CASE WHEN $3 = 'completed' THEN 'applied' END
       FROM generate_series($1::int + 1, $1::int + $5::int) g`,
      [start, entity, status, ageMinutes, n],
    );
  };
  /** Completes `n` unfinished events (oldest first). */
  const complete = (n: number) =>
    db.query(
      `UPDATE tds.events SET status = 'completed', outcome = 'applied', completed_at = now()
       WHERE id IN (SELECT id FROM tds.events WHERE status IN ('pending', 'failed') ORDER BY id LIMIT $1)`,
      [n],
    );
  const addAttempts = (n: number, outcome: string) =>
    db.query(
      `INSERT INTO tds.event_attempts (event_id, attempt, worker_id, started_at, finished_at, duration_ms, outcome)
       SELECT coalesce((SELECT max(id) FROM tds.events), 0) + g, 1, 'w', now(), now(), 1, $2 FROM generate_series(1, $1::int) g`,
      [n, outcome],
    );
  const liveWorker = () =>
    db.query(
      `INSERT INTO tds.workers (worker_id, role, hostname, pid, version) VALUES ('test-worker', 'worker', 'h', 1, 'v')
       ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat_at = now(), stopped_at = NULL`,
    );
  const alertsOf = (rule: string) =>
    db.query<{
      id: string;
      severity: string;
      status: string;
      value: number;
      threshold: number;
      occurrences: number;
      acknowledged_by: string | null;
    }>(`SELECT id::text, severity, status, value, threshold, occurrences, acknowledged_by FROM tds.alerts WHERE rule = $1 ORDER BY id`, [
      rule,
    ]);
  const kinds = (rule: string) => notices.filter((n) => n.rule === rule).map((n) => `${n.kind}:${n.severity}`);
  const run = () => monitoring.runOnce();

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      TDS_ALERT_QUEUE_BACKLOG_WARNING: '3',
      TDS_ALERT_QUEUE_BACKLOG_CRITICAL: '6',
      TDS_ALERT_DLQ_WARNING: '1',
      TDS_ALERT_DLQ_CRITICAL: '2',
      TDS_ALERT_SYNC_LAG_WARNING_MINUTES: '600',
      TDS_ALERT_SYNC_LAG_CRITICAL_MINUTES: '1200',
      ALERT_RENOTIFY_MINUTES: '60',
    });
    monitoring = t.app.get(MonitoringService);
    const notifications = t.app.get(NotificationsService);
    vi.spyOn(notifications, 'notify').mockImplementation((n) => void notices.push(n));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    notices = [];
    await db.query('TRUNCATE tds.events, tds.event_attempts, tds.alerts, tds.metrics_snapshots, tds.workers');
    await liveWorker();
  });

  it('pending queue: opens, dedupes, escalates, de-escalates past the margin, holds inside it, resolves with a notice', async () => {
    await run();
    expect(await alertsOf('queue_backlog')).toEqual([]);

    await addEvents(4);
    await run();
    let [a] = await alertsOf('queue_backlog');
    expect(a).toMatchObject({ severity: 'warning', status: 'open', value: 4, threshold: 3, occurrences: 1 });
    expect(kinds('queue_backlog')).toEqual(['opened:warning']);

    await addEvents(3, { status: 'failed' }); // failed-awaiting-retry counts as pending
    await run();
    await run();
    const rows = await alertsOf('queue_backlog');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: a.id, severity: 'critical', value: 7, threshold: 6, occurrences: 3 });
    expect(kinds('queue_backlog')).toEqual(['opened:warning', 'severity_changed:critical']);
    const escalation = notices.find((n) => n.kind === 'severity_changed')!;
    expect(escalation).toMatchObject({
      alertId: a.id,
      rule: 'queue_backlog',
      title: 'Pending queue above 6 events',
      value: 7,
      threshold: 6,
      unit: 'events',
      occurrences: 2,
      action: expect.stringContaining('workers'),
    });
    expect(escalation.openedAt).toBeInstanceOf(Date);

    await complete(1); // 6: below critical (6 is not > 6) but within 10% of it: stays critical
    await run();
    expect((await alertsOf('queue_backlog'))[0]).toMatchObject({ severity: 'critical', value: 6 });
    await complete(1); // 5 ≤ 5.4: down to warning
    await run();
    expect((await alertsOf('queue_backlog'))[0]).toMatchObject({ severity: 'warning', value: 5, occurrences: 5 });
    await complete(2); // 3: not above 3, but not 10% below it: held, not seen again
    await run();
    a = (await alertsOf('queue_backlog'))[0];
    expect(a).toMatchObject({ severity: 'warning', status: 'open', value: 3, occurrences: 5 });
    await complete(1); // 2 ≤ 2.7: resolved
    await run();
    expect(await alertsOf('queue_backlog')).toEqual([expect.objectContaining({ status: 'resolved', value: 2 })]);
    expect(kinds('queue_backlog')).toEqual(['opened:warning', 'severity_changed:critical', 'severity_changed:warning', 'resolved:warning']);

    // Firing again later opens a new alert (the resolved one stays as history).
    await addEvents(5);
    await run();
    expect((await alertsOf('queue_backlog')).map((r) => r.status)).toEqual(['resolved', 'open']);
  });

  it('re-notifies an unacknowledged critical alert every ALERT_RENOTIFY_MINUTES, not an acknowledged one', async () => {
    await addEvents(3, { status: 'dead_letter' });
    await run();
    const [a] = await alertsOf('dead_letter_queue');
    expect(a).toMatchObject({ severity: 'critical', value: 3 });
    await run();
    expect(kinds('dead_letter_queue')).toEqual(['opened:critical']);
    await db.query(`UPDATE tds.alerts SET last_notified_at = now() - interval '61 minutes' WHERE id = $1`, [a.id]);
    await run();
    await run();
    expect(kinds('dead_letter_queue')).toEqual(['opened:critical', 'reminder:critical']);

    await t.app.get(AlertsService).acknowledge(a.id, 'ops', 'looking');
    await db.query(`UPDATE tds.alerts SET last_notified_at = now() - interval '61 minutes' WHERE id = $1`, [a.id]);
    await run();
    expect(kinds('dead_letter_queue')).toEqual(['opened:critical', 'reminder:critical']);
    expect((await alertsOf('dead_letter_queue'))[0]).toMatchObject({ status: 'acknowledged', acknowledged_by: 'ops', occurrences: 5 });
  });

  it('an escalation re-opens an acknowledged alert', async () => {
    await addEvents(2, { status: 'dead_letter' });
    await run();
    const [a] = await alertsOf('dead_letter_queue');
    expect(a.severity).toBe('warning');
    await t.app.get(AlertsService).acknowledge(a.id, 'ops', null);
    await run();
    expect((await alertsOf('dead_letter_queue'))[0].status).toBe('acknowledged');
    await addEvents(1, { status: 'dead_letter' });
    await run();
    expect((await alertsOf('dead_letter_queue'))[0]).toMatchObject({ status: 'open', severity: 'critical', acknowledged_by: 'ops' });
  });

  it('failure rate does not fire under TDS_ALERT_FAILURE_RATE_MIN_EVENTS attempts, then fires on the rate', async () => {
    await addAttempts(19, 'retry');
    const s = await run();
    expect(s.queue.window).toMatchObject({ attempts: 19, failedAttempts: 19, failureRate: 1 });
    expect(await alertsOf('failure_rate')).toEqual([]);
    await addAttempts(1, 'dead_letter');
    await addAttempts(180, 'applied');
    await run(); // 20 / 200 = 10%: above 5%, not above 10%
    expect(await alertsOf('failure_rate')).toEqual([expect.objectContaining({ severity: 'warning', value: 10, threshold: 5 })]);
    await addAttempts(10, 'retry'); // 30 / 210 = 14.29%
    await run();
    expect((await alertsOf('failure_rate'))[0]).toMatchObject({ severity: 'critical', value: 14.29, threshold: 10 });
    const n = notices.filter((x) => x.rule === 'failure_rate').at(-1)!;
    expect(n).toMatchObject({ kind: 'severity_changed', unit: '%', summary: expect.stringMatching(/210 attempts/) });
  });

  it('stuck events count only while a worker is alive; no live worker is its own critical alert', async () => {
    await addEvents(2, { ageMinutes: 11 });
    await addEvents(1, { ageMinutes: 1 });
    let s = await run();
    expect(s.queue.stuck).toMatchObject({ count: 2, workersAlive: true, oldestEventId: expect.any(String) });
    expect(await alertsOf('stuck_events')).toEqual([expect.objectContaining({ severity: 'warning', value: 2 })]);
    expect(await alertsOf('no_live_worker')).toEqual([]);

    await db.query(`UPDATE tds.workers SET last_heartbeat_at = now() - interval '31 seconds'`);
    s = await run();
    expect(s.workers.live).toBe(0);
    expect(s.queue.stuck).toMatchObject({ count: 0, workersAlive: false });
    expect(await alertsOf('no_live_worker')).toEqual([expect.objectContaining({ severity: 'critical', status: 'open' })]);
    const n = notices.find((x) => x.rule === 'no_live_worker')!;
    expect(n).toMatchObject({ kind: 'opened', value: null, threshold: null, unit: null, title: 'No live worker' });
    expect((await alertsOf('stuck_events'))[0].status).toBe('resolved');

    await liveWorker();
    await run();
    expect((await alertsOf('no_live_worker'))[0].status).toBe('resolved');
    expect(kinds('no_live_worker')).toEqual(['opened:critical', 'resolved:critical']);
  });

  it('concurrent evaluations of the same snapshot leave one unresolved alert per rule and one "opened" notice', async () => {
    await addEvents(4);
    const snapshot = await run();
    await db.query('TRUNCATE tds.alerts');
    notices = [];
    const alerts = t.app.get(AlertsService);
    await Promise.all([1, 2, 3, 4].map(() => alerts.evaluate(snapshot)));
    const rows = await alertsOf('queue_backlog');
    expect(rows).toHaveLength(1);
    expect(rows[0].occurrences).toBe(4);
    expect(kinds('queue_backlog')).toEqual(['opened:warning']);
    // The database refuses a second unresolved alert of a rule outright.
    await expect(
      db.query(`INSERT INTO tds.alerts (rule, title, severity, summary) VALUES ('queue_backlog', 't', 'warning', 's')`),
    ).rejects.toThrow(/alerts_one_unresolved_per_rule_uq/);
  });

  it('stores the snapshot: depth by status × entity type, window figures, freshness, workers, database; prunes old ones', async () => {
    await addEvents(2, { entity: 'invoice' });
    await addEvents(1, { entity: 'contact', status: 'failed' });
    await addEvents(2, { entity: 'invoice', status: 'dead_letter' });
    await db.query(
      `INSERT INTO tds.events (dedup_key, entity_type, record_type, entity_id, event_kind, content_type, body, payload, status,
                               outcome, zoho_modified_at, received_at, completed_at)
       VALUES ('done-1', 'invoice', 'invoice', 'd1', 'updated', 'application/json', '\\x7b7d', '{}', 'completed', 'applied',
               '2026-11-30T10:00:00Z', now() - interval '2 seconds', now())`,
    );
    await db.query(
      `INSERT INTO tds.event_attempts (event_id, attempt, worker_id, started_at, finished_at, duration_ms, outcome)
       SELECT id, 1, 'w', now(), now(), 3, 'applied' FROM tds.events WHERE dedup_key = 'done-1'`,
    );
    await db.query(`INSERT INTO tds.metrics_snapshots (taken_at, duration_ms, pending, dead_letter, live_workers, data)
                    VALUES (now() - interval '31 days', 1, 0, 0, 0, '{}')`);
    await run();
    const [row] = await db.query<{ pending: number; dead_letter: number; live_workers: number; data: MonitoringSnapshot }>(
      'SELECT pending, dead_letter, live_workers, data FROM tds.metrics_snapshots',
    );
    expect(row).toMatchObject({ pending: 3, dead_letter: 2, live_workers: 1 });
    const q = row.data.queue;
    expect(q.depth).toEqual({
      pending: 3,
      failedAwaitingRetry: 1,
      deadLetter: 2,
      byEntity: {
        invoice: { pending: 2, failedAwaitingRetry: 0, deadLetter: 2 },
        contact: { pending: 1, failedAwaitingRetry: 1, deadLetter: 0 },
      },
    });
    expect(q.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(q.window).toMatchObject({ minutes: 15, attempts: 1, completed: 1, failureRate: 0 });
    expect(q.window.latencyMs!.p50).toBeGreaterThanOrEqual(1500);
    expect(q.freshness.invoice).toEqual({ lastAppliedAt: expect.any(String), newestZohoModifiedAt: '2026-11-30T10:00:00.000Z' });
    expect(row.data.workers).toMatchObject({ live: 1, timeoutSeconds: 30 });
    const d = row.data.database;
    expect(d.connections.used).toBeGreaterThan(0);
    expect(d.connections.max).toBeGreaterThan(d.connections.used);
    expect(d.sizeBytes).toBeGreaterThan(0);
    expect(d.largestTables.length).toBeGreaterThan(0);
    expect(typeof d.statStatements.installed).toBe('boolean');
    if (!d.statStatements.installed) expect(d.statStatements.reason).toMatch(/pg_stat_statements/);
    // 2 dead letters: above the warning level (1), not above critical (2); a backlog of 3 is not above 3.
    expect(row.data.alerts!.open).toEqual({ critical: 0, warning: 1, info: 0 });
    expect(monitoring.latestSummary()).toMatchObject({ openAlerts: { critical: 0, warning: 1, info: 0 }, liveWorkers: 1 });
  });

  it('freshness is carried forward from the previous snapshot', async () => {
    await db.query(`INSERT INTO tds.metrics_snapshots (taken_at, duration_ms, pending, dead_letter, live_workers, data)
                    VALUES (now() - interval '1 hour', 1, 0, 0, 0,
                            '{"queue": {"freshness": {"bill": {"lastAppliedAt": "2026-11-01T00:00:00.000Z",
                              "newestZohoModifiedAt": "2026-10-31T00:00:00.000Z"}}, "freshnessSince": "2026-10-01T00:00:00.000Z"}}')`);
    const s = await run();
    expect(s.queue.freshness.bill).toEqual({ lastAppliedAt: '2026-11-01T00:00:00.000Z', newestZohoModifiedAt: '2026-10-31T00:00:00.000Z' });
    expect(s.queue.freshnessSince).toBe('2026-10-01T00:00:00.000Z');
  });
});
