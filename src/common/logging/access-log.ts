import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pinoHttp } from 'pino-http';
import { redactUrl } from './redact-url';
import { requestIdFor } from './request-id';
import type { RootLogger } from './root-logger';

/** The requests the access log took in: it writes their line when they finish. */
const accessLogged = new WeakSet<IncomingMessage>();

/**
 * Whether the access log took this request. A request it did not (the webhook path, the API docs, or one refused
 * by a hook that ran before it) has no line unless its error handler writes one (HttpErrorFilter).
 */
export function hasAccessLog(raw: IncomingMessage): boolean {
  return accessLogged.has(raw);
}

/** Probes get no access line (HealthController logs when their outcome changes). */
const PROBE = /\/(health|ping)(\/|$|\?)/;

/**
 * The access log: one line per finished request (pino-http on the process's root logger), with the request id, the
 * redacted URL, the client's address, the status and the time taken.
 *
 * It runs as a Fastify onRequest hook, not as Nest middleware (decision 0026): Nest middleware goes through middie on
 * every request, and nestjs-pino's middleware binds each request's logger with AsyncLocalStorage, whose first use
 * switches on Node 20's async hooks for the whole process (every promise then pays for them, webhooks included).
 * `skip` names the requests without a line: the webhook path (thousands a second; a delivery's outcome is in
 * tds.events, a rejected one gets a line from HttpErrorFilter) and the API docs' static files.
 * Registered after the hook that sets `raw.id` and `raw.clientIp` (src/app.factory.ts).
 */
export function registerAccessLog(fastify: FastifyInstance, root: RootLogger, skip: (req: FastifyRequest) => boolean): void {
  const httpLogger = pinoHttp({
    // pino-http derives its logger from this one (a child with the options below).
    logger: root,
    // Fastify assigns the id (src/common/logging/request-id.ts) and copies it to raw.id before this runs.
    genReqId: (req: IncomingMessage) => (req as { id?: string }).id ?? requestIdFor(req),
    // Secrets never reach the log: auth headers, webhook keys and signatures are redacted.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-webhook-key"]',
        'req.headers["x-zoho-webhook-signature"]',
        'req.headers.cookie',
        'req.query.token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { id: string; method: string; url: string; raw?: { clientIp?: string } }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        // The client's address (set by app.factory's onRequest hook; X-Forwarded-For only from TRUSTED_PROXIES).
        remoteAddress: req.raw?.clientIp,
      }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req: IncomingMessage) => PROBE.test(req.url ?? '') },
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    if (!skip(req)) {
      accessLogged.add(req.raw);
      httpLogger(req.raw, reply.raw);
    }
    done();
  });
}
