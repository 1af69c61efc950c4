import { describe, expect, it } from 'vitest';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-codes';

describe('DomainError', () => {
  it('carries its code, message, details and headers', () => {
    const err = new DomainError(ErrorCode.WebhookAuthFailed, 'no', { id: 1 }, { 'Retry-After': '5' });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('DomainError');
    expect(err.code).toBe(ErrorCode.WebhookAuthFailed);
    expect(err.message).toBe('no');
    expect(err.details).toEqual({ id: 1 });
    expect(err.headers).toEqual({ 'Retry-After': '5' });
  });
});
