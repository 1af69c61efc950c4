import { Environment, EnvironmentVariables, ProcessRole } from './env.validation';
import { databaseUrlFrom } from './database-url';
import { parseAdminKeys } from '../common/auth/admin-key';
import { alertThresholds } from './monitoring-env';
import { parseTrustedProxies } from '../common/net/trusted-proxies';
import { IpAllowlist } from '../common/net/ip-allowlist';
import { join } from 'node:path';

/**
 * The one configuration object: built once from the validated environment (src/config/load-env.ts) plus what the
 * launcher resolved at start (the database URL, a generated webhook key), deeply frozen, and handed to
 * `createApp(config)`. Nothing reads the environment after this. docs/decisions/0012-config-validated-once.md
 *
 * One section per module. A new module adds its keys to `EnvironmentVariables` and one builder here; the section
 * type is inferred from it and `AppConfigService` exposes it as a getter.
 */

/** Facts the launcher finds out before the app is built. */
export interface ResolvedAtStart {
  /** The database actually used (embedded server, or the configured one); defaults to the configured URL. */
  databaseUrl?: string;
  /** Used when no webhook key or secret is configured (outside production). */
  generatedWebhookKey?: string;
  /** Used when ADMIN_API_KEYS is unset (outside production): the key the launcher generated and printed. */
  generatedAdminKey?: string;
}

const list = (...values: (string | undefined)[]): string[] =>
  values
    .flatMap((v) => (v ?? '').split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** An IP allowlist from a comma list; a bad entry stops the start naming the variable. */
function allowlist(name: string, value: string | undefined): IpAllowlist {
  try {
    return new IpAllowlist(list(value));
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
  }
}

/** Whether any webhook key or Zoho secret is configured (else the launcher generates a key, outside production). */
export function webhookCredentialsConfigured(env: EnvironmentVariables): boolean {
  return list(env.WEBHOOK_API_KEYS, env.WEBHOOK_API_KEY, env.ZOHO_WEBHOOK_SECRETS, env.ZOHO_WEBHOOK_SECRET).length > 0;
}

/** LOG_LEVEL / LOG_FORMAT; also used by the launcher before the rest of the config exists. */
export function logSection(env: EnvironmentVariables) {
  const format: 'json' | 'text' = env.LOG_FORMAT ?? (env.ENVIRONMENT === Environment.Development ? 'text' : 'json');
  return { level: env.LOG_LEVEL, format };
}
/** Whether ADMIN_API_KEYS holds any key (else, outside production, the launcher generates one). */
export function adminKeysConfigured(env: EnvironmentVariables): boolean {
  return list(env.ADMIN_API_KEYS).length > 0;
}

/** The generated admin key as an ADMIN_API_KEYS entry (named `generated`), outside production and only when no key is set. */
function generatedAdminKeyEntries(env: EnvironmentVariables, resolved: ResolvedAtStart): string[] {
  return env.ENVIRONMENT !== Environment.Production && resolved.generatedAdminKey ? [`generated:${resolved.generatedAdminKey}`] : [];
}

const SECTIONS = {
  /** The process: what it runs and how long a stop may take. */
  app: (env: EnvironmentVariables) => {
    const role: ProcessRole = env.TDS_ROLE;
    return {
      environment: env.ENVIRONMENT,
      isProduction: env.ENVIRONMENT === Environment.Production,
      role,
      runsApi: role === 'all' || role === 'api',
      runsWorker: role === 'all' || role === 'worker',
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      dataDir: env.TDS_DATA_DIR,
    };
  },
  http: (env: EnvironmentVariables) => ({
    port: env.API_PORT,
    host: env.API_HOST,
    /** '' or '/tds' (no trailing slash). */
    basePath: env.API_BASE_PATH.replace(/\/+$/, ''),
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    maxConnections: env.HTTP_MAX_CONNECTIONS,
    /** Reverse proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES); empty = none. */
    trustedProxies: parseTrustedProxies(env.TRUSTED_PROXIES),
  }),
  docs: (env: EnvironmentVariables) => {
    const enabled = env.DOCS_ENABLED ?? env.ENVIRONMENT !== Environment.Production;
    // In production the docs are served only to an admin key (docs/decisions/0009).
    return { enabled, requireAdminKey: enabled && env.ENVIRONMENT === Environment.Production };
  },
  log: logSection,
  database: (env: EnvironmentVariables, resolved: ResolvedAtStart) => {
    const url = resolved.databaseUrl ?? databaseUrlFrom(env);
    if (!url) throw new Error('No database URL: set DATABASE_URL (the launcher resolves it, or starts the embedded PostgreSQL)');
    return {
      url,
      poolSize: env.DATABASE_POOL_SIZE,
      ssl: env.DATABASE_SSL,
      migrateOnStart: env.DB_MIGRATE_ON_START,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    };
  },
  queue: (env: EnvironmentVariables) => ({
    batchSize: env.TDS_BATCH_SIZE,
    pollIntervalMs: env.TDS_QUEUE_POLL_INTERVAL_MS,
    maxAttempts: env.TDS_MAX_RETRY_ATTEMPTS,
    backoffBaseMs: env.TDS_RETRY_BACKOFF_BASE_MS,
    backoffMaxMs: env.TDS_RETRY_BACKOFF_MAX_MS,
    lockTimeoutSeconds: env.TDS_LOCK_TIMEOUT_SECONDS,
    concurrency: env.TDS_WORKER_CONCURRENCY,
    heartbeatIntervalMs: env.TDS_HEARTBEAT_INTERVAL_MS,
    analyze: {
      intervalMs: env.TDS_QUEUE_ANALYZE_INTERVAL_S * 1000,
      minChanges: env.TDS_QUEUE_ANALYZE_MIN_CHANGES,
      scaleFactor: env.TDS_QUEUE_ANALYZE_SCALE_FACTOR,
    },
  }),
  admin: (env: EnvironmentVariables, resolved: ResolvedAtStart) => ({
    keys: parseAdminKeys(list(env.ADMIN_API_KEYS).length ? list(env.ADMIN_API_KEYS) : generatedAdminKeyEntries(env, resolved)),
    ipAllowlist: allowlist('ADMIN_IP_ALLOWLIST', env.ADMIN_IP_ALLOWLIST),
  }),
  metrics: (env: EnvironmentVariables) => ({ ipAllowlist: allowlist('METRICS_IP_ALLOWLIST', env.METRICS_IP_ALLOWLIST) }),
  health: (env: EnvironmentVariables) => ({
    queueMaxAgeSeconds: env.HEALTH_QUEUE_MAX_AGE_SECONDS,
    requireWorker: env.HEALTH_REQUIRE_WORKER,
    /** Database checks shared by all probes for this long (CachedCheck). */
    checkCacheMs: env.HEALTH_CHECK_CACHE_MS,
    /** No heartbeat for this long = the worker is down (also the no-live-worker alert's window). */
    workerHeartbeatTimeoutS: env.TDS_WORKER_HEARTBEAT_TIMEOUT_S,
  }),
  webhooks: (env: EnvironmentVariables, resolved: ResolvedAtStart) => {
    const configured = list(env.WEBHOOK_API_KEYS, env.WEBHOOK_API_KEY);
    const signatureSecrets = list(env.ZOHO_WEBHOOK_SECRETS, env.ZOHO_WEBHOOK_SECRET);
    const generated = webhookCredentialsConfigured(env) ? undefined : resolved.generatedWebhookKey;
    return {
      apiKeys: generated ? [generated] : configured,
      signatureSecrets,
      organizationIds: list(env.ZOHO_ORGANIZATION_IDS),
      extraSignedParams: list(env.ZOHO_WEBHOOK_EXTRA_PARAMS),
      timestampParam: env.ZOHO_WEBHOOK_TIMESTAMP_PARAM?.trim() || null,
      replayWindowSeconds: env.ZOHO_WEBHOOK_REPLAY_WINDOW_S,
      maxBodyBytes: env.WEBHOOK_MAX_BODY_BYTES,
      maxInFlight: env.WEBHOOK_INGEST_MAX_INFLIGHT,
      batchMax: env.WEBHOOK_INGEST_BATCH_MAX,
      retryAfterSeconds: env.WEBHOOK_RETRY_AFTER_SECONDS,
      commitTimeoutMs: env.WEBHOOK_COMMIT_TIMEOUT_MS,
    };
  },
  backups: (env: EnvironmentVariables) => ({
    enabled: env.BACKUP_ENABLED,
    cron: env.BACKUP_CRON,
    dir: env.BACKUP_DIR?.trim() || join(env.TDS_DATA_DIR, 'backups'),
    verify: env.BACKUP_VERIFY,
    retentionDays: env.BACKUP_RETENTION_DAYS,
    pgBinDir: env.PG_BIN_DIR?.trim() || null,
    /** A run without a verified backup for this long raises the backup alert (issue #13). */
    maxVerifiedAgeHours: 26,
  }),
  retention: (env: EnvironmentVariables) => ({
    enabled: env.TDS_RETENTION_ENABLED,
    cron: env.TDS_RETENTION_CRON,
    inboxDays: env.TDS_INBOX_RETENTION_DAYS,
    eventDays: env.TDS_EVENT_RETENTION_DAYS,
    batchSize: env.TDS_RETENTION_BATCH_SIZE,
  }),
  /** Reconciliation with the Zoho API: `enabled` only when the credentials and the organization are set. */
  reconcile: (env: EnvironmentVariables) => {
    const enabled = Boolean(env.ZOHO_CLIENT_ID && env.ZOHO_CLIENT_SECRET && env.ZOHO_REFRESH_TOKEN && env.ZOHO_ORGANIZATION_ID);
    const moduleApis: Record<string, 'books' | 'inventory'> = {};
    for (const pair of list(env.ZOHO_API_MODULES)) {
      const [name, api] = pair.split('=').map((s) => s.trim());
      moduleApis[name] = api as 'books' | 'inventory';
    }
    return {
      enabled,
      clientId: env.ZOHO_CLIENT_ID ?? '',
      clientSecret: env.ZOHO_CLIENT_SECRET ?? '',
      refreshToken: env.ZOHO_REFRESH_TOKEN ?? '',
      organizationId: env.ZOHO_ORGANIZATION_ID ?? '',
      accountsUrl: env.ZOHO_ACCOUNTS_URL.replace(/\/+$/, ''),
      apiDomain: env.ZOHO_API_DOMAIN?.replace(/\/+$/, '') || null,
      api: env.ZOHO_API,
      moduleApis,
      maxRequestsPerMinute: env.ZOHO_API_MAX_REQUESTS_PER_MINUTE,
      dailyBudget: env.ZOHO_API_DAILY_BUDGET,
      backoffBaseMs: env.ZOHO_API_BACKOFF_BASE_MS,
      timeoutMs: env.ZOHO_API_TIMEOUT_MS,
      cron: env.TDS_RECONCILE_CRON,
      overlapMinutes: env.TDS_RECONCILE_OVERLAP_MINUTES,
      alertMissedWarning: env.TDS_ALERT_RECONCILE_MISSED_WARNING,
    };
  },
  /** The monitoring job (src/modules/monitoring). */
  monitoring: (env: EnvironmentVariables) => ({
    enabled: env.TDS_MONITORING_ENABLED,
    cron: env.TDS_MONITORING_CRON,
    windowMinutes: env.TDS_MONITORING_WINDOW_MINUTES,
    retentionDays: env.TDS_METRICS_RETENTION_DAYS,
    stuckMinutes: env.TDS_ALERT_STUCK_MINUTES,
    workerHeartbeatTimeoutS: env.TDS_WORKER_HEARTBEAT_TIMEOUT_S,
  }),
  /** Alert rules' levels and lifecycle (src/modules/alerts). */
  alerts: (env: EnvironmentVariables) => ({
    thresholds: alertThresholds(env),
    failureRateMinAttempts: env.TDS_ALERT_FAILURE_RATE_MIN_EVENTS,
    hysteresis: env.TDS_ALERT_HYSTERESIS,
    renotifyMinutes: env.ALERT_RENOTIFY_MINUTES,
    /** Missed records in one reconciliation pass (after the first complete one) that raise a warning. */
    reconcileMissedWarning: env.TDS_ALERT_RECONCILE_MISSED_WARNING,
    /** Warn when autovacuum is off for the queue tables (TDS_ALERT_AUTOVACUUM). */
    autovacuumRule: env.TDS_ALERT_AUTOVACUUM,
  }),
  /** Alert notification channels and their delivery policy (src/modules/notifications). */
  notifications: (env: EnvironmentVariables) => {
    const tls = env.SMTP_TLS;
    return {
      publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') || null,
      email: {
        enabled: env.ALERT_EMAIL_ENABLED,
        host: env.SMTP_HOST ?? '',
        port: env.SMTP_PORT ?? (tls === 'true' ? 465 : tls === 'starttls' ? 587 : 25),
        tls,
        user: env.SMTP_USER || null,
        password: env.SMTP_PASSWORD || null,
        from: env.SMTP_FROM ?? '',
        to: list(env.EMAIL_TO),
        minSeverity: env.ALERT_EMAIL_MIN_SEVERITY,
      },
      slack: {
        enabled: env.ALERT_SLACK_ENABLED,
        webhookUrl: env.SLACK_WEBHOOK_URL ?? '',
        channel: env.SLACK_CHANNEL || null,
        minSeverity: env.ALERT_SLACK_MIN_SEVERITY,
      },
      webhook: {
        enabled: env.ALERT_WEBHOOK_ENABLED,
        urls: list(env.ALERT_WEBHOOK_URLS),
        secret: env.ALERT_WEBHOOK_SECRET ?? '',
        minSeverity: env.ALERT_WEBHOOK_MIN_SEVERITY,
      },
      delivery: {
        maxAttempts: env.ALERT_NOTIFY_MAX_ATTEMPTS,
        backoffBaseMs: env.ALERT_NOTIFY_BACKOFF_BASE_MS,
        backoffMaxMs: env.ALERT_NOTIFY_BACKOFF_MAX_MS,
        attemptTimeoutMs: env.ALERT_NOTIFY_TIMEOUT_MS,
        shutdownGraceMs: env.ALERT_NOTIFY_SHUTDOWN_GRACE_MS,
      },
    };
  },
  rateLimit: (env: EnvironmentVariables) => ({
    adminWritesPerMinute: env.RATE_LIMIT_PER_MINUTE,
    adminReadsPerMinute: env.RATE_LIMIT_READS_PER_MINUTE,
    webhooksPerMinute: env.RATE_LIMIT_WEBHOOKS_PER_MINUTE,
  }),
  dashboard: (env: EnvironmentVariables) => ({
    statsCacheMs: env.DASHBOARD_STATS_CACHE_S * 1000,
    liveCacheMs: env.DASHBOARD_LIVE_CACHE_MS,
  }),
} satisfies Record<string, (env: EnvironmentVariables, resolved: ResolvedAtStart) => object>;

type Sections = typeof SECTIONS;

/** Read-only all the way down (the object is frozen at run time too). */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends IpAllowlist
    ? T
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

export type AppConfig = DeepReadonly<{ [K in keyof Sections]: ReturnType<Sections[K]> }>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Builds the frozen config from a validated environment (see `validate()`); throws only without a database URL. */
export function buildAppConfig(env: EnvironmentVariables, resolved: ResolvedAtStart = {}): AppConfig {
  const config = Object.fromEntries(Object.entries(SECTIONS).map(([name, build]) => [name, build(env, resolved)])) as {
    [K in keyof Sections]: ReturnType<Sections[K]>;
  };
  return deepFreeze(config);
}
