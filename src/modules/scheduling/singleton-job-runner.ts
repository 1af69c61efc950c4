import type { DedicatedClient } from '../../database/pg-connections';
import { JobRunRepository } from './job-run.repository';

export type JobRunResult =
  | { ran: true; runId: string; status: 'succeeded' | 'failed'; error?: string }
  | { ran: false; reason: 'locked' | 'already_ran' | 'no_database' };

/**
 * The job's body. `signal` aborts when the lock's connection is lost: from then on another instance may start the
 * next run, so a long job should stop at its next step. May return a one-line summary (stored as the run's detail). `scheduledAt` is the
 * scheduled time this run is for (the tds.job_runs key).
 */
export type JobBody = (signal: AbortSignal, scheduledAt: Date) => Promise<string | void>;

/**
 * The singleton-job lock: one run per job and scheduled time, however many processes share the database, never
 * overlapping itself. Two parts, both needed:
 *  - a session-level advisory lock per job, held on a dedicated connection for the whole run: a run longer than any
 *    timeout still excludes the others, and a holder that dies frees it at once (its session ends);
 *  - a run record per (job, scheduled time), unique: two instances whose crons fire milliseconds apart would otherwise
 *    each take the free lock in turn and run twice in a row.
 * Each run records when it started, ended and how (tds.job_runs).
 */
export class SingletonJobRunner {
  constructor(
    /** A dedicated session per run (DatabaseService.dedicatedClient; never a pooled one: the lock lives as long as it). */
    private readonly connect: () => Promise<DedicatedClient>,
    private readonly holder: string,
  ) {}

  async run(job: string, scheduledAt: Date, body: JobBody): Promise<JobRunResult> {
    let session: DedicatedClient;
    try {
      session = await this.connect();
    } catch {
      return { ran: false, reason: 'no_database' };
    }
    const { client } = session;
    const lost = new AbortController();
    let ending = false;
    void session.closed.then(() => {
      if (!ending) lost.abort(new Error('the job lock connection was lost'));
    });
    let locked = false;
    try {
      locked = await JobRunRepository.tryLock(client, job);
      if (!locked) return { ran: false, reason: 'locked' };
      await JobRunRepository.abandonStale(client, job);
      const runId = await JobRunRepository.start(client, job, scheduledAt, this.holder);
      if (!runId) return { ran: false, reason: 'already_ran' };
      let detail: string | null = null;
      let error: string | undefined;
      try {
        detail = (await body(lost.signal, scheduledAt)) || null;
      } catch (err) {
        error = (err as Error)?.message ?? String(err);
      }
      if (!lost.signal.aborted)
        await JobRunRepository.finish(client, runId, error === undefined ? 'succeeded' : 'failed', detail, error ?? null);
      return error === undefined ? { ran: true, runId, status: 'succeeded' } : { ran: true, runId, status: 'failed', error };
    } finally {
      if (locked && !lost.signal.aborted) await JobRunRepository.unlock(client, job).catch(() => undefined);
      ending = true;
      await session.end();
    }
  }
}
