import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { HEALTH_INDICATORS, HealthIndicatorProvider } from './health-indicators';
import { Inject, Optional } from '@nestjs/common';
import { ShutdownState } from './shutdown-state';

/**
 * Terminus probes for uptime monitors and load balancers. No credentials, no request logging,
 * answered in a few milliseconds: /health (everything), /health/live (process only), /health/ready (can take traffic).
 */
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
    private readonly shutdown: ShutdownState,
    @Optional() @Inject(HEALTH_INDICATORS) private readonly extra: HealthIndicatorProvider[] = [],
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    const checks: HealthIndicatorFunction[] = [() => this.db.check('database', 1000)];
    for (const provider of this.extra ?? []) checks.push(() => provider.check());
    return this.health.check(checks);
  }

  @Get('health/live')
  @HttpCode(200)
  live() {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.shutdown.check(),
      () => this.db.check('database', 1000),
    ]);
  }

  /** The earlier system's probe, kept for existing monitors. */
  @Get('ping')
  ping() {
    return { status: 'ok', message: 'pong' };
  }
}
