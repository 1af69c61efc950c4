import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { HEALTH_INDICATORS } from './health-indicators';
import { ShutdownState } from './shutdown-state';

@Module({})
export class HealthModule {
  /** `indicators` are provider classes (from imported modules) whose check() joins /health. */
  static register(options: { imports?: DynamicModule['imports']; indicators?: Provider[]; indicatorTokens?: unknown[] } = {}): DynamicModule {
    const tokens = (options.indicatorTokens ?? []) as never[];
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', gracefulShutdownTimeoutMs: 0 }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        DatabaseHealthIndicator,
        ShutdownState,
        ...(options.indicators ?? []),
        { provide: HEALTH_INDICATORS, inject: tokens, useFactory: (...indicators: unknown[]) => indicators },
      ],
      exports: [DatabaseHealthIndicator, ShutdownState],
    };
  }
}
