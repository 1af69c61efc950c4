import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppConfigService } from '../../config/app-config.service';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { EventRepository, NewEvent } from './event.repository';
import { IngestBatcher } from './ingest-batcher';

const config = { webhooks: { batchMax: 10, maxInFlight: 1, retryAfterSeconds: 30, commitTimeoutMs: 1000 } } as unknown as AppConfigService;
const event = { zohoModifiedAt: new Date(), organizationId: null, recordType: 'contact', entityId: '1' } as unknown as NewEvent;

describe('IngestBatcher: a database that cannot take the event', () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers 503 with Retry-After and keeps the driver's message (hosts, ports, users) for the log", async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.20.30.40:5432'), { code: 'ECONNREFUSED' });
    const events = { insertBatch: vi.fn().mockRejectedValue(refused) } as unknown as EventRepository;
    const err = (await new IngestBatcher(events, config).submit(event).catch((e: unknown) => e)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe(ErrorCode.DatabaseUnavailable);
    expect(err.headers).toEqual({ 'Retry-After': '30' });
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain('10.20.30.40');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('connect ECONNREFUSED 10.20.30.40:5432'));
  });
});
