import type { ClientBase } from 'pg';

/** One row of tds.job_runs: a scheduled job's run for one scheduled time, and how it ended. */
export interface JobRunRow {
  id: string;
  job: string;
  scheduled_at: Date;
  holder: string;
  status: 'running' | 'succeeded' | 'failed' | 'abandoned';
  started_at: Date;
  finished_at: Date | null;
  detail: string | null;
  error: string | null;
}

// Session-level advisory lock, one per job name: held on the run's dedicated connection for the whole run (however
// long), and freed by PostgreSQL the moment that session ends (a killed process, a lost connection).
const TRY_LOCK = `SELECT pg_try_advisory_lock(hashtextextended('tds.job:' || $1::text, 0)) AS locked`;
const UNLOCK = `SELECT pg_advisory_unlock(hashtextextended('tds.job:' || $1::text, 0)) AS unlocked`;

// Whoever holds the lock is the only runner of this job: a run still marked running was cut off (its holder died).
const ABANDON_STALE = `
  UPDATE tds.job_runs SET status = 'abandoned', finished_at = now(), error = 'the process running it ended before it finished'
  WHERE job = $1 AND status = 'running'`;

// One run per job and scheduled time: an instance whose cron fired a few milliseconds later finds the row and skips.
const START = `
  INSERT INTO tds.job_runs (job, scheduled_at, holder, status, started_at)
  VALUES ($1, $2, $3, 'running', clock_timestamp())
  ON CONFLICT (job, scheduled_at) DO NOTHING
  RETURNING id::text AS id`;

const FINISH = `
  UPDATE tds.job_runs SET status = $2, finished_at = clock_timestamp(), detail = $3, error = $4 WHERE id = $1`;

const RECENT = `
  SELECT id::text AS id, job, scheduled_at, holder, status, started_at, finished_at, detail, error
  FROM tds.job_runs WHERE job = $1 ORDER BY scheduled_at DESC, id DESC LIMIT $2`;

/**
 * SQL of the singleton-job lock. Every statement runs on the caller's dedicated connection (the session that holds
 * the advisory lock), so the repository takes the client per call.
 */
export const JobRunRepository = {
  async tryLock(c: ClientBase, job: string): Promise<boolean> {
    return (await c.query<{ locked: boolean }>(TRY_LOCK, [job])).rows[0].locked;
  },
  async unlock(c: ClientBase, job: string): Promise<void> {
    await c.query(UNLOCK, [job]);
  },
  async abandonStale(c: ClientBase, job: string): Promise<number> {
    return (await c.query(ABANDON_STALE, [job])).rowCount ?? 0;
  },
  async start(c: ClientBase, job: string, scheduledAt: Date, holder: string): Promise<string | null> {
    return (await c.query<{ id: string }>(START, [job, scheduledAt, holder])).rows[0]?.id ?? null;
  },
  async finish(c: ClientBase, id: string, status: 'succeeded' | 'failed', detail: string | null, error: string | null): Promise<void> {
    await c.query(FINISH, [id, status, detail?.slice(0, 4000) ?? null, error?.slice(0, 4000) ?? null]);
  },
  async recent(c: ClientBase, job: string, limit = 20): Promise<JobRunRow[]> {
    return (await c.query<JobRunRow>(RECENT, [job, limit])).rows;
  },
};
