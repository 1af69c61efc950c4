// DataSource for the TypeORM CLI (npm run migration:*): TypeORM runs migrations and nothing else (docs/decisions/0011).
// The launcher migrates with the same options (src/database/prepare-database.ts) from the same validated environment.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnvironment } from './src/config/load-env';
import { databaseUrlFrom } from './src/config/database-url';
import { buildDataSourceOptions } from './src/database/data-source-options';
import { readRunningEmbeddedUrl } from './src/database/embedded-postgres';

const env = loadEnvironment();
const url = databaseUrlFrom(env) ?? readRunningEmbeddedUrl(env.TDS_DATA_DIR);
if (!url) {
  throw new Error(
    'No database: set DATABASE_URL (or DATABASE_HOST/...), or start the service once with `npm start` ' +
      'so the embedded PostgreSQL is running (it also applies migrations at start).',
  );
}

export default new DataSource(buildDataSourceOptions({ url, poolSize: 2, ssl: env.DATABASE_SSL }));
