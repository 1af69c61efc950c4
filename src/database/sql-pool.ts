import type { Pool, PoolClient } from 'pg';
import type { Queryable } from './queryable';

export interface TransactionOptions {
  /**
   * COMMIT does not wait for the WAL flush (synchronous_commit = off for this transaction only). Only for work that
   * is replayed from durable state when a crash loses it — the worker's batches (docs/decisions/0004).
   */
  asyncCommit?: boolean;
}

/**
 * Typed access to one pg Pool: `query<Row>()` returns the rows, `execute()` the row count, `transaction()` runs a
 * function on one client inside BEGIN/COMMIT. Repositories get it from DatabaseService (the application pool, or
 * `probes` for health checks); nothing else in the service holds a pool.
 */
export class SqlPool {
  constructor(protected readonly pool: Pool) {}

  /** The pool itself as a Queryable: for namedQuery (prepared statements) outside a transaction. */
  get queryable(): Queryable {
    return this.pool;
  }

  async query<Row extends object>(text: string, params?: unknown[]): Promise<Row[]> {
    return (await this.pool.query<Row>(text, params)).rows;
  }

  /** Runs a statement for its effect; returns how many rows it touched. */
  async execute(text: string, params?: unknown[]): Promise<number> {
    return (await this.pool.query(text, params)).rowCount ?? 0;
  }

  /** Runs fn inside BEGIN/COMMIT on one pooled client; rolls back on error. */
  async transaction<T>(fn: (tx: PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // pg-pool stops listening for errors on a checked-out client: a server that ends the session between two
    // queries (restart, admin shutdown) would otherwise emit an unhandled 'error' and kill the process.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      // One round trip for both: the batch's asynchronous commit costs nothing extra.
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

  /** One round trip on a pooled connection: the database answers. */
  /** One round trip; also tells whether the server runs autovacuum (the queue's statistics depend on it, issue 15). */
  async ping(): Promise<{ autovacuum: boolean }> {
    const { rows } = await this.pool.query<{ autovacuum: boolean }>(`SELECT current_setting('autovacuum')::boolean AS autovacuum`);
    return { autovacuum: rows[0]?.autovacuum ?? true };
  }

  async end(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
