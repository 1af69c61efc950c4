import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { AppConfig, buildAppConfig } from '../../src/config/app-config';
import { validate } from '../../src/config/env.validation';

export interface TestApp {
  app: NestFastifyApplication;
  /** For supertest: request(server).get(...) */
  server: ReturnType<NestFastifyApplication['getHttpServer']>;
  close(): Promise<void>;
}

const BASE_ENV: Record<string, string> = {
  ENVIRONMENT: 'test',
  LOG_LEVEL: 'silent',
  LOG_FORMAT: 'json',
  TDS_ROLE: 'api',
  DOCS_ENABLED: 'true',
  API_BASE_PATH: '',
  DB_MIGRATE_ON_START: 'false',
  DATABASE_POOL_SIZE: '5',
  WEBHOOK_API_KEYS: 'test-key-1',
  HEALTH_REQUIRE_WORKER: 'false',
  // Scheduled jobs are off unless a test turns them on (a test run at 02:00 must not back up its database).
  BACKUP_ENABLED: 'false',
  TDS_RETENTION_ENABLED: 'false',
  TDS_MONITORING_ENABLED: 'false',
  // The machine's PostgreSQL may run with autovacuum off (CI's does); tests that want this rule turn it on.
  TDS_ALERT_AUTOVACUUM: 'false',
  // Tests read the queue's 24-hour figures right after changing the queue; the reuse period has its own test.
  DASHBOARD_STATS_CACHE_S: '0',
  DASHBOARD_LIVE_CACHE_MS: '0',
};

/**
 * The config a test app runs with: the base keys above, the database, then the test's env-style overrides, through
 * the same validator as the launcher. The process environment is neither read nor written; an override of
 * `undefined` removes a base key.
 */
export function buildTestConfig(databaseUrl: string, overrides: Record<string, string | undefined> = {}): AppConfig {
  const env = Object.fromEntries(
    Object.entries({ ...BASE_ENV, DATABASE_URL: databaseUrl, ...overrides }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return buildAppConfig(validate(env));
}

/** Builds the real app (Fastify, filters, prefix, docs) on the given database, without listening on a port. */
export async function startTestApp(databaseUrl: string, overrides: Record<string, string | undefined> = {}): Promise<TestApp> {
  const app = await createApp(buildTestConfig(databaseUrl, overrides));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    server: app.getHttpServer(),
    close: () => app.close(),
  };
}
