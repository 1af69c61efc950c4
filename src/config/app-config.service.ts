import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Environment, EnvironmentVariables, ProcessRole } from './env.validation';
import { databaseUrlFrom } from './database-url';

const list = (...values: (string | undefined)[]): string[] =>
  values
    .flatMap((v) => (v ?? '').split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** Typed, grouped view of the validated environment. Only config/ and ormconfig.ts read process.env. */
@Injectable()
export class AppConfigService {
  constructor(private readonly config: ConfigService<EnvironmentVariables, true>) {}

  private get<K extends keyof EnvironmentVariables>(key: K): EnvironmentVariables[K] {
    return this.config.get(key, { infer: true });
  }

  get app() {
    const environment = this.get('ENVIRONMENT');
    const role: ProcessRole = this.get('TDS_ROLE');
    const basePath = (this.get('API_BASE_PATH') ?? '').replace(/\/+$/, '');
    return {
      environment,
      isProduction: environment === Environment.Production,
      role,
      runsApi: role === 'all' || role === 'api',
      runsWorker: role === 'all' || role === 'worker',
      port: this.get('API_PORT'),
      host: this.get('API_HOST'),
      basePath,
      docsEnabled: this.get('DOCS_ENABLED') ?? environment !== Environment.Production,
      shutdownTimeoutMs: this.get('SHUTDOWN_TIMEOUT_MS'),
      dataDir: this.get('TDS_DATA_DIR'),
    };
  }

  get http() {
    return {
      requestTimeoutMs: this.get('HTTP_REQUEST_TIMEOUT_MS'),
      maxConnections: this.get('HTTP_MAX_CONNECTIONS'),
    };
  }

  get logging() {
    const format = this.get('LOG_FORMAT') ?? (this.get('ENVIRONMENT') === Environment.Development ? 'text' : 'json');
    return { level: this.get('LOG_LEVEL'), format };
  }

  get database() {
    return {
      url: databaseUrlFrom(this.config.get('DATABASE_URL') ? { DATABASE_URL: this.get('DATABASE_URL') } : this.rawDatabaseParts()),
      poolSize: this.get('DATABASE_POOL_SIZE'),
      ssl: this.get('DATABASE_SSL'),
      migrateOnStart: this.get('DB_MIGRATE_ON_START'),
      statementTimeoutMs: this.get('DATABASE_STATEMENT_TIMEOUT_MS'),
    };
  }

  private rawDatabaseParts(): Partial<EnvironmentVariables> {
    return {
      DATABASE_HOST: this.get('DATABASE_HOST'),
      DATABASE_PORT: this.get('DATABASE_PORT'),
      DATABASE_NAME: this.get('DATABASE_NAME'),
      DATABASE_USER: this.get('DATABASE_USER'),
      DATABASE_PASSWORD: this.get('DATABASE_PASSWORD'),
    };
  }

  get queue() {
    return {
      batchSize: this.get('TDS_BATCH_SIZE'),
      pollIntervalMs: this.get('TDS_QUEUE_POLL_INTERVAL_MS'),
      maxAttempts: this.get('TDS_MAX_RETRY_ATTEMPTS'),
      backoffBaseMs: this.get('TDS_RETRY_BACKOFF_BASE_MS'),
      backoffMaxMs: this.get('TDS_RETRY_BACKOFF_MAX_MS'),
      lockTimeoutSeconds: this.get('TDS_LOCK_TIMEOUT_SECONDS'),
      concurrency: this.get('TDS_WORKER_CONCURRENCY'),
      heartbeatIntervalMs: this.get('TDS_HEARTBEAT_INTERVAL_MS'),
    };
  }

  get admin() {
    return { apiKeys: list(this.get('ADMIN_API_KEYS')) };
  }

  get health() {
    return {
      queueMaxAgeSeconds: this.get('HEALTH_QUEUE_MAX_AGE_SECONDS'),
      requireWorker: this.get('HEALTH_REQUIRE_WORKER'),
    };
  }

  get webhooks() {
    return {
      apiKeys: list(this.get('WEBHOOK_API_KEYS'), this.get('WEBHOOK_API_KEY')),
      signatureSecrets: list(this.get('ZOHO_WEBHOOK_SECRETS'), this.get('ZOHO_WEBHOOK_SECRET')),
      organizationIds: list(this.get('ZOHO_ORGANIZATION_IDS')),
      extraSignedParams: list(this.get('ZOHO_WEBHOOK_EXTRA_PARAMS')),
      timestampParam: this.get('ZOHO_WEBHOOK_TIMESTAMP_PARAM')?.trim() || null,
      replayWindowSeconds: this.get('ZOHO_WEBHOOK_REPLAY_WINDOW_S'),
      maxBodyBytes: this.get('WEBHOOK_MAX_BODY_BYTES'),
      maxInFlight: this.get('WEBHOOK_INGEST_MAX_INFLIGHT'),
      batchMax: this.get('WEBHOOK_INGEST_BATCH_MAX'),
      retryAfterSeconds: this.get('WEBHOOK_RETRY_AFTER_SECONDS'),
    };
  }
}
