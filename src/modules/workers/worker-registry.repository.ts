import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

const REGISTER = `
  INSERT INTO tds.workers (worker_id, role, hostname, pid, version)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat_at = now(), stopped_at = NULL`;

const HEARTBEAT = `
  UPDATE tds.workers SET last_heartbeat_at = now(), events_processed = events_processed + $2, stopped_at = NULL
  WHERE worker_id = $1`;

// A live worker: a process that drains the queue, not cleanly stopped, and whose last beat is at most $1 ms old.
const IS_LIVE_WORKER = `
  stopped_at IS NULL AND last_heartbeat_at > now() - make_interval(secs => $1::float8 / 1000)
  AND role IN ('all', 'worker')`;

// The health probe (small table): how many workers are live.
const COUNT_LIVE_WORKERS = `SELECT count(*)::int AS n FROM tds.workers WHERE ${IS_LIVE_WORKER}`;

// A clean stop: the final count is added and the row no longer counts as live (see IS_LIVE_WORKER).
const MARK_STOPPED = `
  UPDATE tds.workers SET stopped_at = now(), events_processed = events_processed + $2 WHERE worker_id = $1`;

// Old rows of stopped/vanished processes are pruned so the table stays small.
const PRUNE = `DELETE FROM tds.workers WHERE last_heartbeat_at < now() - interval '7 days'`;

@Injectable()
export class WorkerRegistryRepository {
  constructor(private readonly db: DatabaseService) {}

  async register(workerId: string, role: string, host: string, pid: number, version: string): Promise<void> {
    await this.db.execute(REGISTER, [workerId, role, host, pid, version]);
  }

  async heartbeat(workerId: string, processedSinceLast: number): Promise<void> {
    await this.db.execute(HEARTBEAT, [workerId, processedSinceLast]);
  }

  async markStopped(workerId: string, processedSinceLast = 0): Promise<void> {
    await this.db.execute(MARK_STOPPED, [workerId, processedSinceLast]);
  }

  /** How many workers beat within `maxAgeMs`, on the health probes' pool. */
  async countLiveWorkers(maxAgeMs: number): Promise<number> {
    const rows = await this.db.probes.query<{ n: number }>(COUNT_LIVE_WORKERS, [maxAgeMs]);
    return rows[0]?.n ?? 0;
  }

  async prune(): Promise<void> {
    await this.db.execute(PRUNE);
  }
}
