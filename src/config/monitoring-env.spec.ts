import { describe, expect, it } from 'vitest';
import { buildAppConfig } from './app-config';
import { ConfigValidationError, validate } from './env.validation';
import { monitoringEnvWarnings } from './monitoring-env';

const base = { DATABASE_URL: 'postgres://u@localhost/db' };
const alerts = (env: Record<string, string>) => buildAppConfig(validate({ ...base, ...env })).alerts;
const problems = (env: Record<string, string>) => {
  try {
    validate({ ...base, ...env });
    return [];
  } catch (err) {
    return (err as ConfigValidationError).problems;
  }
};

describe('monitoring and alert configuration', () => {
  it('defaults are the runbook levels', () => {
    const a = alerts({});
    expect(a.thresholds).toEqual({
      queueBacklog: { warning: 500, critical: 1000 },
      deadLetter: { warning: 50, critical: 100 },
      failureRate: { warning: 0.05, critical: 0.1 },
      stuckEvents: { warning: 0, critical: 10 },
      syncLagMinutes: { warning: 15, critical: 60 },
      dbConnections: { warning: 0.8, critical: 0.95 },
    });
    expect(a).toMatchObject({ failureRateMinAttempts: 20, hysteresis: 0.1, renotifyMinutes: 60 });
    const m = buildAppConfig(validate(base)).monitoring;
    expect(m).toMatchObject({ cron: '*/5 * * * *', windowMinutes: 15, retentionDays: 30, stuckMinutes: 10, workerHeartbeatTimeoutS: 30 });
  });

  it("the earlier system's names set the critical level (a default warning above it follows it down)", () => {
    const a = alerts({
      TDS_ALERT_QUEUE_BACKLOG_THRESHOLD: '300',
      TDS_ALERT_FAILURE_RATE_THRESHOLD: '0.2',
      TDS_ALERT_SYNC_LAG_THRESHOLD_MINUTES: '30',
    });
    expect(a.thresholds.queueBacklog).toEqual({ warning: 300, critical: 300 });
    expect(a.thresholds.failureRate).toEqual({ warning: 0.05, critical: 0.2 });
    expect(a.thresholds.syncLagMinutes).toEqual({ warning: 15, critical: 30 });
    expect(monitoringEnvWarnings(validate({ ...base, TDS_ALERT_QUEUE_BACKLOG_THRESHOLD: '300' }))).toEqual([]);
  });

  it('when an old and a new name are both set the new one wins, and the start warning names both', () => {
    const env = {
      TDS_ALERT_QUEUE_BACKLOG_THRESHOLD: '300',
      TDS_ALERT_QUEUE_BACKLOG_CRITICAL: '2000',
      TDS_ALERT_SYNC_LAG_THRESHOLD_MINUTES: '30',
      TDS_ALERT_SYNC_LAG_CRITICAL_MINUTES: '90',
    };
    expect(alerts(env).thresholds.queueBacklog).toEqual({ warning: 500, critical: 2000 });
    expect(alerts(env).thresholds.syncLagMinutes).toEqual({ warning: 15, critical: 90 });
    const warnings = monitoringEnvWarnings(validate({ ...base, ...env }));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /TDS_ALERT_QUEUE_BACKLOG_THRESHOLD=300 and TDS_ALERT_QUEUE_BACKLOG_CRITICAL=2000 .*TDS_ALERT_QUEUE_BACKLOG_CRITICAL wins/,
    );
    expect(warnings[1]).toMatch(/TDS_ALERT_SYNC_LAG_THRESHOLD_MINUTES=30 and TDS_ALERT_SYNC_LAG_CRITICAL_MINUTES=90/);
  });

  it('bad values are reported with every other bad key', () => {
    expect(
      problems({
        TDS_MONITORING_CRON: 'every five minutes',
        TDS_ALERT_FAILURE_RATE_WARNING: '5',
        TDS_ALERT_DLQ_WARNING: '200',
        TDS_WORKER_HEARTBEAT_TIMEOUT_S: '5',
        TDS_ALERT_HYSTERESIS: 'lots',
      }),
    ).toEqual([
      expect.stringMatching(/^TDS_ALERT_FAILURE_RATE_WARNING=5: .*1/),
      expect.stringMatching(/^TDS_ALERT_HYSTERESIS="lots"/),
      expect.stringMatching(/^TDS_MONITORING_CRON="every five minutes": not a cron expression/),
      expect.stringMatching(/^TDS_WORKER_HEARTBEAT_TIMEOUT_S=5: must be longer than TDS_HEARTBEAT_INTERVAL_MS \(10000 ms\)/),
      expect.stringMatching(/^TDS_ALERT_DLQ_WARNING=200: must not be above the critical level \(100\)/),
    ]);
    expect(buildAppConfig(validate({ ...base, TDS_MONITORING_CRON: '*/5 * * * * *' })).monitoring.cron).toBe('*/5 * * * * *');
  });
});
