/**
 * What a PostgreSQL (or driver) error means for the caller, by its SQLSTATE (`err.code`): the ingest batcher (503 or
 * 422), the worker's error classification (retry or dead letter) and the HTTP error filter (503) all ask here.
 */

/** The error's SQLSTATE or Node error code ('' when it has none). */
export function sqlStateOf(err: unknown): string {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/** Class 22 (data exception) or 23 (integrity constraint violation): PostgreSQL refused the data itself. */
export function isDataRejected(err: unknown): boolean {
  return /^2[23]/.test(sqlStateOf(err));
}

/** PostgreSQL / driver errors that mean "the database cannot commit right now" (retry later), not bad input. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  const code = sqlStateOf(err);
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  // 08xxx connection exceptions, 57P0x admin shutdown / crash shutdown / cannot connect now, 53xxx resources,
  // 40001/40P01 serialization/deadlock (transient), 25006 read-only transaction (failover)
  if (/^(08|53|57P0)/.test(code) || code === '40001' || code === '40P01' || code === '25006' || code === '57014') return true;
  const msg = e.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|not queryable/i.test(
    msg,
  );
}
