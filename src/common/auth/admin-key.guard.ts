import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfigService } from '../../config/app-config.service';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { authenticateAdmin } from './admin-key';

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the admin key that authenticated this request (ADMIN_API_KEYS `name:key`), for the audit log. */
    adminKeyName?: string;
  }
}

/**
 * Operator endpoints: the client address must be in ADMIN_IP_ALLOWLIST when one is set (403), then a key from
 * ADMIN_API_KEYS (`Authorization: Bearer`, `X-API-Key` or `X-Admin-Key`): 401 without one, 403 with a wrong one;
 * with no key configured they are closed (403), never open.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(ctx: ExecutionContext): boolean {
    authorizeAdmin(this.config, ctx.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }
}

/** The admin check of AdminKeyGuard, for guards that allow more (e.g. /metrics from a Prometheus address). */
export function authorizeAdmin(config: AppConfigService, req: FastifyRequest): void {
  const { ipAllowlist, keys } = config.admin;
  if (ipAllowlist.configured && !ipAllowlist.allows(req.ip)) {
    throw new DomainError(ErrorCode.AdminIpNotAllowed, `The admin API is not open to ${req.ip}: see ADMIN_IP_ALLOWLIST`);
  }
  req.adminKeyName = authenticateAdmin(keys, req.headers);
}
