import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/** The exact request bytes, kept by the body parser for signature checks. */
export type RawBodyRequest = IncomingMessage & { rawBody?: Buffer };

interface RequestLike {
  url?: string;
  headers: IncomingMessage['headers'];
}

function mediaType(req: RequestLike): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/**
 * Webhook routes get the raw Buffer (the receiver parses it itself, numbers exact, after checking the signature).
 * Our own JSON API gets ordinary parsing with a clear 400 / 415.
 */
export function parseRequestBody(req: RequestLike, body: Buffer, basePath: string): unknown {
  const path = (req.url ?? '').split('?')[0];
  if (path.startsWith(`${basePath}/webhooks/`) || path === `${basePath}/webhooks`) return body;
  const type = mediaType(req);
  if (body.length === 0) return undefined;
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new DomainError(ErrorCode.InvalidJson, `Invalid JSON body: ${(err as Error).message}`);
    }
  }
  if (type === 'application/x-www-form-urlencoded') return parseQueryString(body.toString('utf8'));
  throw new DomainError(ErrorCode.UnsupportedMediaType, `Unsupported Content-Type "${type || '(none)'}"; send application/json`);
}
