import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfigModule } from './config/config.module';
import { LoggingModule } from './common/logging/logging.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './modules/health/health.module';
import { RootModule } from './modules/root/root.module';
import { WorkersModule } from './modules/workers/workers.module';

/**
 * Feature modules are wired here. Later modules (monitoring, alerts, notifications, dashboard) import the
 * services they need from the modules below; none reaches into another module's repositories.
 */
@Module({})
export class AppModule {
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(),
        LoggingModule,
        DatabaseModule,
        ScheduleModule.forRoot(),
        WorkersModule,
        HealthModule.register({ imports: [WorkersModule] }),
        RootModule,
      ],
    };
  }
}
