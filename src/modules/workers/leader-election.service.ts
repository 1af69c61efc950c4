import { Injectable } from '@nestjs/common';
import { PROCESS_ID } from './process-identity';
import { WorkerRegistryRepository } from './worker-registry.repository';

/**
 * Single-leader execution for scheduled jobs (monitoring, backups): every process may run the @Cron, only the
 * holder of the named lease does the work. The lease expires on its own if the leader dies.
 */
@Injectable()
export class LeaderElectionService {
  constructor(private readonly registry: WorkerRegistryRepository) {}

  /** Runs `job` only when this process holds (or just took) the lease `name`; returns whether it ran. */
  async runAsLeader(name: string, ttlMs: number, job: () => Promise<void>): Promise<boolean> {
    if (!(await this.registry.tryAcquireLeader(name, PROCESS_ID, ttlMs))) return false;
    await job();
    return true;
  }

  isLeader(name: string, ttlMs: number): Promise<boolean> {
    return this.registry.tryAcquireLeader(name, PROCESS_ID, ttlMs);
  }

  release(name: string): Promise<void> {
    return this.registry.releaseLeader(name, PROCESS_ID);
  }
}
