import 'reflect-metadata';
import { Logger as NestLogger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { HttpErrorFilter } from './common/errors/http-error.filter';
import { parseRequestBody } from './common/http/body-parser';
import { SECURITY_HEADERS } from './common/http/security-headers';
import { registerRequestFraming } from './common/http/request-framing';
import { SERVICE_NAME, SERVICE_VERSION } from './version';
import { requestIdFor } from './common/logging/request-id';
import { registerDocsAccess } from './common/auth/docs-access';
import { WebhookAuthService } from './modules/webhooks/webhook-auth.service';
import { registerWebhookPreauth } from './modules/webhooks/webhook-preauth';
import { serveWebhooksOnFastify } from './modules/webhooks/webhook-fastify-route';
import { WebhooksService } from './modules/webhooks/webhooks.service';
import { WEBHOOK_ROUTES } from './modules/webhooks/webhook-routes';
import { MetricsService } from './modules/metrics/metrics.service';
import { WebhookRateLimiter } from './modules/webhooks/webhook-rate-limit';
import { createRootLogger, RootLogger } from './common/logging/root-logger';
import { registerAccessLog } from './common/logging/access-log';
import { NestLogRouter } from './common/logging/nest-log-router';
import { registerOperatorUi } from './modules/ui/operator-ui';
import { SingleQueryValuePipe } from './common/validation/single-query-value.pipe';
import { OPENAPI_TAGS, withoutPrefilledFilters } from './common/http/openapi-try-it-out';

export interface CreateAppOptions {
  /** The process's root logger (the launcher's); by default one is made from `config.log`. */
  logger?: RootLogger;
}

/**
 * Builds the configured application (routes, prefix, body parsing, docs, error filter) without listening.
 * The launcher listens on it; e2e tests drive it through supertest. `config` is the frozen object from
 * `buildAppConfig()` (docs/decisions/0012-config-validated-once.md); nothing here reads the environment.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  if (!Object.isFrozen(config)) throw new Error('createApp(config): pass the frozen object built by buildAppConfig()');
  const requestTimeout = config.http.requestTimeoutMs;
  // Every error answer has one shape (src/common/errors), those sent before routing included.
  const errorFilter = new HttpErrorFilter(config.webhooks.retryAfterSeconds, requestTimeout);
  // Limits that bound what unauthenticated clients can hold (docs/decisions/0009-http-limits-and-memory-bound.md):
  // the whole request (headers + body) within HTTP_REQUEST_TIMEOUT_MS (else 408 and the socket is closed), at
  // most HTTP_MAX_CONNECTIONS sockets, bodies up to WEBHOOK_MAX_BODY_BYTES.
  const adapter = new FastifyAdapter({
    bodyLimit: config.webhooks.maxBodyBytes,
    // X-Forwarded-For / -Proto are believed only from the configured reverse proxies (TRUSTED_PROXIES); with none,
    // the TCP peer is the client: a client cannot choose the address the service records.
    trustProxy: config.http.trustedProxies.length > 0 ? [...config.http.trustedProxies] : false,
    // Zoho retries on failure; keep-alive connections are reused by load balancers.
    keepAliveTimeout: 65_000,
    requestTimeout,
    // A socket silent this long while its request is being handled is dropped (a handler is bounded well below this:
    // a webhook by WEBHOOK_COMMIT_TIMEOUT_MS, every pooled statement by DATABASE_STATEMENT_TIMEOUT_MS + 5 s client-side).
    connectionTimeout: Math.max(2 * requestTimeout, 60_000),
    // Node checks request/header deadlines on this period (default 30 s, which would let a 30 s limit run to 60 s).
    // A missing Host is refused in the usual error body (registerRequestFraming), not with Node's empty 400.
    http: {
      headersTimeout: Math.min(requestTimeout, 60_000),
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
      requireHostHeader: false,
    },
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: requestIdFor,
    // A path the router cannot decode (`/webhooks/%E0%A4%A`): answered before any hook runs, so here (400 INVALID_URL).
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => errorFilter.respond(err, req, reply),
    // What Node's HTTP server raises on the connection: the request deadline (408) and requests its parser refuses.
    clientErrorHandler: (err, socket) => errorFilter.clientError(err, socket),
  });
  const server = adapter.getInstance().server;
  server.maxConnections = config.http.maxConnections;
  // server.close() also stops Node's deadline checks, so a body still trickling in would hold a graceful stop
  // open for ever: requests in flight get HTTP_REQUEST_TIMEOUT_MS to finish, then their connections are closed.
  adapter.getInstance().addHook('preClose', (done) => {
    setTimeout(() => server.closeAllConnections(), requestTimeout).unref();
    done();
  });
  // Every response (errors and 404s included) echoes the request id, and carries the security headers; pino-http
  // logs the id (it reads raw.id).
  adapter.getInstance().addHook('onRequest', (req, reply, done) => {
    (req.raw as { id?: string }).id = req.id;
    // The client address as Fastify sees it (behind a trusted proxy: from X-Forwarded-For), for the access log.
    (req.raw as { clientIp?: string }).clientIp = req.ip;
    void reply.header('X-Request-Id', req.id).headers(SECURITY_HEADERS);
    done();
  });
  // Framing the service does not support (no Host, an unknown expectation, compressed bodies): refused before the body
  // is read, before any other hook (the webhook key check included).
  registerRequestFraming(adapter.getInstance(), (err, req, reply) => errorFilter.respond(err, req, reply));
  const logger = options.logger ?? createRootLogger(config.log);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    // Nest's lines wait for the pino logger; its wiring lines then go out at debug level.
    bufferLogs: true,
    rawBody: true,
    abortOnError: false,
  });
  app.useLogger(new NestLogRouter(app.get(Logger)));
  const { basePath } = config.http;
  const docsEnabled = config.docs.enabled;

  // Fastify's built-in JSON/text parsers would win over a catch-all: remove them first.
  app.getHttpAdapter().getInstance().removeAllContentTypeParsers();
  const webhookRoute = `${basePath}/webhooks/:entity`;
  // One catch-all parser keeps exact bytes (webhook signatures are computed over them) and decides by the route that
  // matched, as every webhook hook does: the raw URL may spell the same route otherwise (`/%77ebhooks`, absolute-form).
  app.useBodyParser('*', { bodyLimit: config.webhooks.maxBodyBytes }, async (req: FastifyRequest, body: Buffer) =>
    parseRequestBody(req, body, req.routeOptions.url === webhookRoute),
  );
  if (basePath) app.setGlobalPrefix(basePath);
  app.useGlobalPipes(new SingleQueryValuePipe(), new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(errorFilter);
  const fastify = app.getHttpAdapter().getInstance();
  const reject = errorFilter.respond.bind(errorFilter);
  // One access line per request but the webhooks and the API docs' files (after the request-id hook above).
  const probeRoutes = new Set(['/health', '/health/live', '/health/ready', '/ping'].map((p) => `${basePath}${p}`));
  registerAccessLog(
    fastify,
    logger,
    (req) => {
      const route = req.routeOptions.url;
      return route === webhookRoute || (route !== undefined && route.startsWith(`${basePath}/docs`));
    },
    (req) => req.routeOptions.url !== undefined && probeRoutes.has(req.routeOptions.url),
  );
  // Webhook keys are checked before the body is read (signatures, which cover the body, after it).
  registerWebhookPreauth(fastify, {
    route: webhookRoute,
    auth: app.get(WebhookAuthService),
    hasSecrets: config.webhooks.signatureSecrets.length > 0,
    reject,
    rateLimiter: new WebhookRateLimiter(config.rateLimit.webhooksPerMinute),
  });
  // The hot route: declared by WebhooksController (Swagger, route table), served by a plain Fastify handler.
  serveWebhooksOnFastify(fastify, { route: webhookRoute, webhooks: app.get(WebhooksService), reject });
  // Webhook metrics on response: the answer's status, the outcome or error code, the time to answer.
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (req, reply, done) => {
    if (req.routeOptions.url === webhookRoute) {
      const route = (req.params as { entity?: string }).entity ?? '';
      const entity = Object.hasOwn(WEBHOOK_ROUTES, route) ? WEBHOOK_ROUTES[route] : 'unknown';
      metrics.recordWebhook(entity, reply.statusCode, req.webhookOutcome, req.errorCode, reply.elapsedTime / 1000);
    }
    done();
  });
  if (config.docs.requireAdminKey) registerDocsAccess(fastify, { basePath, adminKeys: config.admin.keys, reject });
  // The operator web UI at `${basePath}/ui/` (static files; its API calls carry the admin key).
  await registerOperatorUi(app, { basePath, reject });
  // Under a prefix the root is `${basePath}`; a browser's or a proxy's trailing slash gets the same answer (not in the
  // API docs: the same route).
  if (basePath) fastify.get(`${basePath}/`, (_req, reply) => reply.send({ status: 'up' }));
  // Signals are handled by the launcher (src/main.ts), which closes the app once; no enableShutdownHooks here.

  if (docsEnabled) {
    const doc = new DocumentBuilder()
      .setTitle('TDS Core API')
      .setDescription(
        'TSH Data Sync: receives Zoho Books / Zoho Inventory webhooks, queues them durably in PostgreSQL and applies ' +
          'them to the ERP tables. Webhooks authenticate with `X-Webhook-Key` (or `?token=`) or `X-Zoho-Webhook-Signature`.',
      )
      .setVersion(SERVICE_VERSION)
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'X-Webhook-Key',
          description: 'A webhook key from WEBHOOK_API_KEYS (or the generated one the start printed)',
        },
        'webhookKey',
      )
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'X-Zoho-Webhook-Signature', description: 'HMAC-SHA256 with one of ZOHO_WEBHOOK_SECRETS' },
        'zohoSignature',
      )
      // Admin routes take any one of these (docs/decisions/0020): "Authorize" with one and every dashboard route runs.
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Key', description: 'An admin key from ADMIN_API_KEYS' }, 'adminKey')
      // An opaque key, not a JWT (the library's default bearerFormat).
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'admin key', description: 'An admin key from ADMIN_API_KEYS' },
        'bearer',
      )
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An admin key from ADMIN_API_KEYS' }, 'apiKey');
    for (const tag of OPENAPI_TAGS) doc.addTag(tag.name, tag.description);
    const document = withoutPrefilledFilters(SwaggerModule.createDocument(app, doc.build()));
    SwaggerModule.setup('docs', app, document, {
      useGlobalPrefix: true,
      jsonDocumentUrl: 'docs-json',
      customSiteTitle: `${SERVICE_NAME} API`,
    });
  }
  const { requestTimeoutMs, maxConnections } = config.http;
  new NestLogger('Bootstrap').log(
    `application built (prefix "${basePath || '/'}", docs ${docsEnabled ? (config.docs.requireAdminKey ? 'on, admin key required' : 'on') : 'off'}, ` +
      `request timeout ${requestTimeoutMs} ms, max ${maxConnections} connections)`,
  );
  return app;
}
