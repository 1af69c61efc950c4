import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { appPoolConfig, type DatabaseConnectionSettings } from './pg-connections';

export type { DatabaseConnectionSettings } from './pg-connections';

/**
 * The TypeORM options, for what TypeORM does here: running migrations (runMigrations in prepare-database.ts, and the
 * CLI through ormconfig.ts). The running service has no DataSource (docs/decisions/0011).
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
    extra: appPoolConfig(settings),
  };
}
