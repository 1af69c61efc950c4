import { describe, expect, it } from 'vitest';
import { appPoolConfig, probePoolConfig } from './pg-connections';

describe('pool settings built from config', () => {
  const settings = {
    url: 'postgres://u:p@db:5432/tds',
    poolSize: 12,
    ssl: true,
    statementTimeoutMs: 15000,
    idleInTransactionTimeoutMs: 7000,
    applicationName: 'tds-core:worker:42',
  };

  it('the application pool carries the fence, the timeouts, the size and the process name', () => {
    expect(appPoolConfig(settings)).toMatchObject({
      connectionString: settings.url,
      max: 12,
      statement_timeout: 15000,
      idle_in_transaction_session_timeout: 7000,
      application_name: 'tds-core:worker:42',
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      ssl: { rejectUnauthorized: false },
    });
  });

  it('defaults: 30 s statements, 60 s fence, no TLS', () => {
    const config = appPoolConfig({ url: settings.url, poolSize: 5 });
    expect(config).toMatchObject({ statement_timeout: 30000, idle_in_transaction_session_timeout: 60000, application_name: 'tds-core' });
    expect(config.ssl).toBeUndefined();
  });

  it('the probe pool is small and quick to give up, whatever the application pool size', () => {
    expect(probePoolConfig(settings)).toMatchObject({
      max: 3,
      connectionTimeoutMillis: 1000,
      statement_timeout: 1000,
      application_name: 'tds-core:health',
    });
  });
});
