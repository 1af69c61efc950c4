import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { WorkersModule } from '../workers/workers.module';
import { EventRepository } from './event.repository';
import { IngestBatcher } from './ingest-batcher';
import { QueueHealthIndicator, WorkerHealthIndicator } from './queue-health.indicator';
import { QueueService } from './queue.service';
import { QueueWorker } from './queue.worker';
import { QueueStatisticsRepository } from './queue-statistics.repository';
import { QueueStatisticsService } from './queue-statistics.service';
import { EventBrowserRepository } from './event-browser.repository';
import { LiveQueueCounts } from './live-queue-counts';
import { EventBrowserService } from './event-browser.service';

@Module({
  imports: [SyncModule, WorkersModule],
  providers: [
    EventRepository,
    IngestBatcher,
    QueueService,
    QueueWorker,
    QueueHealthIndicator,
    WorkerHealthIndicator,
    EventBrowserRepository,
    EventBrowserService,
    LiveQueueCounts,
    QueueStatisticsRepository,
    QueueStatisticsService,
  ],
  exports: [
    IngestBatcher,
    QueueService,
    EventBrowserService,
    QueueWorker,
    QueueStatisticsService,
    QueueHealthIndicator,
    WorkerHealthIndicator,
  ],
})
export class QueueModule {}
