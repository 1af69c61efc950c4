import { describe, expect, it } from 'vitest';
import { buildAppConfig } from './app-config';
import { ConfigValidationError, validate } from './env.validation';

const config = (env: Record<string, string>) => buildAppConfig(validate({ DATABASE_URL: 'postgres://u@db/tds', ...env }));
const problemsOf = (env: Record<string, string>) => {
  try {
    validate(env);
    return [];
  } catch (err) {
    return (err as ConfigValidationError).problems;
  }
};

describe('backup and retention settings', () => {
  it('defaults: nightly verified backups kept 30 days; daily pruning at 7 / 90 days in batches of 1,000', () => {
    const c = config({});
    expect(c.backups).toEqual({
      enabled: true,
      cron: '0 2 * * *',
      dir: 'data/backups', // $TDS_DATA_DIR/backups
      verify: 'full',
      retentionDays: 30,
      pgBinDir: null,
      maxVerifiedAgeHours: 26,
    });
    expect(c.retention).toEqual({ enabled: true, cron: '30 3 * * *', inboxDays: 7, eventDays: 90, batchSize: 1000 });
  });

  it('reads env-style strings', () => {
    const c = config({
      BACKUP_ENABLED: 'off',
      BACKUP_VERIFY: 'archive',
      PG_BIN_DIR: ' /usr/lib/postgresql/16/bin ',
      TDS_RETENTION_BATCH_SIZE: '250',
    });
    expect(c.backups).toMatchObject({ enabled: false, verify: 'archive', pgBinDir: '/usr/lib/postgresql/16/bin' });
    expect(c.retention.batchSize).toBe(250);
    expect(config({ TDS_DATA_DIR: '/srv/tds/data' }).backups.dir).toBe('/srv/tds/data/backups');
    expect(config({ TDS_DATA_DIR: '/srv/tds/data', BACKUP_DIR: '/backups/tds' }).backups.dir).toBe('/backups/tds');
  });

  it('refuses bad values, each named', () => {
    const problems = problemsOf({
      BACKUP_CRON: 'at two',
      TDS_RETENTION_CRON: '99 * * * *',
      BACKUP_VERIFY: 'quick',
      BACKUP_RETENTION_DAYS: '0',
      TDS_INBOX_RETENTION_DAYS: '30',
      TDS_EVENT_RETENTION_DAYS: '10',
    });
    expect(problems.join('\n')).toMatch(/^BACKUP_CRON="at two": not a cron expression/m);
    expect(problems.join('\n')).toMatch(/^TDS_RETENTION_CRON="99 \* \* \* \*": not a cron expression/m);
    expect(problems.join('\n')).toMatch(/^BACKUP_VERIFY=/m);
    expect(problems.join('\n')).toMatch(/^BACKUP_RETENTION_DAYS=/m);
    expect(problems).toContain('TDS_EVENT_RETENTION_DAYS=10: must be >= TDS_INBOX_RETENTION_DAYS (30)');
  });
});
