import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { markAccessLogged } from './access-log';
import { redactUrl } from './redact-url';
import { requestIdFor } from './request-id';
import type { RootLogger } from './root-logger';

/**
 * The top-level path segments with access lines (plus `/`): every route but the webhook path, the hot path
 * (thousands per second; a delivery's outcome is in tds.events and a rejected one gets a line from HttpErrorFilter,
 * see access-log.ts) and the API docs (static assets). A module that adds a top-level path adds its segment here;
 * test/e2e/access-log-coverage.e2e-spec.ts fails until it does.
 * The segments are listed rather than `{*splat}` minus an exclude: a catch-all sends every webhook through middie,
 * Nest's middleware wrapper and its exclusion match before it is skipped, ~50 µs of CPU per request (issue 10).
 */
export const ACCESS_LOGGED_SEGMENTS: readonly string[] = ['ping', 'health', 'queue', 'dashboard', 'metrics', 'ui'];

const LOGGED_ROUTES = ['/', ...ACCESS_LOGGED_SEGMENTS.flatMap((s) => [s, `${s}/{*splat}`])];

/**
 * Structured logs (pino) on the process's root logger (src/common/logging/root-logger.ts, level and format from
 * `config.log`); a request id on every request line.
 */
@Module({})
export class LoggingModule {
  static forRoot(root: RootLogger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: LOGGED_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })),
          pinoHttp: {
            // pino-http derives its logger from this one (a child with the options below).
            logger: root,
            // Fastify assigns the id (src/common/logging/request-id.ts) and copies it to raw.id before this runs.
            genReqId: (req: IncomingMessage) => (req as { id?: string }).id ?? requestIdFor(req),
            // Runs once for every request the access log takes in (genReqId does not: Fastify has set the id).
            customProps: (req: IncomingMessage) => {
              markAccessLogged(req);
              return {};
            },
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
              req: (req: { id: string; method: string; url: string; headers: Record<string, unknown>; raw?: { clientIp?: string } }) => ({
                id: req.id,
                method: req.method,
                url: redactUrl(req.url),
                // The client's address (set by app.factory's onRequest hook; X-Forwarded-For only from TRUSTED_PROXIES).
                remoteAddress: req.raw?.clientIp,
              }),
            },
            customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
              err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
            // Probes are not access-logged (HealthController logs when their outcome changes). The middleware sees
            // req.url without its mount segment ('/health' arrives as '/'): originalUrl is the request's own.
            autoLogging: {
              ignore: (req: IncomingMessage) =>
                /\/(health|ping)(\/|$|\?)/.test((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? ''),
            },
          },
        }),
      ],
    };
  }
}
