import { Module } from '@nestjs/common';
import { HeartbeatService } from './heartbeat.service';
import { LeaderElectionService } from './leader-election.service';
import { WorkerRegistryRepository } from './worker-registry.repository';

@Module({
  providers: [WorkerRegistryRepository, HeartbeatService, LeaderElectionService],
  exports: [HeartbeatService, LeaderElectionService, WorkerRegistryRepository],
})
export class WorkersModule {}
