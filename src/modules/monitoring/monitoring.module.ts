import { Module } from '@nestjs/common';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { AlertsHealthIndicator } from './alerts-health.indicator';
import { DatabaseHealthCollector } from './database-health.collector';
import { METRICS_COLLECTORS } from './metrics-collector';
import { MonitoringRepository } from './monitoring.repository';
import { MonitoringScheduler } from './monitoring.scheduler';
import { MonitoringService } from './monitoring.service';
import { QueueMetricsCollector } from './queue-metrics.collector';
import { WorkersCollector } from './workers.collector';
import { QueueModule } from '../queue/queue.module';
import { QueueTablesCollector } from '../queue/queue-tables.collector';
import { BackupsModule } from '../backups/backups.module';
import { BackupsCollector } from '../backups/backups.collector';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { ReconcileCollector } from '../reconcile/reconcile.collector';

/**
 * The sections of a snapshot, in the order they are collected. A module adds a section by importing its module here
 * and adding its MetricsCollector to this list (docs/architecture.md, "Monitoring and alerts").
 */
const COLLECTORS = [
  WorkersCollector,
  QueueMetricsCollector,
  DatabaseHealthCollector,
  QueueTablesCollector,
  BackupsCollector,
  ReconcileCollector,
];

@Module({
  imports: [SchedulingModule, QueueModule, BackupsModule, ReconcileModule],
  providers: [
    MonitoringRepository,
    MonitoringService,
    MonitoringScheduler,
    AlertsHealthIndicator,
    ...COLLECTORS,
    { provide: METRICS_COLLECTORS, inject: COLLECTORS, useFactory: (...collectors: unknown[]) => collectors },
  ],
  exports: [MonitoringService, AlertsHealthIndicator],
})
export class MonitoringModule {}
