import { Controller, Get, HttpCode, Inject, Logger, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { HEALTH_INDICATORS, HealthIndicatorProvider } from './health-indicators';
import { ShutdownState } from './shutdown-state';

/**
 * Terminus probes for uptime monitors and load balancers. No credentials, no request logging,
 * answered in a few milliseconds: /health (everything), /health/live (process only), /health/ready (can take traffic).
 *
 * A failing probe is logged when what fails changes (one warning naming the failing checks, one line when all are up
 * again), not on every probe: an uptime monitor asks every few seconds, and Terminus' own per-probe error log
 * (switched off in HealthModule) wrote two multi-line error entries for each of them.
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

  private readonly logger = new Logger('Health');
  /** Per probe: the failing checks last seen ('' = all up). */
  private readonly failing = new Map<string, string>();

  private async observed(probe: string, result: Promise<HealthCheckResult>): Promise<HealthCheckResult> {
    try {
      const ok = await result;
      this.transition(probe, '', undefined);
      return ok;
    } catch (err) {
      if (err instanceof ServiceUnavailableException) {
        const body = err.getResponse() as Partial<HealthCheckResult>;
        const errors = body.error ?? {};
        const names = Object.keys(errors).sort().join(', ') || String(body.status ?? 'error');
        this.transition(probe, names, errors);
      }
      throw err;
    }
  }

  private transition(probe: string, failing: string, errors: Record<string, unknown> | undefined): void {
    const before = this.failing.get(probe) ?? '';
    if (before === failing) return;
    this.failing.set(probe, failing);
    if (failing) {
      const why = Object.entries(errors ?? {})
        .map(([name, v]) => `${name}: ${String((v as { message?: unknown })?.message ?? 'down')}`)
        .join('; ');
      this.logger.warn(`${probe} is failing (${failing})${why ? `: ${why}` : ''}`);
    } else {
      this.logger.log(`${probe} is healthy again (was failing: ${before})`);
    }
  }

  @Get('health')
  @HealthCheck()
  @ApiOperation({ summary: 'Full health: database ping, queue age, worker heartbeats (503 names the failing check)' })
  check() {
    const checks: HealthIndicatorFunction[] = [() => this.db.check()];
    for (const provider of this.extra ?? []) checks.push(() => provider.check());
    return this.observed('/health', this.health.check(checks));
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
    return this.observed('/health/ready', this.health.check([() => this.shutdown.check(), () => this.db.check()]));
  }

  /** The earlier system's probe, kept for existing monitors. */
  @Get('ping')
  @ApiOperation({ summary: "The earlier system's probe, kept for existing monitors" })
  @ApiOkResponse({ schema: { example: { status: 'ok', message: 'pong' } } })
  ping() {
    return { status: 'ok', message: 'pong' };
  }
}
