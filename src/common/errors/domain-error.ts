import { ErrorCode } from './error-codes';

/** Services throw these; the global filter turns the code into an HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers (e.g. Retry-After on 503). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** PostgreSQL / driver errors that mean "the database cannot commit right now" (retry later), not bad input. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  const code = e.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  // 08xxx connection exceptions, 57P0x admin shutdown / crash shutdown / cannot connect now, 53xxx resources,
  // 40001/40P01 serialization/deadlock (transient), 25006 read-only transaction (failover)
  if (/^(08|53|57P0)/.test(code) || code === '40001' || code === '40P01' || code === '25006' || code === '57014') return true;
  const msg = e.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|not queryable/i.test(
    msg,
  );
}
