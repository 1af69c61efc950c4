import { Controller, Get, HttpCode, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { HEALTH_INDICATORS, HealthIndicatorProvider } from './health-indicators';
import { ShutdownState } from './shutdown-state';

/**
 * Terminus probes for uptime monitors and load balancers. No credentials, no request logging,
 * answered in a few milliseconds: /health (everything), /health/live (process only), /health/ready (can take traffic).
 */
@ApiTags('health')
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
  @ApiOperation({ summary: 'Full health: database ping, queue age, worker heartbeats (503 names the failing check)' })
  check() {
    const checks: HealthIndicatorFunction[] = [() => this.db.check('database', 1000)];
    for (const provider of this.extra ?? []) checks.push(() => provider.check());
    return this.health.check(checks);
  }

  @Get('health/live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is up (no I/O)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', uptimeSeconds: 42 } } })
  live() {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: can take traffic (database reachable, not shutting down)' })
  ready() {
    return this.health.check([() => this.shutdown.check(), () => this.db.check('database', 1000)]);
  }

  /** The earlier system's probe, kept for existing monitors. */
  @Get('ping')
  @ApiOperation({ summary: "The earlier system's probe, kept for existing monitors" })
  @ApiOkResponse({ schema: { example: { status: 'ok', message: 'pong' } } })
  ping() {
    return { status: 'ok', message: 'pong' };
  }
}
