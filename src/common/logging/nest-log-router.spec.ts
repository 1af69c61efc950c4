import type { LoggerService } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { NestLogRouter } from './nest-log-router';
import { createRootLogger, launcherLogger } from './root-logger';

describe('NestLogRouter', () => {
  const inner = () =>
    ({ log: vi.fn(), debug: vi.fn(), error: vi.fn(), warn: vi.fn(), verbose: vi.fn(), fatal: vi.fn() }) satisfies LoggerService;

  it("sends Nest's wiring lines to debug and everything else through at its level", () => {
    const l = inner();
    const router = new NestLogRouter(l);
    router.log('AppModule dependencies initialized', 'InstanceLoader');
    router.log('Mapped {/health, GET} route', 'RouterExplorer');
    router.log('Nest application successfully started', 'NestApplication');
    router.log('worker started', 'QueueWorker');
    router.warn('careful', 'QueueWorker');
    expect(l.debug).toHaveBeenCalledTimes(3);
    expect(l.log).toHaveBeenCalledExactlyOnceWith('worker started', 'QueueWorker');
    expect(l.warn).toHaveBeenCalledExactlyOnceWith('careful', 'QueueWorker');
  });
});

describe('launcherLogger', () => {
  it('prints lifecycle lines at any level but silent, and follows a more verbose level', () => {
    expect(launcherLogger(createRootLogger({ level: 'warn', format: 'json' })).level).toBe('info');
    expect(launcherLogger(createRootLogger({ level: 'error', format: 'json' })).level).toBe('info');
    expect(launcherLogger(createRootLogger({ level: 'debug', format: 'json' })).level).toBe('debug');
    expect(launcherLogger(createRootLogger({ level: 'silent', format: 'json' })).level).toBe('silent');
  });
});
