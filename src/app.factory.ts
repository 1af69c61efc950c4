import 'reflect-metadata';
import { Logger as NestLogger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfigService } from './config/app-config.service';
import { validate } from './config/env.validation';
import { HttpErrorFilter } from './common/errors/http-error.filter';
import { parseRequestBody } from './common/http/body-parser';
import { SERVICE_NAME, SERVICE_VERSION } from './version';
import { requestIdFor } from './common/logging/request-id';

export interface CreateAppOptions {
  /** false silences Nest's bootstrap logger (tests). */
  bufferLogs?: boolean;
}

/**
 * Builds the configured application (routes, prefix, body parsing, docs, error filter) without listening.
 * main.ts listens on it; e2e tests drive it through supertest.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const maxBody = validate(process.env).WEBHOOK_MAX_BODY_BYTES;
  const adapter = new FastifyAdapter({
    bodyLimit: maxBody,
    trustProxy: true,
    // Zoho retries on failure; keep-alive connections are reused by load balancers.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: requestIdFor,
  });
  // Every response (errors and 404s included) echoes the request id; pino-http logs it (it reads raw.id).
  adapter.getInstance().addHook('onRequest', (req, reply, done) => {
    (req.raw as { id?: string }).id = req.id;
    void reply.header('X-Request-Id', req.id);
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), adapter, {
    bufferLogs: options.bufferLogs ?? true,
    rawBody: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const config = app.get(AppConfigService);
  const { basePath, docsEnabled } = config.app;

  // Fastify's built-in JSON/text parsers would win over a catch-all: remove them first.
  app.getHttpAdapter().getInstance().removeAllContentTypeParsers();
  // One catch-all parser keeps exact bytes (webhook signatures are computed over them) and decides per route.
  app.useBodyParser('*', { bodyLimit: config.webhooks.maxBodyBytes }, async (req: { url?: string; headers: Record<string, string | string[] | undefined> }, body: Buffer) =>
    parseRequestBody(req, body, basePath),
  );
  if (basePath) app.setGlobalPrefix(basePath);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new HttpErrorFilter(config.webhooks.retryAfterSeconds));
  // Signals are handled by the launcher (src/main.ts), which closes the app once; no enableShutdownHooks here.

  if (docsEnabled) {
    const doc = new DocumentBuilder()
      .setTitle('TDS Core API')
      .setDescription(
        'TSH Data Sync: receives Zoho Books / Zoho Inventory webhooks, queues them durably in PostgreSQL and applies ' +
          'them to the ERP tables. Webhooks authenticate with `X-Webhook-Key` (or `?token=`) or `X-Zoho-Webhook-Signature`.',
      )
      .setVersion(SERVICE_VERSION)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Webhook-Key' }, 'webhookKey')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Zoho-Webhook-Signature' }, 'zohoSignature')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Key' }, 'adminKey')
      .build();
    const document = SwaggerModule.createDocument(app, doc);
    SwaggerModule.setup('docs', app, document, {
      useGlobalPrefix: true,
      jsonDocumentUrl: 'docs-json',
      customSiteTitle: `${SERVICE_NAME} API`,
    });
  }
  new NestLogger('Bootstrap').log(`application built (prefix "${basePath || '/'}", docs ${docsEnabled ? 'on' : 'off'})`);
  return app;
}
