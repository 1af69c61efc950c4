import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfigService } from '../../config/app-config.service';
import { authenticateAdmin } from './admin-key';

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the admin key that authenticated this request (ADMIN_API_KEYS `name:key`), for the audit log. */
    adminKeyName?: string;
  }
}

/**
 * Operator endpoints need a key from ADMIN_API_KEYS (`Authorization: Bearer`, `X-API-Key` or `X-Admin-Key`):
 * 401 without one, 403 with a wrong one; with none configured they are closed (403), never open.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    req.adminKeyName = authenticateAdmin(this.config.admin.keys, req.headers);
    return true;
  }
}
