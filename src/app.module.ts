import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { AppConfig } from './config/app-config';
import type { RootLogger } from './common/logging/root-logger';
import { AppConfigModule } from './config/config.module';
import { LoggingModule } from './common/logging/logging.module';
import { DatabaseModule } from './database/database.module';
import { HealthCoreModule } from './modules/health/health-core.module';
import { HealthModule } from './modules/health/health.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { MonitoringModule } from './modules/monitoring/monitoring.module';
import { AlertsModule } from './modules/alerts/alerts.module';
import { AlertsHealthIndicator } from './modules/monitoring/alerts-health.indicator';
import { QueueModule } from './modules/queue/queue.module';
import { QueueHealthIndicator, WorkerHealthIndicator } from './modules/queue/queue-health.indicator';
import { RootModule } from './modules/root/root.module';
import { SchedulingModule } from './modules/scheduling/scheduling.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { WorkersModule } from './modules/workers/workers.module';
import { BackupsModule } from './modules/backups/backups.module';
import { RetentionModule } from './modules/retention/retention.module';
import { AuditModule } from './modules/audit/audit.module';
import { DashboardModule } from './modules/dashboard/dashboard.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';

/**
 * Feature modules are wired here. Later modules (monitoring, alerts, notifications, dashboard) import the
 * services they need from the modules below; none reaches into another module's repositories.
 * The worker runs in the same process when TDS_ROLE is all or worker (QueueWorker checks the role).
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: RootLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        DatabaseModule,
        ScheduleModule.forRoot(),
        MetricsModule,
        SchedulingModule,
        HealthCoreModule,
        WorkersModule,
        QueueModule,
        NotificationsModule,
        WebhooksModule,
        MonitoringModule,
        AlertsModule,
        HealthModule.register({
          imports: [QueueModule, MonitoringModule],
          indicators: [QueueHealthIndicator, WorkerHealthIndicator, AlertsHealthIndicator],
        }),
        RootModule,
        BackupsModule,
        RetentionModule,
        RateLimitModule,
        AuditModule,
        DashboardModule,
      ],
    };
  }
}
