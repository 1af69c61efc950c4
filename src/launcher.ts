import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ConfigValidationError, Environment, EnvironmentVariables } from './config/env.validation';
import { loadEnvironment } from './config/load-env';
import { monitoringEnvWarnings } from './config/monitoring-env';
import { adminKeysConfigured, buildAppConfig, logSection, webhookCredentialsConfigured } from './config/app-config';
import { createApp } from './app.factory';
import { createRootLogger, launcherLogger, RootLogger } from './common/logging/root-logger';
import { loadOrCreateGeneratedWebhookKey } from './modules/webhooks/generated-key';
import { loadOrCreateGeneratedAdminKey } from './common/auth/generated-admin-key';
import { databaseUrlFrom, redactDatabaseUrl } from './config/database-url';
import { RunningEmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres';
import { ensureDatabaseExists, runMigrations } from './database/prepare-database';
import { SERVICE_NAME, SERVICE_VERSION } from './version';

/**
 * Launcher: validate config → database (embedded when no DATABASE_URL) → migrations → one frozen config object →
 * Nest app (API and/or worker). SIGINT/SIGTERM: stop taking requests, let the worker finish its batch (or roll it
 * back), close the pool, stop the embedded PostgreSQL, exit 0. Every line goes through the app's pino logger.
 */

/** Why the API cannot listen on host:port, said in terms of the settings to change; undefined when it can. */
export function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): string | undefined {
  if (err.code === 'EADDRINUSE') {
    return `cannot listen on ${host}:${port}: port ${port} is already in use by another process. Stop that process or set API_PORT to a free port.`;
  }
  if (err.code === 'EACCES') {
    return `cannot listen on ${host}:${port}: not allowed to use port ${port} (ports below 1024 need privileges). Set API_PORT to a port above 1023.`;
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
    return `cannot listen on ${host}:${port}: ${host} is not an address of this machine. Set API_HOST (0.0.0.0 = every interface).`;
  }
  return undefined;
}

/** Tries to bind host:port and lets go at once: a taken port is reported before anything starts. */
function probeListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => done(err));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => done(undefined)));
  });
}

/** Shared with the entry point (src/main.ts), which receives signals from the very first instant. */
export interface LauncherState {
  stopRequested: string | null;
  onStop?: (signal: string) => void;
}

export async function launch(state: LauncherState): Promise<void> {
  let env: EnvironmentVariables;
  try {
    env = loadEnvironment();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      // No valid LOG_* yet: the format is the one they would most likely give (see ConfigValidationError.logFormat).
      const log = launcherLogger(createRootLogger({ level: 'info', format: err.logFormat }));
      log.fatal({ problems: err.problems }, `${err.message}\nFix the variables above (see .env.example) and start again.`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const root = createRootLogger(logSection(env));
  const log = launcherLogger(root);
  log.info(`${SERVICE_NAME} ${SERVICE_VERSION} starting (role=${env.TDS_ROLE}, environment=${env.ENVIRONMENT})`);
  for (const warning of monitoringEnvWarnings(env)) log.warn(warning);

  // A taken port is found out now, before the database, migrations and worker start (and before any line says
  // something started). listen() below still reports a port taken in the meantime the same way.
  if (env.TDS_ROLE !== 'worker' && env.API_PORT !== 0) {
    const err = await probeListen(env.API_HOST, env.API_PORT);
    const problem = err && listenProblem(err, env.API_HOST, env.API_PORT);
    if (problem) {
      log.fatal(`startup failed: ${problem}`);
      process.exit(1);
    }
  }

  // Webhooks are never open: with no key and no secret configured, use (or create) a generated key.
  let generatedKey: { key: string; file: string } | undefined;
  if (!webhookCredentialsConfigured(env)) {
    if (env.ENVIRONMENT === Environment.Production) {
      log.fatal('Invalid configuration:\n  - WEBHOOK_API_KEYS or ZOHO_WEBHOOK_SECRETS must be set in production (webhooks are never open)');
      process.exit(78);
    }
    generatedKey = loadOrCreateGeneratedWebhookKey(env.TDS_DATA_DIR);
  }

  // The dashboard needs an admin key: outside production, with none configured, use (or create) a generated one.
  let generatedAdminKey: { key: string; file: string } | undefined;
  if (!adminKeysConfigured(env) && env.ENVIRONMENT !== Environment.Production && env.TDS_ROLE !== 'worker') {
    generatedAdminKey = loadOrCreateGeneratedAdminKey(env.TDS_DATA_DIR);
  }

  let embedded: RunningEmbeddedPostgres | undefined;
  let url = databaseUrlFrom(env);
  if (!url) {
    const dataDir = resolve(env.TDS_DATA_DIR);
    log.info(`DATABASE_URL not set: using the embedded PostgreSQL in ${join(dataDir, 'postgres')}`);
    try {
      embedded = await startEmbeddedPostgres({
        databaseDir: join(dataDir, 'postgres'),
        port: env.EMBEDDED_PG_PORT,
        signalsHandledByCaller: true,
        log: (m) => log.debug(`postgres: ${m}`),
      });
    } catch (err) {
      // e.g. the cluster is in use by another TDS process (npm run start:api + start:worker need DATABASE_URL)
      log.fatal(`startup failed: ${(err as Error).message ?? err}`);
      process.exit(1);
    }
    url = embedded.url;
    log.info(`embedded PostgreSQL listening on 127.0.0.1:${embedded.port}`);
  }

  let stopping = false;
  let app: NestFastifyApplication | undefined;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: shutting down`);
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_MS + 15000);
    timer.unref();
    try {
      if (app) await app.close();
    } catch (err) {
      log.error({ err }, `error while closing: ${(err as Error).message}`);
    }
    if (embedded) await embedded.stop();
    log.info('stopped');
    process.exit(0);
  };
  // From here on a signal runs the full shutdown (before this point the entry point only recorded it).
  state.onStop = (signal) => void shutdown(signal);
  if (state.stopRequested) return shutdown(state.stopRequested);

  let binding = false; // only an error of listen() itself is explained as a port problem
  try {
    await ensureDatabaseExists(url);
    if (env.DB_MIGRATE_ON_START) {
      const applied = await runMigrations(url, (m) => log.info(m));
      log.info(applied.length ? `migrations applied: ${applied.length}` : 'database schema is up to date');
    }
    log.info(`database ${redactDatabaseUrl(url)}`);
    if (stopping) return;
    // The one config object: validated env + what was resolved above. Frozen; the app reads nothing else.
    const config = buildAppConfig(env, {
      databaseUrl: url,
      generatedWebhookKey: generatedKey?.key,
      generatedAdminKey: generatedAdminKey?.key,
    });
    const nest = await createApp(config, { logger: root });
    app = nest;
    if (stopping) {
      // A signal arrived while the app was being built: shutdown() ran without it; close it now.
      await nest.close().catch(() => undefined);
      return;
    }
    const { port, host, basePath } = config.http;
    if (config.app.runsApi) {
      await nest.init();
      binding = true;
      await nest.listen({ port, host });
      binding = false;
      const address = nest.getHttpServer().address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      // Under a prefix the root route is /tds, not /tds/ (which is a 404).
      log.info(`API listening on http://${host}:${actualPort}${basePath || '/'}${config.docs.enabled ? ` (docs: ${basePath}/docs)` : ''}`);
      if (generatedKey) printGeneratedKey(log, generatedKey, browsableBase(host, actualPort, basePath));
      if (generatedAdminKey) printGeneratedAdminKey(log, generatedAdminKey, browsableBase(host, actualPort, basePath));
      log.info(`operator web UI: ${operatorUiUrl(host, actualPort, basePath)} (sign in with an admin key)`);
    } else {
      await nest.init();
      log.info('worker started (no HTTP listener: TDS_ROLE=worker)');
    }
  } catch (err) {
    const problem = binding ? listenProblem(err as NodeJS.ErrnoException, env.API_HOST, env.API_PORT) : undefined;
    if (problem) log.fatal(`startup failed: ${problem}`);
    else log.fatal({ err }, `startup failed: ${(err as Error).message ?? err}`);
    if (app) await app.close().catch(() => undefined);
    if (embedded) await embedded.stop().catch(() => undefined);
    process.exit(1);
  }
}

/** The generated key and a ready-to-paste request (in text format the lines below print as they are). */
function printGeneratedKey(log: RootLogger, generated: { key: string; file: string }, base: string): void {
  log.warn(
    { webhookKeyFile: generated.file },
    `No webhook credentials configured: generated key stored in ${generated.file}\n` +
      `  X-Webhook-Key: ${generated.key}\n` +
      `  try: curl -sS -X POST '${base}/webhooks/contacts?event=created' \\\n` +
      `         -H 'Content-Type: application/json' -H 'X-Webhook-Key: ${generated.key}' \\\n` +
      `         -d '{"contact":{"contact_id":"460000000026049","contact_name":"Bagdad Trading","contact_type":"customer","last_modified_time":"2026-11-28T10:00:00+0300"}}'`,
  );
}

/** The generated admin key, where it is kept, and where to use it (the web UI at <base>/ui/, the dashboard API). */
function printGeneratedAdminKey(log: RootLogger, generated: { key: string; file: string }, base: string): void {
  log.warn(
    { adminKeyFile: generated.file },
    `No ADMIN_API_KEYS configured: generated admin key stored in ${generated.file}\n` +
      `  admin key: ${generated.key}\n` +
      `  web UI:    ${base}/ui/\n` +
      `  try: curl -sS '${base}/dashboard/queue-stats' -H 'Authorization: Bearer ${generated.key}'`,
  );
}

/** The service's address as a person (browser, curl) reaches it: a wildcard listen address is shown as 127.0.0.1. */
function browsableBase(host: string, port: number, basePath: string): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}${basePath}`;
}

/** Where a person opens the web UI (with its trailing slash: the address the UI's links are relative to). */
export function operatorUiUrl(host: string, port: number, basePath: string): string {
  return `${browsableBase(host, port, basePath)}/ui/`;
}
