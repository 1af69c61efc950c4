import { isDataRejected, isDatabaseUnavailable, sqlStateOf } from '../../common/errors/sqlstate';

export type ErrorKind = 'transient' | 'permanent';

/**
 * Transient: the database is unreachable, restarting, out of resources, or the transaction lost a
 * deadlock/serialization race — retry with backoff. Permanent: PostgreSQL refused the data itself (classes 21, 22,
 * 23, 27, 44, 54: see isDataRejected) — retrying the same data cannot help, straight to dead letter with the code, so
 * the record's later events are not held back. Anything else (a bug in a handler, a statement or schema the next
 * deploy fixes, a lock timeout) is retried up to the attempt limit, then dead-lettered.
 */
export function classifyError(err: unknown): { kind: ErrorKind; code: string; message: string } {
  const code = sqlStateOf(err) || 'ERROR';
  const message = (err as { message?: string } | null | undefined)?.message ?? String(err);
  if (isDatabaseUnavailable(err)) return { kind: 'transient', code, message };
  if (isDataRejected(err)) return { kind: 'permanent', code, message };
  return { kind: 'transient', code, message };
}
