import type { HealthIndicatorResult } from '@nestjs/terminus';

/** Other modules contribute checks to /health by providing this token (multi-provider array). */
export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');

export interface HealthIndicatorProvider {
  check(): PromiseLike<HealthIndicatorResult> | HealthIndicatorResult;
}
