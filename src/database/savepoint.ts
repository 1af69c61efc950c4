import type { Queryable } from './queryable';

/** Savepoint names are written into the SQL (they cannot be parameters): a fixed set, never user input. */
export type SavepointName = 'batch' | 'one';

/** Marks a savepoint inside the caller's transaction (one round trip, as the bare statement). */
export async function savepoint(tx: Queryable, name: SavepointName): Promise<void> {
  await tx.query(`SAVEPOINT ${name}`);
}

/** Undoes everything since the savepoint; the transaction (and its row locks taken before it) goes on. */
export async function rollbackToSavepoint(tx: Queryable, name: SavepointName): Promise<void> {
  await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
}

export async function releaseSavepoint(tx: Queryable, name: SavepointName): Promise<void> {
  await tx.query(`RELEASE SAVEPOINT ${name}`);
}
