import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { RootLogger } from './root-logger';

/**
 * Structured logs (pino): Nest's Logger writes through nestjs-pino onto the process's root logger
 * (src/common/logging/root-logger.ts, level and format from `config.log`).
 * nestjs-pino gets no routes: the access log is a Fastify hook (src/common/logging/access-log.ts, decision 0026), so
 * no request goes through Nest middleware and no request-scoped logger is bound with AsyncLocalStorage. Lines that
 * belong to a request carry its id themselves (HttpErrorFilter, the audit log).
 */
@Module({})
export class LoggingModule {
  static forRoot(root: RootLogger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ forRoutes: [], pinoHttp: { logger: root } })],
    };
  }
}
