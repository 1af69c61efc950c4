import type { IncomingMessage } from 'node:http';

/** The requests the access log middleware (pino-http) took in: it writes their line when they finish. */
const accessLogged = new WeakSet<IncomingMessage>();

/** Called by the access log for each request it handles (LoggingModule's customProps). */
export function markAccessLogged(raw: IncomingMessage): void {
  accessLogged.add(raw);
}

/**
 * Whether the access log took this request. A request it did not (the webhook path, or one refused by a hook before
 * routing) has no line unless its error handler writes one.
 */
export function hasAccessLog(raw: IncomingMessage): boolean {
  return accessLogged.has(raw);
}
