import { Global, Module } from '@nestjs/common';
import { DatabaseService } from './database.service';

/**
 * The database layer (docs/decisions/0011): DatabaseService owns every pool and dedicated connection of the running
 * service. No TypeORM DataSource at run time: TypeORM runs the migrations (src/database/prepare-database.ts, and the
 * CLI through ormconfig.ts) and nothing else. Global, so its shutdown hook (closing the pools) runs last.
 */
@Global()
@Module({
  providers: [DatabaseService],
  exports: [DatabaseService],
})
export class DatabaseModule {}
