import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfigService } from '../../config/app-config.service';
import { authorizeAdmin } from '../../common/auth/admin-key.guard';

/** `GET /metrics`: open to METRICS_IP_ALLOWLIST (a Prometheus server without credentials), else as any admin route. */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    if (this.config.metrics.ipAllowlist.allows(req.ip)) return true;
    authorizeAdmin(this.config, req);
    return true;
  }
}
