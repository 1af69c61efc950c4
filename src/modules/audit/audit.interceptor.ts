import { CallHandler, ExecutionContext, HttpException, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, Observable, throwError } from 'rxjs';
import { catchError, concatMap } from 'rxjs/operators';
import { DomainError } from '../../common/errors/domain-error';
import { ERROR_STATUS } from '../../common/errors/error-codes';
import { httpExceptionCodeAndMessage, requestIdOf } from '../../common/errors/http-error.filter';
import { AUDITED, AuditedMetadata } from './audited.metadata';
import { AuditService } from './audit.service';

function errorStatus(err: unknown): { status: number; detail: string } {
  if (err instanceof DomainError) return { status: ERROR_STATUS[err.code] ?? 500, detail: `${err.code}: ${err.message}` };
  if (err instanceof HttpException) return { status: err.getStatus(), detail: httpExceptionDetail(err) };
  return { status: 500, detail: 'INTERNAL_ERROR' };
}

function httpExceptionDetail(err: HttpException): string {
  const { code, message } = httpExceptionCodeAndMessage(err);
  return `${code}: ${message}`;
}

/**
 * Writes the audit row of every @Audited() route, after the handler: its status and result, or the error's status
 * and code. It runs after the guards, so it sees the admin key's name (req.adminKeyName); requests refused by the
 * key check or the rate limit are not actions (the error filter logs them). The row is written before the answer
 * is sent; if that write fails the action stands and the failure is logged.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const meta = this.reflector.get<AuditedMetadata | undefined>(AUDITED, ctx.getHandler());
    if (!meta) return next.handle();
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const target = meta.target ? meta.target(req) : ((req.params as Record<string, string> | undefined)?.id ?? null);
    const successStatus =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, ctx.getHandler()) ?? (req.method === 'POST' ? 201 : 200);
    const write = async (statusCode: number, result: 'succeeded' | 'failed', detail: string | null) => {
      try {
        await this.audit.record({
          keyName: req.adminKeyName ?? 'unknown',
          action: meta.action,
          target,
          clientIp: req.ip ?? null,
          statusCode,
          result,
          detail,
          requestId: requestIdOf(req) ?? null,
        });
      } catch (err) {
        this.logger.error({ err }, `audit row for ${meta.action} ${target ?? ''} could not be written: ${(err as Error).message}`);
      }
    };
    return next.handle().pipe(
      concatMap((value) => {
        const outcome = meta.outcome
          ? meta.outcome(value, req)
          : { result: 'succeeded' as const, detail: meta.detail ? meta.detail(value, req) : null };
        return from(write(successStatus, outcome.result, outcome.detail).then(() => value));
      }),
      catchError((err: unknown) => {
        const { status, detail } = errorStatus(err);
        return from(write(status, 'failed', detail)).pipe(concatMap(() => throwError(() => err)));
      }),
    );
  }
}
