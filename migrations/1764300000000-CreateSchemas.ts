import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Engine schema `tds` (queue, worker bookkeeping) and ERP target schema `erp` (filled by the sync handlers).
 * This first migration holds what the foundation needs: worker heartbeats and leader leases.
 */
export class CreateSchemas1764300000000 implements MigrationInterface {
  name = 'CreateSchemas1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS tds`);
    await q.query(`CREATE SCHEMA IF NOT EXISTS erp`);
    // One row per running process (API or worker); the health check and later the monitoring job read it.
    await q.query(`
      CREATE TABLE tds.workers (
        worker_id          text PRIMARY KEY,
        role               text NOT NULL CHECK (role IN ('all', 'api', 'worker')),
        hostname           text NOT NULL,
        pid                integer NOT NULL,
        version            text NOT NULL,
        started_at         timestamptz NOT NULL DEFAULT now(),
        last_heartbeat_at  timestamptz NOT NULL DEFAULT now(),
        stopped_at         timestamptz,
        events_processed   bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX workers_heartbeat_idx ON tds.workers (last_heartbeat_at DESC)`);
    // Single-leader jobs (monitoring, backups): whoever holds an unexpired lease runs the job.
    await q.query(`
      CREATE TABLE tds.leader_leases (
        name         text PRIMARY KEY,
        holder       text NOT NULL,
        acquired_at  timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tds.leader_leases`);
    await q.query(`DROP TABLE IF EXISTS tds.workers`);
    await q.query(`DROP SCHEMA IF EXISTS erp CASCADE`);
    await q.query(`DROP SCHEMA IF EXISTS tds CASCADE`);
  }
}
