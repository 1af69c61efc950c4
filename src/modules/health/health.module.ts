import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HEALTH_INDICATORS } from './health-indicators';

@Module({})
export class HealthModule {
  /**
   * The probe controller. `indicators` are provider tokens exported by `imports` whose check() joins /health
   * (e.g. the queue's age and worker-heartbeat indicators).
   */
  static register(options: { imports?: DynamicModule['imports']; indicators?: unknown[] } = {}): DynamicModule {
    const tokens = (options.indicators ?? []) as never[];
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false, gracefulShutdownTimeoutMs: 0 }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_INDICATORS, inject: tokens, useFactory: (...indicators: unknown[]) => indicators }],
    };
  }
}
