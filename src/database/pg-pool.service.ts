import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';

/**
 * The pg Pool that TypeORM opened. The queue's hot paths (ingest batches, claims, batch transactions) use it
 * directly: they need exact control over transactions and multi-row statements, and one pool means one
 * DATABASE_POOL_SIZE budget for the process.
 */
@Injectable()
export class PgPoolService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  get pool(): Pool {
    const pool = (this.ds.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('database pool is not initialised');
    return pool;
  }

  query<R = Record<string, unknown>>(text: string, params?: unknown[]) {
    return this.pool.query<R & object>(text, params);
  }

  /**
   * Runs fn inside BEGIN/COMMIT on one pooled client; rolls back on error.
   * `asyncCommit`: COMMIT does not wait for the WAL flush (synchronous_commit = off for this transaction only). Only
   * for work that is replayed from durable state when a crash loses it — the worker's batches (docs/decisions/0004).
   */
  async transaction<T>(fn: (client: PoolClient) => Promise<T>, options: { asyncCommit?: boolean } = {}): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // pg-pool stops listening for errors on a checked-out client: a server that ends the session between two
    // queries (restart, admin shutdown) would otherwise emit an unhandled 'error' and kill the process.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query(options.asyncCommit ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // connection is gone; do not return it to the pool
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken ? true : undefined);
    }
  }
}
