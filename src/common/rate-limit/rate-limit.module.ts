import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { AppConfigService } from '../../config/app-config.service';
import { ADMIN_READS, ADMIN_WRITES, isAdminRead } from './admin-throttler.guard';

/**
 * @nestjs/throttler for the admin API (docs/decisions/0020). Counters live in this process's memory: with several
 * API processes each allows the limit. Webhooks are limited per client IP in their preauth hook instead
 * (src/modules/webhooks/webhook-rate-limit.ts): that path is too hot for a guard.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        throttlers: [
          { name: ADMIN_WRITES, ttl: 60_000, limit: config.rateLimit.adminWritesPerMinute, skipIf: isAdminRead },
          { name: ADMIN_READS, ttl: 60_000, limit: config.rateLimit.adminReadsPerMinute, skipIf: (ctx) => !isAdminRead(ctx) },
        ],
        // Per key (AdminKeyGuard ran first); one counter per key across every admin route, not per route.
        getTracker: (req: Record<string, unknown>) =>
          (req as unknown as FastifyRequest).adminKeyName ?? `ip:${(req as unknown as FastifyRequest).ip}`,
        generateKey: (_ctx, tracker, name) => `${name}:${tracker}`,
        setHeaders: false,
      }),
    }),
  ],
})
export class RateLimitModule {}
