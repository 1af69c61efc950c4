/**
 * What a PostgreSQL (or driver) error means for the caller, by its SQLSTATE (`err.code`): the ingest batcher (503 or
 * 422), the worker's error classification (retry or dead letter) and the HTTP error filter (503) all ask here.
 */

/** The error's SQLSTATE or Node error code ('' when it has none). */
export function sqlStateOf(err: unknown): string {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * PostgreSQL refused the data itself: the same rows would be refused again, so retrying cannot help (the worker
 * dead-letters, the ingest answers 422). By SQLSTATE class:
 * - 21 cardinality violation: one statement touching a row twice (ON CONFLICT DO UPDATE), a subquery of many rows;
 * - 22 data exception, 23 integrity constraint violation;
 * - 27 triggered data change violation, 44 WITH CHECK OPTION violation: a trigger's or a view's verdict on the rows;
 * - 54 program limit exceeded: the data is too large for a limit (an index entry over btree's maximum, a row or an
 *   array too big, a statement too complex), fixed only by other data or another schema.
 * Not here, because they pass or are the same for every event (a deploy, a migration or a grant fixes them, and the
 * backoff gives it time): 08 connection, 40 rollback (deadlock, serialization), 53 insufficient resources,
 * 55 object not in prerequisite state (55P03 lock timeout), 57 operator intervention (cancel, statement timeout,
 * shutdown), 58 system error, 25 transaction state, 42 syntax or access rule, 0A not supported, XX internal error.
 */
export function isDataRejected(err: unknown): boolean {
  return /^(2[1237]|44|54)[0-9A-Z]{3}$/.test(sqlStateOf(err));
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
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|not queryable|Query read timeout/i.test(
    msg,
  );
}
