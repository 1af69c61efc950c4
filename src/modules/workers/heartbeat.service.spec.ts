import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppConfigService } from '../../config/app-config.service';
import { HeartbeatService } from './heartbeat.service';
import type { WorkerRegistryRepository } from './worker-registry.repository';

const config = { health: { workerHeartbeatTimeoutS: 30 } } as unknown as AppConfigService;
const failingWith = (err: Error) => ({ markStopped: () => Promise.reject(err) }) as unknown as WorkerRegistryRepository;

describe('HeartbeatService at shutdown', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a database already gone (Ctrl-C reached an embedded PostgreSQL too) is a warning; any other failure an error', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const shutdown = Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
    await new HeartbeatService(failingWith(shutdown), config).onApplicationShutdown();
    expect(error).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not mark worker .* stopped .*shutting down .*30 s old/));

    warn.mockClear();
    await new HeartbeatService(
      failingWith(Object.assign(new Error('permission denied'), { code: '42501' })),
      config,
    ).onApplicationShutdown();
    expect(warn).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/could not mark worker .* stopped .*permission denied/));
  });
});
