import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { WorkersModule } from '../workers/workers.module';
import { EventRepository } from './event.repository';
import { IngestBatcher } from './ingest-batcher';
import { QueueHealthIndicator, WorkerHealthIndicator } from './queue-health.indicator';
import { QueueService } from './queue.service';
import { QueueWorker } from './queue.worker';

@Module({
  imports: [SyncModule, WorkersModule],
  providers: [EventRepository, IngestBatcher, QueueService, QueueWorker, QueueHealthIndicator, WorkerHealthIndicator],
  exports: [IngestBatcher, QueueService, QueueWorker, QueueHealthIndicator, WorkerHealthIndicator],
})
export class QueueModule {}
