import { Global, Module } from '@nestjs/common';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsController } from './metrics.controller';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { ReconcileModule } from '../reconcile/reconcile.module';

/** Prometheus metrics; global so the webhook path and the worker record into the one MetricsService. */
@Global()
@Module({
  imports: [MonitoringModule, ReconcileModule],
  controllers: [MetricsController],
  providers: [MetricsRepository, MetricsService, MetricsAccessGuard],
  exports: [MetricsService],
})
export class MetricsModule {}
