import type { FastifyRequest } from 'fastify';

export const AUDITED = Symbol('tds:audited');

export interface AuditedOptions {
  /** What the action acts on, from the request; default: the `:id` route parameter. */
  target?: (req: FastifyRequest) => string | null;
  /** A line about what a successful action did (e.g. how many events a bulk retry moved). */
  detail?: (result: unknown, req: FastifyRequest) => string | null;
  /**
   * For an action that answers 2xx while what it did may have failed (reconcile passes, test notifications): its
   * audit result and one-line detail from the answer. `failed` here means "did not fully succeed"; the status stays.
   * Takes precedence over `detail`.
   */
  outcome?: (result: unknown, req: FastifyRequest) => AuditOutcome;
}

export interface AuditOutcome {
  result: 'succeeded' | 'failed';
  detail: string | null;
}

export interface AuditedMetadata extends AuditedOptions {
  action: string;
}
