import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { markAccessLogged } from './access-log';
import { redactUrl } from './redact-url';
import { requestIdFor } from './request-id';
import type { RootLogger } from './root-logger';

/**
 * The one path without access lines: webhook deliveries, the hot path (thousands per second). Their outcome is in
 * tds.events, and a rejected one gets a line from HttpErrorFilter (see access-log.ts). Every other route is logged.
 */
const UNLOGGED_ROUTES = ['webhooks/{*splat}'];

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
          // Every route but the hot path (new modules are logged without touching this file).
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
          exclude: UNLOGGED_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })),
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
            autoLogging: { ignore: (req: IncomingMessage) => /\/(health|ping)(\/|$|\?)/.test(req.url ?? '') },
          },
        }),
      ],
    };
  }
}
