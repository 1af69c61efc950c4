import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { redactUrl } from './redact-url';
import { requestIdFor } from './request-id';
import type { RootLogger } from './root-logger';

const LOGGED_ROUTES = ['/', 'ping', 'health', 'health/{*splat}', 'queue/{*splat}'];

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
          // Access logs for the operator routes. Webhooks (the hot path, thousands per second) are left out on
          // purpose: their outcome is in tds.events, and rejections are logged by HttpErrorFilter with the request
          // id. New modules add their route prefixes here.
          forRoutes: LOGGED_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })),
          pinoHttp: {
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
              req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
                id: req.id,
                method: req.method,
                url: redactUrl(req.url),
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
