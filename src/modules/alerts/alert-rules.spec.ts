import { describe, expect, it } from 'vitest';
import { buildAppConfig } from '../../config/app-config';
import { validate } from '../../config/env.validation';
import type { MonitoringSnapshot } from '../monitoring/monitoring-snapshot';
import { evaluateRule } from './alert-evaluation';
import { ALERT_RULES } from './alert-rules';

const config = buildAppConfig(validate({ DATABASE_URL: 'postgres://u@localhost/db' })).alerts;

function snapshot(over: {
  pending?: number;
  deadLetter?: number;
  attempts?: number;
  failed?: number;
  stuck?: number;
  lagS?: number | null;
  live?: number;
  used?: number;
}) {
  const s = {
    takenAt: '2026-12-01T06:00:00.000Z',
    durationMs: 1,
    windowMinutes: 15,
    queue: {
      depth: { pending: over.pending ?? 0, failedAwaitingRetry: 0, deadLetter: over.deadLetter ?? 0, byEntity: {} },
      oldestPendingAgeSeconds: over.lagS === undefined ? null : over.lagS,
      stuck: { count: over.stuck ?? 0, thresholdMinutes: 10, workersAlive: true, oldestEventId: null },
      window: {
        minutes: 15,
        attempts: over.attempts ?? 0,
        failedAttempts: over.failed ?? 0,
        failureRate: null,
        completed: 0,
        throughputPerMinute: 0,
        latencyMs: null,
      },
      freshness: {},
      freshnessSince: '2026-12-01T05:45:00.000Z',
    },
    workers: { live: over.live ?? 1, timeoutSeconds: 30, lastHeartbeatAt: null, recent: [] },
    database: {
      connections: { used: over.used ?? 10, max: 100, ratio: (over.used ?? 10) / 100 },
      sizeBytes: 1,
      largestTables: [],
      cacheHitRatio: 1,
      longestRunningQuery: null,
      statStatements: { installed: false, reason: 'x' },
    },
  };
  return s as MonitoringSnapshot;
}

const rule = (name: string) => ALERT_RULES.find((r) => r.name === name)!;
const severityOf = (name: string, s: MonitoringSnapshot) => {
  const r = rule(name);
  const d = evaluateRule({ direction: r.direction, levels: r.levels(config), value: r.read(s, config), current: null, hysteresis: 0.1 });
  return d.action === 'open' ? d.severity : d.action;
};

describe('ALERT_RULES', () => {
  it('names are unique and every rule has a runbook', () => {
    expect(new Set(ALERT_RULES.map((r) => r.name)).size).toBe(ALERT_RULES.length);
    for (const r of ALERT_RULES) expect(r.runbook.length, r.name).toBeGreaterThan(40);
  });

  it.each([
    ['queue_backlog', { pending: 500 }, 'none'],
    ['queue_backlog', { pending: 501 }, 'warning'],
    ['queue_backlog', { pending: 1001 }, 'critical'],
    ['dead_letter_queue', { deadLetter: 51 }, 'warning'],
    ['dead_letter_queue', { deadLetter: 101 }, 'critical'],
    ['failure_rate', { attempts: 19, failed: 19 }, 'none'],
    ['failure_rate', { attempts: 100, failed: 6 }, 'warning'],
    ['failure_rate', { attempts: 100, failed: 11 }, 'critical'],
    ['stuck_events', { stuck: 1 }, 'warning'],
    ['stuck_events', { stuck: 11 }, 'critical'],
    ['sync_lag', { lagS: 15 * 60 }, 'none'],
    ['sync_lag', { lagS: 16 * 60 }, 'warning'],
    ['sync_lag', { lagS: 61 * 60 }, 'critical'],
    ['sync_lag', { lagS: null }, 'none'],
    ['no_live_worker', { live: 1 }, 'none'],
    ['no_live_worker', { live: 0 }, 'critical'],
    ['db_connections', { used: 80 }, 'none'],
    ['db_connections', { used: 81 }, 'warning'],
    ['db_connections', { used: 96 }, 'critical'],
  ] as const)('%s on %j → %s (default levels)', (name, over, expected) => {
    expect(severityOf(name, snapshot(over))).toBe(expected);
  });

  it('the failure rate and connection use are in percent', () => {
    expect(rule('failure_rate').read(snapshot({ attempts: 200, failed: 25 }), config)).toBe(12.5);
    expect(rule('failure_rate').levels(config)).toEqual({ warning: 5, critical: 10 });
    expect(rule('db_connections').read(snapshot({ used: 42 }), config)).toBe(42);
    expect(rule('db_connections').levels(config)).toEqual({ warning: 80, critical: 95 });
    expect(rule('sync_lag').read(snapshot({ lagS: 90 }), config)).toBe(1.5);
  });
});
