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

/**
 * The sections of a snapshot, in the order they are collected. A module adds a section by importing its module here
 * and adding its MetricsCollector to this list (docs/architecture.md, "Monitoring and alerts").
 */
const COLLECTORS = [WorkersCollector, QueueMetricsCollector, DatabaseHealthCollector];

@Module({
  imports: [SchedulingModule],
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
