import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

export interface DatabaseConnectionSettings {
  url: string;
  poolSize: number;
  ssl?: boolean;
  statementTimeoutMs?: number;
  /** idle_in_transaction_session_timeout: a session idle inside a transaction this long is ended by the server. */
  idleInTransactionTimeoutMs?: number;
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
      // The worker's fence: a batch transaction whose process stalls (or vanished without closing its socket) is
      // ended by PostgreSQL, its row locks released and its work rolled back (docs/decisions/0004).
      idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs ?? 60000,
      application_name: settings.applicationName ?? 'tds-core',
      keepAlive: true,
    },
  };
}
