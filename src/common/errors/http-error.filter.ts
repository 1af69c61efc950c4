import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DomainError } from './domain-error';
import { isDatabaseUnavailable } from './sqlstate';
import { ERROR_STATUS, ErrorCode } from './error-codes';
import { hasAccessLog } from '../logging/access-log';
import { redactUrl } from '../logging/redact-url';

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

export function requestIdOf(req: FastifyRequest | undefined): string | undefined {
  const raw = req?.raw as { id?: unknown } | undefined;
  return (raw?.id as string | undefined) ?? (req?.id as string | undefined);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The `code` of the error answer sent for this request (metrics count rejections by it). */
    errorCode?: string;
    /** A webhook's answer: queued or duplicate (set by the webhook controller). */
    webhookOutcome?: 'queued' | 'duplicate';
  }
}

/**
 * One shape for every error: { statusCode, error, code, message, requestId }.
 * Domain errors map by code, Nest HTTP exceptions keep their status, a lost database is 503 with Retry-After,
 * anything else is a generic 500 whose details go to the log only.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  constructor(private readonly retryAfterSeconds = 30) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.respond(exception, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>());
  }

  /** Sends the error answer; also used by Fastify hooks that refuse a request before Nest routes it. */
  respond(exception: unknown, req: FastifyRequest, reply: FastifyReply): void {
    const requestId = requestIdOf(req);
    const headers: Record<string, string> = {};
    let body: ErrorBody;

    if (exception instanceof DomainError) {
      const status = ERROR_STATUS[exception.code] ?? 500;
      body = this.body(status, exception.code, exception.message, requestId, exception.details);
      Object.assign(headers, exception.headers ?? {});
    } else if (exception instanceof HttpException && isHealthReport(exception.getResponse())) {
      // Terminus reports (503 from /health) keep their own shape: uptime monitors parse it.
      if (requestId) void reply.header('X-Request-Id', requestId);
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    } else if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      const message =
        typeof res === 'string'
          ? res
          : Array.isArray((res as { message?: unknown }).message)
            ? (res as { message: string[] }).message.join('; ')
            : String((res as { message?: unknown }).message ?? exception.message);
      body = this.body(status, httpCode(status), message, requestId);
    } else if (isFastifyError(exception)) {
      const status = exception.statusCode;
      body = this.body(status, fastifyCode(exception), exception.message, requestId);
    } else if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable (${requestId}): ${(exception as Error).message}`);
      body = this.body(503, ErrorCode.DatabaseUnavailable, 'Database unavailable; retry later', requestId);
      headers['Retry-After'] = String(this.retryAfterSeconds);
    } else {
      const err = exception as Error;
      this.logger.error({ err, requestId }, `unhandled error (${requestId}): ${err?.message}`);
      body = this.body(500, 'INTERNAL_ERROR', 'Internal server error', requestId);
    }
    if (body.statusCode === 503 && !headers['Retry-After']) headers['Retry-After'] = String(this.retryAfterSeconds);
    if (body.statusCode < 500 && req?.raw && !hasAccessLog(req.raw)) {
      // A request the access log did not see (the hot path, or refused before routing): its rejection is worth one line.
      this.logger.warn(
        `request rejected ${req.method} ${redactUrl(req.url)} → ${body.statusCode} ${body.code}: ${body.message} (${requestId})`,
      );
    }
    if (requestId) headers['X-Request-Id'] = requestId;
    if (req) req.errorCode = body.code; // for the metrics (rejections by reason)
    void reply.status(body.statusCode).headers(headers).send(body);
  }

  private body(status: number, code: string, message: string, requestId?: string, details?: Record<string, unknown>): ErrorBody {
    return {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      code,
      message,
      ...(requestId ? { requestId } : {}),
      ...(details ? { details } : {}),
    };
  }
}

function isHealthReport(res: unknown): boolean {
  return typeof res === 'object' && res !== null && 'status' in res && 'details' in res;
}

function httpCode(status: number): string {
  return (STATUS_CODES[status] ?? 'ERROR').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

interface FastifyLikeError {
  statusCode: number;
  code?: string;
  message: string;
}

function isFastifyError(e: unknown): e is FastifyLikeError {
  const x = e as FastifyLikeError;
  return (
    !!x &&
    typeof x.statusCode === 'number' &&
    x.statusCode >= 400 &&
    x.statusCode < 600 &&
    typeof x.code === 'string' &&
    x.code.startsWith('FST_')
  );
}

function fastifyCode(e: FastifyLikeError): string {
  if (e.statusCode === 413) return ErrorCode.PayloadTooLarge;
  if (e.statusCode === 415) return ErrorCode.UnsupportedMediaType;
  if (e.statusCode === 400) return ErrorCode.InvalidJson;
  return httpCode(e.statusCode);
}
