import type { LoggerService } from '@nestjs/common';

/**
 * Nest's own wiring lines: modules initialised, controllers and routes mapped, "starting" / "started". About 30 of
 * them per start, useful when debugging the wiring and noise otherwise, so they go out at debug level.
 */
const WIRING_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

const isWiring = (params: unknown[]) => {
  const context = params[params.length - 1];
  return typeof context === 'string' && WIRING_CONTEXTS.has(context);
};

/** Wraps the app's pino-backed LoggerService; every other line passes through at its own level. */
export class NestLogRouter implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    if (isWiring(params)) this.inner.debug?.(message, ...params);
    else this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...params);
  }
}
