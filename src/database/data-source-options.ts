import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

export interface DatabaseConnectionSettings {
  url: string;
  poolSize: number;
  ssl?: boolean;
  statementTimeoutMs?: number;
  applicationName?: string;
}

/**
 * One place builds the TypeORM options, for the app (TypeOrmModule) and the CLI (ormconfig.ts).
 * Migrations are an explicit list (migrations/index.ts), never a glob: globs over *.ts break under Vitest,
 * and a list makes the order reviewable.
 */
export function buildDataSourceOptions(settings: DatabaseConnectionSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    ssl: settings.ssl ? { rejectUnauthorized: false } : undefined,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    entities: [],
    logging: false,
    extra: {
      max: settings.poolSize,
      // Fail fast when PostgreSQL is unreachable so webhooks answer 503 quickly instead of hanging.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: settings.statementTimeoutMs ?? 30000,
      application_name: settings.applicationName ?? 'tds-core',
      keepAlive: true,
    },
  };
}
