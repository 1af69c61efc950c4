import type { AlertRuleDefinition } from './alert-rule';

const percent = (x: number) => Math.round(x * 10000) / 100;
const pctLevels = (l: { warning: number | null; critical: number }) => ({
  warning: l.warning === null ? null : percent(l.warning),
  critical: percent(l.critical),
});

/**
 * Every alert rule, evaluated in this order on each monitoring snapshot. A new rule is one entry here reading a
 * snapshot section (a module contributes a section with a MetricsCollector; docs/architecture.md).
 */
export const ALERT_RULES: readonly AlertRuleDefinition[] = [
  {
    name: 'queue_backlog',
    title: 'Pending queue',
    unit: 'events',
    direction: 'above',
    levels: (c) => c.thresholds.queueBacklog,
    read: (s) => s.queue.depth.pending,
    runbook:
      'Check that workers are running and keeping up (GET /health, tds.workers); look for a failing entity type in the ' +
      'snapshot (queue.depth.byEntity) and for a webhook storm; add worker processes or TDS_WORKER_CONCURRENCY if the ' +
      'load is real.',
  },
  {
    name: 'dead_letter_queue',
    title: 'Dead-letter queue',
    unit: 'events',
    direction: 'above',
    levels: (c) => c.thresholds.deadLetter,
    read: (s) => s.queue.depth.deadLetter,
    runbook:
      'Inspect the dead letters (web UI: Dead letter, grouped by error; API: GET /dashboard/dead-letter, and ' +
      'GET /dashboard/events/:id for the last error and every attempt), fix the cause (bad data, mapping, a missing ' +
      'ERP table) and retry them (POST /dashboard/dead-letter/:id/retry, or POST /dashboard/dead-letter/retry in bulk).',
  },
  {
    name: 'failure_rate',
    title: 'Failure rate over the window',
    unit: '%',
    direction: 'above',
    levels: (c) => pctLevels(c.thresholds.failureRate),
    // Too few attempts to judge: neither fires nor resolves. No attempt at all: nothing is failing.
    read: (s, c) => {
      const w = s.queue.window;
      if (w.attempts === 0) return 0;
      if (w.attempts < c.failureRateMinAttempts) return null;
      return percent(w.failedAttempts / w.attempts);
    },
    describe: (v, s) =>
      `${v}% of the ${s.queue.window.attempts} attempts of the last ${s.queue.window.minutes} min failed ` +
      `(${s.queue.window.failedAttempts} failed)`,
    runbook:
      'Read the last errors of recent failed events (web UI: Events; API: GET /dashboard/events/:id); a database or ' +
      'network problem shows as ' +
      'DATABASE_* codes, a mapping problem as INVALID_PAYLOAD. Fix the cause; failed events retry on their own.',
  },
  {
    name: 'stuck_events',
    title: 'Stuck events',
    unit: 'events',
    direction: 'above',
    levels: (c) => c.thresholds.stuckEvents,
    read: (s) => s.queue.stuck.count,
    describe: (v, s) =>
      `${v} event(s) unfinished for more than ${s.queue.stuck.thresholdMinutes} min while workers are alive` +
      (s.queue.stuck.oldestEventId ? ` (oldest: event ${s.queue.stuck.oldestEventId})` : ''),
    runbook:
      'Open the oldest stuck event (web UI: Events; API: GET /dashboard/events/:id): a record chain waits behind its ' +
      'failing head event (and stock adjustments wait behind an earlier failing item record). Fix the head (or ' +
      'dead-letter and retry it); check for long-running transactions in the database section.',
  },
  {
    name: 'sync_lag',
    title: 'Sync lag (oldest pending event)',
    unit: 'minutes',
    direction: 'above',
    levels: (c) => c.thresholds.syncLagMinutes,
    read: (s) => (s.queue.oldestPendingAgeSeconds === null ? 0 : Math.round((s.queue.oldestPendingAgeSeconds / 60) * 10) / 10),
    runbook:
      'The ERP tables are behind Zoho by this much. Check the workers and the backlog (pending queue, stuck events); ' +
      'a single old event usually is a chain blocked behind a failing head.',
  },
  {
    name: 'no_live_worker',
    title: 'No live worker',
    unit: null,
    direction: 'below',
    hysteresis: false,
    levels: () => ({ warning: null, critical: 1 }),
    read: (s) => s.workers.live,
    describe: (_v, s) =>
      `no worker process has sent a heartbeat for ${s.workers.timeoutSeconds}s` +
      (s.workers.lastHeartbeatAt ? ` (last beat ${s.workers.lastHeartbeatAt})` : ''),
    runbook:
      'Nothing drains the queue: webhooks are still accepted but not applied. Start or restart a worker (TDS_ROLE=worker ' +
      'or all) and check its log for a crash loop or a database connection problem.',
  },
  {
    name: 'db_connections',
    title: 'Database connections used',
    unit: '%',
    direction: 'above',
    levels: (c) => pctLevels(c.thresholds.dbConnections),
    read: (s) => percent(s.database.connections.ratio),
    describe: (v, s) => `${s.database.connections.used} of ${s.database.connections.max} connections in use (${v}%)`,
    runbook:
      'Find who holds the connections (pg_stat_activity by application_name); lower DATABASE_POOL_SIZE × processes or ' +
      'raise max_connections; look for idle-in-transaction sessions.',
  },
  {
    name: 'backup_failed',
    title: 'Backup failed',
    unit: null,
    direction: 'above',
    hysteresis: false,
    levels: () => ({ warning: null, critical: 0 }),
    read: (s) => (s.backups ? (s.backups.lastRunFailed ? 1 : 0) : null),
    describe: (_v, s) => `the newest backup run failed${s.backups?.lastError ? `: ${s.backups.lastError}` : ''}`,
    runbook:
      'Read the error (GET /dashboard/backups, npm run backup:status): pg_dump missing or older than the server, a full ' +
      'disk under BACKUP_DIR, or a restore check that failed. Fix it and run npm run backup; docs/BACKUP_GUIDE.md.',
  },
  {
    name: 'backup_overdue',
    title: 'No verified backup',
    unit: null,
    direction: 'above',
    hysteresis: false,
    levels: () => ({ warning: null, critical: 0 }),
    read: (s) => (s.backups ? (s.backups.enabled && s.backups.verifiedBackupOverdue ? 1 : 0) : null),
    describe: (_v, s) =>
      `no backup verified for more than ${s.backups?.maxVerifiedAgeHours ?? 26} h` +
      (s.backups?.lastVerifiedAt ? ` (last: ${s.backups.lastVerifiedAt})` : ' (none yet)'),
    runbook:
      'Backups are enabled but none was verified lately: check that the backup job runs (tds.job_runs, job tds.backup) ' +
      'and succeeds (GET /dashboard/backups); run npm run backup now; docs/BACKUP_GUIDE.md.',
  },
  {
    name: 'reconcile_missed_records',
    title: 'Records missed by webhooks',
    unit: 'records',
    direction: 'above',
    levels: (c) => ({ warning: c.reconcileMissedWarning, critical: Number.MAX_SAFE_INTEGER }),
    read: (s) => (s.reconcile ? (s.reconcile.enabled ? s.reconcile.maxMissing : 0) : null),
    describe: (v, s) =>
      `a reconciliation pass found ${v} record(s) changed in Zoho without a webhook` +
      (s.reconcile?.worstPass ? ` (${s.reconcile.worstPass.entityType}, pass ${s.reconcile.worstPass.id})` : ''),
    runbook:
      'Webhooks are being lost: check the Zoho workflow rules and their webhook URLs for that module, Zoho’s daily ' +
      'webhook cap, and rejected deliveries (tds_webhooks_rejected_total). Reconciliation has enqueued what it found.',
  },
  {
    name: 'queue_autovacuum_off',
    title: 'Autovacuum off for the queue tables',
    unit: 'tables',
    direction: 'above',
    hysteresis: false,
    levels: () => ({ warning: 0, critical: Number.MAX_SAFE_INTEGER }),
    read: (s, c) => (s.queueTables ? (c.autovacuumRule ? s.queueTables.autovacuumOff : 0) : null),
    describe: (v) => `autovacuum is off for ${v} queue table(s): the worker analyzes them itself, but dead rows are never vacuumed`,
    runbook:
      "Turn autovacuum on (autovacuum = on in postgresql.conf, or reset the tables' autovacuum_enabled option); until " +
      'then vacuum the queue tables tds.events and tds.event_attempts by hand regularly, or set TDS_ALERT_AUTOVACUUM=false ' +
      'if that is your routine. docs/decisions/0021-queue-statistics-without-autovacuum.md',
  },
  {
    name: 'queue_statistics_stale',
    title: 'Queue table statistics stale',
    unit: 'tables',
    direction: 'above',
    hysteresis: false,
    levels: () => ({ warning: 0, critical: Number.MAX_SAFE_INTEGER }),
    read: (s) => (s.queueTables ? s.queueTables.stale : null),
    describe: (v) => `${v} queue table(s) changed a lot without a fresh ANALYZE for 10 min: claims may slow down`,
    runbook:
      "The worker refreshes the queue tables' statistics every TDS_QUEUE_ANALYZE_INTERVAL_S: check that a worker runs " +
      'and that the interval is not 0; analyze tds.events by hand meanwhile.',
  },
];
