import { Module } from '@nestjs/common';
import { HeartbeatService } from './heartbeat.service';
import { WorkerRegistryRepository } from './worker-registry.repository';

@Module({
  providers: [WorkerRegistryRepository, HeartbeatService],
  exports: [HeartbeatService, WorkerRegistryRepository],
})
export class WorkersModule {}
