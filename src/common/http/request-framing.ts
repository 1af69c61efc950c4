import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/** How Node's HTTP server tells `Expect: 100-continue` from any other expectation (lib/_http_server.js). */
const CONTINUE_EXPECTATION = /(?:^|\W)100-continue(?:$|\W)/i;

function codings(value: string | string[] | undefined): string[] {
  return String(value ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
}

/**
 * What in a request's framing the service does not support, decided on the headers alone (before the body is read):
 * - an HTTP/1.1 request without Host: RFC 9112 §3.2 requires a 400 (Node's own is an empty answer, so the server
 *   leaves it to us: `requireHostHeader: false`);
 * - an expectation other than 100-continue: 417 (Node's own is an empty answer, so the server passes it on);
 * - a transfer coding other than chunked (`Transfer-Encoding: gzip, chunked`): Node removes the chunking and nothing
 *   else, so the bytes would be read as if they were not compressed;
 * - a content coding (`Content-Encoding: gzip`, deflate, br …) on a body: the body is read as sent, exact bytes (webhook
 *   signatures cover them), and never decompressed (docs/decisions/0009-http-limits-and-memory-bound.md).
 */
export function framingRefusal(req: IncomingMessage): DomainError | undefined {
  const { headers } = req;
  if (req.httpVersion === '1.1' && headers.host === undefined) {
    return new DomainError(ErrorCode.MalformedRequest, 'Malformed HTTP request: an HTTP/1.1 request needs a Host header');
  }
  const expect = headers.expect;
  if (expect !== undefined && !CONTINUE_EXPECTATION.test(expect)) {
    return new DomainError(ErrorCode.ExpectationFailed, 'Expect: only 100-continue is supported');
  }
  const transfer = codings(headers['transfer-encoding']);
  if (transfer.length > 0 && (transfer.length !== 1 || transfer[0] !== 'chunked')) {
    return new DomainError(
      ErrorCode.MalformedRequest,
      `Malformed HTTP request: Transfer-Encoding "${transfer.join(', ')}" is not supported; send the body chunked or with a Content-Length, uncompressed`,
    );
  }
  const hasBody = transfer.length > 0 || Number(headers['content-length'] ?? 0) > 0;
  const content = codings(headers['content-encoding']).filter((c) => c !== 'identity');
  if (hasBody && content.length > 0) {
    return new DomainError(
      ErrorCode.UnsupportedMediaType,
      `Content-Encoding "${content.join(', ')}" is not supported: send the body uncompressed`,
      { field: 'Content-Encoding' },
      { 'Accept-Encoding': 'identity' },
    );
  }
  return undefined;
}

/**
 * onRequest hook refusing what framingRefusal() names, in the usual error body, with `Connection: close` (the body,
 * if any, is left unread and goes with the connection); `100 Continue` only for a request every onRequest hook let
 * through. Register it first, after the request-id hook.
 */
export function registerRequestFraming(
  fastify: FastifyInstance,
  reject: (err: unknown, req: FastifyRequest, reply: FastifyReply) => void,
): void {
  // Without a listener Node answers other expectations with a bare 417 itself; with one, the request comes here.
  fastify.server.on('checkExpectation', (req: IncomingMessage, res) => fastify.server.emit('request', req, res));
  // Without a listener Node sends `100 Continue` before any hook has run, inviting the body of a request that the
  // webhook key check is about to refuse; with one, the 100 goes out once the onRequest hooks have let it through.
  fastify.server.on('checkContinue', (req: IncomingMessage, res) => fastify.server.emit('request', req, res));
  fastify.addHook('preParsing', (req, reply, payload, done) => {
    const expect = req.headers.expect;
    if (expect !== undefined && CONTINUE_EXPECTATION.test(expect) && !reply.raw.headersSent) reply.raw.writeContinue();
    done(null, payload);
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    const refusal = framingRefusal(req.raw);
    if (refusal === undefined) return done();
    void reply.header('Connection', 'close');
    reject(refusal, req, reply);
  });
}
