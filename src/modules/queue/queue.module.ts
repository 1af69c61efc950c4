import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { WorkersModule } from '../workers/workers.module';
import { EventRepository } from './event.repository';
import { IngestBatcher } from './ingest-batcher';
import { QueueHealthIndicator, WorkerHealthIndicator } from './queue-health.indicator';
import { QueueController } from './queue.controller';
import { QueueService } from './queue.service';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { QueueWorker } from './queue.worker';
import { QueueStatisticsRepository } from './queue-statistics.repository';
import { QueueStatisticsService } from './queue-statistics.service';

@Module({
  imports: [SyncModule, WorkersModule],
  controllers: [QueueController],
  providers: [
    AdminKeyGuard,
    EventRepository,
    IngestBatcher,
    QueueService,
    QueueWorker,
    QueueHealthIndicator,
    WorkerHealthIndicator,
    QueueStatisticsRepository,
    QueueStatisticsService,
  ],
  exports: [IngestBatcher, QueueService, QueueWorker, QueueStatisticsService, QueueHealthIndicator, WorkerHealthIndicator],
})
export class QueueModule {}
