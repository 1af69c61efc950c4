import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export const AUDITED = Symbol('tds:audited');

export interface AuditedOptions {
  /** What the action acts on, from the request; default: the `:id` route parameter. */
  target?: (req: FastifyRequest) => string | null;
  /** A line about what a successful action did (e.g. how many events a bulk retry moved). */
  detail?: (result: unknown, req: FastifyRequest) => string | null;
}

export interface AuditedMetadata extends AuditedOptions {
  action: string;
}

/**
 * Marks an admin route as an audited action: AuditInterceptor writes one tds.admin_audit row per call that passed
 * the admin key check, succeeded or not. `action` is a dotted name: 'event.replay', 'dead-letter.retry', 'alert.acknowledge'.
 */
export const Audited = (action: string, options: AuditedOptions = {}) =>
  SetMetadata(AUDITED, { action, ...options } satisfies AuditedMetadata);
