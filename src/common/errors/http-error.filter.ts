import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { DomainError } from './domain-error';
import { isDatabaseUnavailable } from './sqlstate';
import { ERROR_STATUS, ErrorCode } from './error-codes';
import { hasAccessLog } from '../logging/access-log';
import { redactUrl } from '../logging/redact-url';
import { requestIdFor } from '../logging/request-id';

const JSON_TYPE = 'application/json; charset=utf-8';

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

  constructor(
    private readonly retryAfterSeconds = 30,
    /** HTTP_REQUEST_TIMEOUT_MS, named in the 408's message. */
    private readonly requestTimeoutMs?: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.respond(exception, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>());
  }

  /** Sends the error answer; also used by Fastify hooks that refuse a request before Nest routes it. */
  respond(exception: unknown, req: FastifyRequest, reply: FastifyReply): void {
    const requestId = requestIdOf(req);
    if (req?.raw?.readableAborted && reply.raw.destroyed) {
      // The connection went before the body was complete (the client hung up, or the request deadline cut it and
      // clientError() answered): reading the body failed with Node's "aborted", which is neither the database's
      // fault nor anyone's to answer.
      this.logger.debug(`request aborted ${req.method} ${redactUrl(req.url)} before its body arrived (${requestId})`);
      return;
    }
    const headers: Record<string, string> = {};
    let body: ErrorBody;

    if (exception instanceof DomainError) {
      const status = ERROR_STATUS[exception.code] ?? 500;
      body = this.body(status, exception.code, exception.message, requestId, exception.details);
      Object.assign(headers, exception.headers ?? {});
    } else if (exception instanceof HttpException && isHealthReport(exception.getResponse())) {
      // Terminus reports (503 from /health) keep their own shape: uptime monitors parse it.
      if (requestId) void reply.header('X-Request-Id', requestId);
      void reply.status(exception.getStatus()).header('Content-Type', JSON_TYPE).send(exception.getResponse());
      return;
    } else if (exception instanceof HttpException) {
      const { code, message } = httpExceptionCodeAndMessage(exception);
      body = this.body(exception.getStatus(), code, message, requestId);
    } else if (isFastifyError(exception)) {
      const status = exception.statusCode;
      body = this.body(status, fastifyCode(exception), fastifyMessage(exception, req), requestId);
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
        `request rejected ${req.method} ${redactUrl(req.url)} → ${body.statusCode} ${body.code}: ${oneLine(body.message)} (${requestId})`,
      );
    }
    if (requestId) headers['X-Request-Id'] = requestId;
    // A route may have set its own type already (`@Header('Content-Type', …)` applies before the handler runs, as on
    // /metrics): the error body is JSON whatever the route would have answered.
    headers['Content-Type'] = JSON_TYPE;
    if (req) req.errorCode = body.code; // for the metrics (rejections by reason)
    void reply.status(body.statusCode).headers(headers).send(body);
  }

  /**
   * Fastify's `clientErrorHandler`: answers what Node's HTTP server raises on a connection rather than on a routed
   * request, i.e. the request deadline (HTTP_REQUEST_TIMEOUT_MS, decision 0009) or a request its parser refuses.
   * No Fastify reply exists for these, so the answer (same shape, `X-Request-Id`, `Connection: close`) is written
   * on the socket, which is then destroyed, as Node's and Fastify's default handlers do.
   */
  clientError(err: Error & { code?: string }, socket: Socket): void {
    // A reset connection has nobody left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // The response of the request being received, set by Node once its headers were parsed (Node's own answer to a
    // client error reads the same field to know whether it may still write): that request keeps its id.
    const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
    const req: IncomingMessage | undefined = res?.req;
    const headersSent = res?.headersSent ?? false;
    if (!socket.writable || headersSent) {
      socket.destroy(err);
      return;
    }
    const ownId = (req as { id?: unknown } | undefined)?.id;
    const requestId = typeof ownId === 'string' ? ownId : req ? requestIdFor(req) : randomUUID();
    const { code, message } = clientRefusal(err, this.requestTimeoutMs);
    if (res && req?.complete) {
      // The request being answered arrived whole: what failed is what came after it on the connection (pipelined
      // bytes). That request gets its own answer, with Connection: close, and the connection ends after it; a 400
      // now, under its id, would tell its client it was refused when it may well have been stored.
      if (res.shouldKeepAlive) {
        res.shouldKeepAlive = false;
        this.logger.warn(`bytes after request ${requestId} on its connection refused (${code}: ${message}); closing after its answer`);
      }
      return;
    }
    const status = ERROR_STATUS[code];
    const body = JSON.stringify(this.body(status, code, message, requestId));
    if (!req || !hasAccessLog(req)) {
      const what = req ? `${req.method} ${redactUrl(req.url ?? '')}` : '(headers incomplete)';
      this.logger.warn(`request rejected ${what} → ${status} ${code}: ${message} (${requestId})`);
    }
    // The access line, written when the response closes, takes its level from this status (not from 200).
    if (res) res.statusCode = status;
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
    socket.destroy(err);
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

/**
 * A message that quotes the client (a decoded `?event=` value, a path segment) stays one log line: control characters
 * are written as escapes. JSON logs escape them anyway; text logs (pino-pretty) keep a newline, so a `%0A` could
 * otherwise forge a line of its own.
 */
export function oneLine(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function isHealthReport(res: unknown): boolean {
  return typeof res === 'object' && res !== null && 'status' in res && 'details' in res;
}

/**
 * The code and message answered for a Nest HTTP exception (the audit log records the same): the message from the
 * response body, where a validation 400 lists one message per bad field, not HttpException.message ("Bad Request Exception").
 */
export function httpExceptionCodeAndMessage(exception: HttpException): { code: string; message: string } {
  const res = exception.getResponse();
  const message =
    typeof res === 'string'
      ? res
      : Array.isArray((res as { message?: unknown }).message)
        ? (res as { message: unknown[] }).message.map(String).join('; ')
        : String((res as { message?: unknown }).message ?? exception.message);
  return { code: httpCode(exception.getStatus()), message };
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

/** The router's errors quote the whole URL, query included (a `?token=` too, and the message is logged): not those. */
function fastifyMessage(e: FastifyLikeError, req: FastifyRequest | undefined): string {
  const path = (req?.url ?? '').split('?')[0];
  if (e.code === 'FST_ERR_BAD_URL') return `Malformed URL: the path ${path} is not valid percent-encoding`;
  if (e.code === 'FST_ERR_MAX_PARAM_LENGTH') return `A parameter in the path ${path} is too long`;
  return e.message;
}

/** The code and message for an error Node's HTTP server raised on a connection (HttpErrorFilter.clientError). */
function clientRefusal(err: Error & { code?: string }, requestTimeoutMs: number | undefined): { code: ErrorCode; message: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const limit = requestTimeoutMs === undefined ? 'in time' : `within ${requestTimeoutMs} ms`;
    return { code: ErrorCode.RequestTimeout, message: `The request (headers and body) did not arrive ${limit}` };
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') return { code: ErrorCode.HeadersTooLarge, message: 'The request headers are too large' };
  // llhttp's reason ("Invalid header token", "Invalid method" …) names the fault without echoing the client's bytes.
  const reason = (err as { reason?: unknown }).reason;
  return { code: ErrorCode.MalformedRequest, message: `Malformed HTTP request${typeof reason === 'string' ? `: ${reason}` : ''}` };
}

function fastifyCode(e: FastifyLikeError): string {
  // The router could not decode the path (a bad percent-encoding): Fastify's frameworkErrors, before any hook.
  if (e.code === 'FST_ERR_BAD_URL') return ErrorCode.InvalidUrl;
  if (e.statusCode === 413) return ErrorCode.PayloadTooLarge;
  if (e.statusCode === 415) return ErrorCode.UnsupportedMediaType;
  if (e.statusCode === 400) return ErrorCode.InvalidJson;
  return httpCode(e.statusCode);
}
