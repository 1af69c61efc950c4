import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AuditInterceptor } from './audit.interceptor';
import { AUDITED, type AuditedMetadata, type AuditedOptions } from './audited.metadata';

export { AUDITED, type AuditedMetadata, type AuditedOptions };

/**
 * Marks an admin route as an audited action: AuditInterceptor writes one tds.admin_audit row per call that passed
 * the admin key check, succeeded or not. `action` is a dotted name: 'event.replay', 'dead-letter.retry', 'alert.acknowledge'.
 * The interceptor is attached to the audited routes only: a global interceptor would put Nest's interceptor chain
 * (rxjs) on every request, the webhook path included (+~60 µs of CPU per webhook, measured; issue 10).
 */
export const Audited = (action: string, options: AuditedOptions = {}) =>
  applyDecorators(SetMetadata(AUDITED, { action, ...options } satisfies AuditedMetadata), UseInterceptors(AuditInterceptor));
