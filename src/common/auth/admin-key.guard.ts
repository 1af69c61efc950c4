import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfigService } from '../../config/app-config.service';
import { matchesAnyKey } from '../crypto/constant-time';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/** Operator endpoints need X-Admin-Key ∈ ADMIN_API_KEYS; with none configured they are closed (403), never open. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(ctx: ExecutionContext): boolean {
    const keys = this.config.admin.apiKeys;
    if (!keys.length) throw new DomainError(ErrorCode.AdminDisabled, 'The admin API is disabled: set ADMIN_API_KEYS to enable it');
    const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['x-admin-key'];
    const presented = Array.isArray(header) ? header[0] : header;
    if (matchesAnyKey(keys, presented)) return true;
    throw new DomainError(ErrorCode.AdminAuthFailed, `${presented ? 'Invalid' : 'Missing'} X-Admin-Key header`);
  }
}
