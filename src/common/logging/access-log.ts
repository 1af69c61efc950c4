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

/** The requests the access log took in that are probes: their line is not written. */
const probes = new WeakSet<IncomingMessage>();

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
const isMadeUp = (err: Error) => /^failed with status code \d+$/.test(err.message);

/**
 * `skip`: requests with no line at all. `isProbe`: requests whose line is not written (probes: HealthController logs
 * when their outcome changes), decided on the route Fastify matched, so `/%68ealth` is a probe and `/x/health` (a 404)
 * is not.
 */
export function registerAccessLog(
  fastify: FastifyInstance,
  root: RootLogger,
  skip: (req: FastifyRequest) => boolean,
  isProbe: (req: FastifyRequest) => boolean,
): void {
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
    // 503 is a state the answer explains (database down, a feature not configured): a warning, like a 4xx.
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || (res.statusCode >= 500 && res.statusCode !== 503) ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // For a 5xx answered without an exception pino-http makes up an Error ("failed with status code 503") whose
    // stack is its own: the line keeps the status and says so instead (the error filter logs real failures).
    customErrorObject: (_req: IncomingMessage, _res: ServerResponse, err: Error, value: Record<string, unknown>) =>
      isMadeUp(err) ? { ...value, err: undefined } : value,
    customErrorMessage: (_req: IncomingMessage, res: ServerResponse, err: Error) =>
      isMadeUp(err) ? `request completed with status ${res.statusCode}` : 'request errored',
    autoLogging: { ignore: (req: IncomingMessage) => probes.has(req) },
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    if (!skip(req)) {
      accessLogged.add(req.raw);
      if (isProbe(req)) probes.add(req.raw);
      httpLogger(req.raw, reply.raw);
    }
    done();
  });
}
