import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupsService } from '../../src/modules/backups/backups.service';
import { MonitoringService } from '../../src/modules/monitoring/monitoring.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The sections other modules add to the monitoring snapshot, through a real monitoring run: a failed backup opens
 * backup_failed, autovacuum off for a queue table opens queue_autovacuum_off, and both resolve when the condition
 * clears.
 */
describe('monitoring sections of backups and the queue tables (integration)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let monitoring: MonitoringService;

  const openAlerts = () =>
    db.query<{ rule: string; severity: string; status: string }>(
      `SELECT rule, severity, status FROM tds.alerts WHERE status <> 'resolved' ORDER BY rule`,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      TDS_ALERT_AUTOVACUUM: 'true',
      BACKUP_ENABLED: 'true',
      BACKUP_DIR: mkdtempSync(join(tmpdir(), 'tds-mon-backups-')),
      // No pg_dump there: the backup fails the way a host without postgresql-client would.
      PG_BIN_DIR: mkdtempSync(join(tmpdir(), 'tds-no-pg-bin-')),
    });
    monitoring = t.app.get(MonitoringService);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('a failed backup and a queue table without autovacuum open their alerts; fixed, they resolve', async () => {
    // Autovacuum on for the server may vary by machine; the table's own switch makes the case the same everywhere.
    await db.query(`ALTER TABLE tds.events SET (autovacuum_enabled = false)`);
    await t.app
      .get(BackupsService)
      .runBackup({ trigger: 'manual' })
      .catch(() => undefined);

    const snapshot = await monitoring.runOnce();
    expect(snapshot.backups).toMatchObject({ enabled: true, lastRunFailed: true, lastError: expect.stringMatching(/pg_dump/) });
    expect(snapshot.queueTables?.tables.find((x) => x.table === 'events')).toMatchObject({ autovacuum: false });
    expect(snapshot.reconcile).toMatchObject({ enabled: false, maxMissing: 0 });
    const open = await openAlerts();
    expect(open).toEqual(
      expect.arrayContaining([
        { rule: 'backup_failed', severity: 'critical', status: 'open' },
        { rule: 'queue_autovacuum_off', severity: 'warning', status: 'open' },
      ]),
    );
    expect(open.map((a) => a.rule)).not.toContain('reconcile_missed_records');

    await db.query(`ALTER TABLE tds.events RESET (autovacuum_enabled)`);
    await monitoring.runOnce();
    const [{ server }] = await db.query<{ server: boolean }>(`SELECT current_setting('autovacuum')::boolean AS server`);
    const rules = (await openAlerts()).map((a) => a.rule);
    expect(rules).toContain('backup_failed');
    // With the server's autovacuum on, resetting the table's switch clears the condition.
    if (server) expect(rules).not.toContain('queue_autovacuum_off');
  });
});
