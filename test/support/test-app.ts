import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';

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
};

/** Keys a test may set; each start clears them first so files sharing a process don't leak settings. */
const MANAGED_PREFIXES = ['ADMIN_', 'HTTP_', 'SHUTDOWN_', 'EMBEDDED_', 'API_', 'DATABASE_', 'DB_', 'DOCS_', 'TDS_', 'WEBHOOK_', 'ZOHO_', 'LOG_', 'ENVIRONMENT', 'HEALTH_'];

export function applyTestEnv(databaseUrl: string, overrides: Record<string, string | undefined> = {}): void {
  for (const key of Object.keys(process.env)) {
    if (MANAGED_PREFIXES.some((p) => key.startsWith(p))) delete process.env[key];
  }
  const env = { ...BASE_ENV, DATABASE_URL: databaseUrl, ...overrides };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
}

/** Builds the real app (Fastify, filters, prefix, docs) on the given database, without listening on a port. */
export async function startTestApp(databaseUrl: string, overrides: Record<string, string | undefined> = {}): Promise<TestApp> {
  applyTestEnv(databaseUrl, overrides);
  const app = await createApp({ bufferLogs: true });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    server: app.getHttpServer(),
    close: () => app.close(),
  };
}
