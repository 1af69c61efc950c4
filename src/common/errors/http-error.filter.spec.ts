import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-codes';
import { HttpErrorFilter, oneLine } from './http-error.filter';

function fakeReply() {
  const sent: { status?: number; headers?: Record<string, string>; body?: unknown } = {};
  const reply = {
    raw: { destroyed: false },
    status(code: number) {
      sent.status = code;
      return reply;
    },
    headers(h: Record<string, string>) {
      sent.headers = h;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, sent };
}

describe('HttpErrorFilter: the rejection log line', () => {
  afterEach(() => vi.restoreAllMocks());

  it('quotes a client value with a newline on one line (a text log cannot be forged); the answer keeps it as is', () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const message = 'Parameter event="x\n12:00:00.000 INFO (Launcher): FORGED\r\u0000" must be created, updated or deleted';
    const req = { method: 'POST', url: '/webhooks/contacts?event=x%0A', raw: { id: 'r-1' } } as unknown as FastifyRequest;
    const { reply, sent } = fakeReply();
    new HttpErrorFilter().respond(new DomainError(ErrorCode.InvalidEnvelope, message), req, reply);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0][0]);
    expect(/\p{Cc}/u.test(line)).toBe(false);
    expect(line).toContain('Parameter event="x\\n12:00:00.000 INFO (Launcher): FORGED\\r\\u0000"');
    expect(sent.status).toBe(422);
    expect(sent.body).toMatchObject({ message });
  });

  it('oneLine escapes every control character and leaves other text alone', () => {
    expect(oneLine('a\tb\u007f\u0085 شركة 🚀')).toBe('a\\tb\\u007f\\u0085 شركة 🚀');
  });
});
