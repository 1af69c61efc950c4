import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { nestingTooDeepAt } from '../json/exact-json';

/** The exact request bytes, kept by the body parser for signature checks. */
export type RawBodyRequest = IncomingMessage & { rawBody?: Buffer };

/**
 * Our own API's bodies are flat (a few fields); the validation pipe (class-transformer) and the audit log
 * (JSON.stringify) walk a body recursively, so nesting is bounded as on the webhook route (MAX_JSON_DEPTH).
 */
export const MAX_API_JSON_DEPTH = 64;

interface RequestLike {
  headers: IncomingMessage['headers'];
}

function mediaType(req: RequestLike): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/**
 * The webhook route gets the raw Buffer (the receiver parses it itself, numbers exact, after checking the signature).
 * Our own JSON API gets ordinary parsing with a clear 400 / 415.
 *
 * `webhookRoute` is whether the route Fastify matched is the webhook route (`request.routeOptions.url`), never a test
 * on the raw URL: the router decodes the path and reads an absolute-form target by its path, so `/%77ebhooks/items`
 * and `POST http://host/webhooks/items` are the webhook route too, and their bodies must stay exact bytes.
 */
export function parseRequestBody(req: RequestLike, body: Buffer, webhookRoute: boolean): unknown {
  if (webhookRoute) return body;
  const type = mediaType(req);
  if (body.length === 0) return undefined;
  if (type === 'application/json' || type.endsWith('+json')) {
    const text = body.toString('utf8').replace(/^\uFEFF/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new DomainError(ErrorCode.InvalidJson, `Invalid JSON body: ${(err as Error).message}`);
    }
    const tooDeep = nestingTooDeepAt(text, MAX_API_JSON_DEPTH);
    if (tooDeep !== undefined) {
      throw new DomainError(
        ErrorCode.InvalidJson,
        `Invalid JSON body: nesting deeper than ${MAX_API_JSON_DEPTH} levels at position ${tooDeep}`,
      );
    }
    return parsed;
  }
  if (type === 'application/x-www-form-urlencoded') return parseQueryString(body.toString('utf8'));
  throw new DomainError(ErrorCode.UnsupportedMediaType, `Unsupported Content-Type "${type || '(none)'}"; send application/json`);
}
