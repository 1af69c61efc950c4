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
      'Inspect dead-lettered events (GET /queue/events/:id shows the last error and every attempt), fix the cause ' +
      '(bad data, mapping, a missing ERP table) and retry them (POST /queue/events/:id/retry).',
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
      'Read the last errors of recent failed events (GET /queue/events/:id); a database or network problem shows as ' +
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
      'Open the oldest stuck event (GET /queue/events/:id): a record chain waits behind its failing head event. Fix ' +
      'the head (or dead-letter and retry it); check for long-running transactions in the database section.',
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
];
