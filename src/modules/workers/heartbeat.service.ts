import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { AppConfigService } from '../../config/app-config.service';
import { isDatabaseUnavailable } from '../../common/errors/sqlstate';
import { SERVICE_VERSION } from '../../version';
import { PROCESS_ID } from '../../common/process/process-identity';
import { WorkerRegistryRepository } from './worker-registry.repository';

/** Registers this process in tds.workers and beats every TDS_HEARTBEAT_INTERVAL_MS. */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private processedSinceLast = 0;

  constructor(
    private readonly registry: WorkerRegistryRepository,
    private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.registry.register(PROCESS_ID, this.config.app.role, hostname(), process.pid, SERVICE_VERSION);
    await this.registry.prune().catch(() => undefined);
    this.timer = setInterval(() => {
      this.inFlight = this.beat();
    }, this.config.queue.heartbeatIntervalMs);
    this.timer.unref();
  }

  /** The worker reports how many events it finished; they are added to the row on the next beat. */
  recordProcessed(n: number): void {
    this.processedSinceLast += n;
  }

  async beat(): Promise<void> {
    const n = this.processedSinceLast;
    this.processedSinceLast = 0;
    try {
      await this.registry.heartbeat(PROCESS_ID, n);
    } catch (err) {
      this.processedSinceLast += n;
      this.logger.warn(`heartbeat failed: ${(err as Error).message}`);
    }
  }

  /**
   * Runs after the worker has finished its batch (QueueWorker stops in beforeApplicationShutdown) and before the
   * pool closes (DatabaseService's shutdown hook; a global module's hooks run last). A beat still in flight would clear stopped_at again: wait for it first.
   * A failure is logged: /health would count this process as live until its heartbeat ages out.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    try {
      await this.registry.markStopped(PROCESS_ID, this.processedSinceLast);
      this.processedSinceLast = 0;
    } catch (err) {
      // The database going away with us (Ctrl-C reaches an embedded PostgreSQL too) is a warning, anything else an error.
      const say = isDatabaseUnavailable(err) ? 'warn' : 'error';
      this.logger[say](
        `could not mark worker ${PROCESS_ID} stopped in tds.workers: ${(err as Error).message} (/health counts it live until its heartbeat is ${this.config.health.workerHeartbeatTimeoutS} s old)`,
      );
    }
  }
}
