import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { DatabaseService } from '../../database/database.service';
import { PROCESS_ID } from '../../common/process/process-identity';
import { scheduledTimeOf } from './scheduled-time';
import { JobBody, JobRunResult, SingletonJobRunner } from './singleton-job-runner';

/**
 * Scheduled jobs for every module (monitoring, backups, retention, reconciliation): `schedule(name, cron, body)`
 * registers a named cron in this process; at each tick the singleton-job lock decides which process runs it. Jobs run
 * in every process role (api, worker, all): any number of processes may fire the same cron, exactly one runs each
 * scheduled time, and a run never overlaps the previous one (docs/architecture.md, "Scheduled jobs").
 */
@Injectable()
export class SingletonJobsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SingletonJobsService.name);
  private readonly runner: SingletonJobRunner;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly registry: SchedulerRegistry,
    db: DatabaseService,
  ) {
    this.runner = new SingletonJobRunner(() => db.dedicatedClient(`tds-core:job:${process.pid}`), PROCESS_ID);
  }

  /** Registers `body` to run on `cron` (5 fields, or 6 with seconds), once per scheduled time across all processes. */
  schedule(name: string, cron: string, body: JobBody, timeZone?: string): void {
    const job = CronJob.from({
      cronTime: cron,
      timeZone,
      start: true,
      onTick: () => {
        void this.runNow(name, scheduledTimeOf(cron, new Date(), timeZone), body);
      },
    });
    this.registry.addCronJob(name, job);
  }

  /** Runs `body` for one scheduled time under the lock (also what a cron tick does). */
  runNow(name: string, scheduledAt: Date, body: JobBody): Promise<JobRunResult | undefined> {
    const run = this.runner
      .run(name, scheduledAt, (lost, at) => body(AbortSignal.any([lost, this.shutdown.signal]), at))
      .then((result) => {
        if (result.ran) {
          if (result.status === 'failed') this.logger.warn(`job ${name} @${scheduledAt.toISOString()} failed: ${result.error}`);
          else this.logger.log(`job ${name} @${scheduledAt.toISOString()} succeeded (run ${result.runId})`);
        } else {
          this.logger.debug(`job ${name} @${scheduledAt.toISOString()} not run here: ${result.reason}`);
        }
        return result;
      })
      .catch((err: Error) => {
        this.logger.warn(`job ${name} @${scheduledAt.toISOString()} could not start: ${err.message}`);
        return undefined;
      });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** Stops the crons, asks running jobs to stop, and waits for them (their run records say how they ended). */
  async beforeApplicationShutdown(): Promise<void> {
    for (const [name, job] of this.registry.getCronJobs()) {
      void job.stop();
      this.registry.deleteCronJob(name);
    }
    this.shutdown.abort(new Error('the process is shutting down'));
    await Promise.all([...this.inFlight]);
  }
}
