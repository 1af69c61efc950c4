import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfigService } from '../config/app-config.service';
import { buildDataSourceOptions } from './data-source-options';
import { PgPoolService } from './pg-pool.service';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const db = config.database;
        if (!db.url) throw new Error('DATABASE_URL is not set (the launcher sets it when it starts the embedded PostgreSQL)');
        return {
          ...buildDataSourceOptions({
            url: db.url,
            poolSize: db.poolSize,
            ssl: db.ssl,
            statementTimeoutMs: db.statementTimeoutMs,
            idleInTransactionTimeoutMs: config.queue.lockTimeoutSeconds * 1000,
            // role and pid: pg_stat_activity shows which process holds what
            applicationName: `tds-core:${config.app.role}:${process.pid}`,
          }),
          autoLoadEntities: true,
          // The launcher retries the first connection; inside Nest we fail fast and let the launcher report it.
          retryAttempts: 0,
        };
      },
    }),
  ],
  providers: [PgPoolService],
  exports: [PgPoolService],
})
export class DatabaseModule {}
