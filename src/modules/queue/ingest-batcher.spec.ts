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

  it("a body the jsonb cast refuses (a lone surrogate) is 422 saying why, from PostgreSQL's DETAIL", async () => {
    const refused = Object.assign(new Error('invalid input syntax for type json'), {
      code: '22P02',
      detail: 'Unicode low surrogate must follow a high surrogate.',
    });
    const events = { insertBatch: vi.fn().mockRejectedValue(refused) } as unknown as EventRepository;
    const err = (await new IngestBatcher(events, config).submit(event).catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe(ErrorCode.InvalidEnvelope);
    expect(err.message).toBe(
      'The database refused the payload: invalid input syntax for type json (Unicode low surrogate must follow a high surrogate)',
    );
    expect(err.details).toEqual({ sqlstate: '22P02' });
  });
});
