import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The singleton-job lock (src/modules/scheduling): one row per scheduled job run, unique on (job, scheduled time), with
 * how it ended. Replaces tds.leader_leases (a TTL lease with no renewal and no fencing, never used).
 */
export class SingletonJobRuns1764300000006 implements MigrationInterface {
  name = 'SingletonJobRuns1764300000006';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tds.job_runs (
        id            bigserial PRIMARY KEY,
        job           text NOT NULL,
        scheduled_at  timestamptz NOT NULL,
        -- the process that ran it (host:pid:random, as in tds.workers)
        holder        text NOT NULL,
        status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
        started_at    timestamptz NOT NULL,
        finished_at   timestamptz,
        detail        text,
        error         text,
        CONSTRAINT job_runs_job_scheduled_uq UNIQUE (job, scheduled_at)
      )`);
    await q.query(`DROP TABLE tds.leader_leases`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tds.leader_leases (
        name         text PRIMARY KEY,
        holder       text NOT NULL,
        acquired_at  timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL
      )`);
    await q.query(`DROP TABLE tds.job_runs`);
  }
}
