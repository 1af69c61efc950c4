import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/** Named throttlers (ThrottlerModule options, see rate-limit.module.ts). */
export const ADMIN_WRITES = 'admin-writes';
export const ADMIN_READS = 'admin-reads';

/** GET/HEAD read; every other method is an action that changes something. */
export const isAdminRead = (ctx: ExecutionContext): boolean => {
  const method = ctx.switchToHttp().getRequest<FastifyRequest>().method;
  return method === 'GET' || method === 'HEAD';
};

/**
 * Per admin key, per minute: actions (RATE_LIMIT_PER_MINUTE) and reads (RATE_LIMIT_READS_PER_MINUTE) are counted
 * apart, across every admin route. Runs after AdminKeyGuard (which names the key); a refused request gets 429 in
 * the one error shape with Retry-After.
 */
@Injectable()
export class AdminThrottlerGuard extends ThrottlerGuard {
  protected async throwThrottlingException(ctx: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const kind = isAdminRead(ctx) ? 'reads' : 'actions';
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new DomainError(
      ErrorCode.RateLimited,
      `Too many admin ${kind}: at most ${detail.limit} a minute per admin key; retry in ${retryAfter} s`,
      { limit: detail.limit, retryAfterSeconds: retryAfter },
      { 'Retry-After': String(retryAfter) },
    );
  }
}
