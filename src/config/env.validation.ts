import { plainToInstance, Transform } from 'class-transformer';
import { notificationEnvProblems } from './notification-env';
import { monitoringProblems } from './monitoring-env';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  validateSync,
  ValidationError,
} from 'class-validator';
import { TrustedProxiesConstraint } from '../common/net/trusted-proxies';
import { cronProblem } from '../modules/scheduling/scheduled-time';

export enum Environment {
  Development = 'development',
  Staging = 'staging',
  Production = 'production',
  Test = 'test',
}

export type ProcessRole = 'all' | 'api' | 'worker';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value).trim()) ? Number(value) : value;
const toFloat = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+(\.\d+)?$/.test(String(value).trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  const v = String(value).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const toNumber = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(String(value)) ? Number(value) : value;

/** https anywhere, or http to a loopback host (127.x, localhost, [::1]) for a local test server. */
const ZOHO_URL = /^(https:\/\/[^\s/?#]+|http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d{1,5})?)\/?$/;
const ZOHO_URL_MESSAGE = 'must be an https:// origin (http:// only for a loopback host: 127.x, localhost, [::1])';

/**
 * Every environment variable the service reads. Names of the earlier Python system are kept
 * (API_PORT, DATABASE_*, TDS_*, LOG_*); later modules add their own keys here.
 * Defaults live here so `.env.example`, the docs and the code agree.
 */
export class EnvironmentVariables {
  // --- process ---
  @IsIn(Object.values(Environment))
  @IsOptional()
  ENVIRONMENT: Environment = Environment.Development;

  @IsIn(['all', 'api', 'worker'])
  @IsOptional()
  TDS_ROLE: ProcessRole = 'all';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  @IsOptional()
  API_PORT = 8001;

  @IsString()
  @IsOptional()
  API_HOST = '0.0.0.0';

  @Transform(trimmed)
  @IsString()
  @Matches(/^(\/[A-Za-z0-9._~-]+)*\/?$/, { message: 'API_BASE_PATH must look like /tds (or be empty)' })
  @IsOptional()
  API_BASE_PATH = '';

  /** Swagger at /docs and /docs-json. Unset: on outside production, off in production (where it needs the admin key). */
  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  DOCS_ENABLED?: boolean;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  @IsOptional()
  SHUTDOWN_TIMEOUT_MS = 30000;

  // --- HTTP server limits (docs/decisions/0009-http-limits-and-memory-bound.md) ---
  /** A request (headers and body) must arrive within this time, else 408 and the connection is closed. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  @IsOptional()
  HTTP_REQUEST_TIMEOUT_MS = 30000;

  /** Open connections accepted at once; further connections are closed at once by the server. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  @IsOptional()
  HTTP_MAX_CONNECTIONS = 256;

  // --- logging ---
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  @IsOptional()
  LOG_LEVEL = 'info';

  @IsIn(['json', 'text'])
  @IsOptional()
  LOG_FORMAT?: 'json' | 'text';

  // --- database ---
  @Transform(trimmed)
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  @IsOptional()
  DATABASE_URL?: string;

  @IsString()
  @IsOptional()
  DATABASE_HOST?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  @IsOptional()
  DATABASE_PORT?: number;

  @IsString()
  @IsOptional()
  DATABASE_NAME?: string;

  @IsString()
  @IsOptional()
  DATABASE_USER?: string;

  @IsString()
  @IsOptional()
  DATABASE_PASSWORD?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  @IsOptional()
  DATABASE_POOL_SIZE = 10;

  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  DATABASE_SSL = false;

  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  DB_MIGRATE_ON_START = true;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  @IsOptional()
  DATABASE_STATEMENT_TIMEOUT_MS = 30000;

  /** Where the embedded PostgreSQL and generated secrets live when DATABASE_URL is not set. */
  @IsString()
  @IsOptional()
  TDS_DATA_DIR = './data';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  @IsOptional()
  EMBEDDED_PG_PORT = 0;

  // --- queue / worker ---
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(5000)
  @IsOptional()
  TDS_BATCH_SIZE = 100;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600000)
  @IsOptional()
  TDS_QUEUE_POLL_INTERVAL_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  @IsOptional()
  TDS_MAX_RETRY_ATTEMPTS = 8;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600000)
  @IsOptional()
  TDS_RETRY_BACKOFF_BASE_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400000)
  @IsOptional()
  TDS_RETRY_BACKOFF_MAX_MS = 300000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  @IsOptional()
  TDS_LOCK_TIMEOUT_SECONDS = 60;

  /** Batch loops per worker process (each holds one pool connection while it applies a batch). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  @IsOptional()
  TDS_WORKER_CONCURRENCY = 2;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  @IsOptional()
  TDS_HEARTBEAT_INTERVAL_MS = 10000;

  /**
   * How often a worker process checks whether the queue tables' planner statistics are stale (issue 15): a queue must
   * not depend on autovacuum. 0 turns the check off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  @IsOptional()
  TDS_QUEUE_ANALYZE_INTERVAL_S = 30;

  /** A queue table is analyzed once this many rows changed since its last ANALYZE and … */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @IsOptional()
  TDS_QUEUE_ANALYZE_MIN_CHANGES = 1000;

  /** … this fraction of its rows (PostgreSQL's own autovacuum_analyze_scale_factor defaults to 0.1). */
  @Transform(toFloat)
  @IsNumber()
  @Min(0)
  @Max(10)
  @IsOptional()
  TDS_QUEUE_ANALYZE_SCALE_FACTOR = 0.1;

  /**
   * Warn (alert queue_autovacuum_off) when autovacuum is off for the queue tables. false: for a server whose tables
   * are vacuumed by a scheduled job of its own.
   */
  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  TDS_ALERT_AUTOVACUUM = true;

  // --- admin API (queue inspection, manual retry) ---
  /**
   * Comma-separated admin keys (`name:key` names a key for the audit log), sent as `Authorization: Bearer`, `X-API-Key`
   * or `X-Admin-Key`; several keys allow rotation. Unset = the admin API answers 403.
   */
  @IsString()
  @IsOptional()
  ADMIN_API_KEYS?: string;

  /**
   * Comma-separated IP addresses / CIDR ranges allowed to call the admin routes (`/dashboard/*`, `/metrics`
   * with a key); unset = any address with a valid key. The client address is the peer's, or X-Forwarded-For's when the
   * peer is a trusted proxy.
   */
  @Matches(/^[0-9a-fA-F:./,\s]*$/, { message: 'ADMIN_IP_ALLOWLIST: comma-separated IP addresses or CIDR ranges' })
  @IsOptional()
  ADMIN_IP_ALLOWLIST?: string;

  /** Comma-separated IP addresses / CIDR ranges that may read `GET /metrics` without an admin key (a Prometheus server). */
  @Matches(/^[0-9a-fA-F:./,\s]*$/, { message: 'METRICS_IP_ALLOWLIST: comma-separated IP addresses or CIDR ranges' })
  @IsOptional()
  METRICS_IP_ALLOWLIST?: string;

  // --- health ---
  /** /health reports the queue down when the oldest waiting event is older than this. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(604800)
  @IsOptional()
  HEALTH_QUEUE_MAX_AGE_SECONDS = 900;

  /** /health requires a live worker heartbeat (set false for an API-only deployment monitored elsewhere). */
  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  HEALTH_REQUIRE_WORKER = true;

  /**
   * The database checks of /health and /health/ready run at most once per this many ms, shared by every probe
   * (a probe may get a result up to 3× this old while the next check runs; decision 0025). 0 = check on every probe.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  @IsOptional()
  HEALTH_CHECK_CACHE_MS = 1000;

  // --- webhooks ---
  /** Comma-separated keys accepted in X-Webhook-Key / ?token= (several during a rotation). */
  @IsString()
  @IsOptional()
  WEBHOOK_API_KEYS?: string;

  /** The earlier system's single key; merged into WEBHOOK_API_KEYS. */
  @IsString()
  @IsOptional()
  WEBHOOK_API_KEY?: string;

  /** Comma-separated Zoho webhook secrets for X-Zoho-Webhook-Signature (HMAC-SHA256). */
  @IsString()
  @IsOptional()
  ZOHO_WEBHOOK_SECRETS?: string;

  @IsString()
  @IsOptional()
  ZOHO_WEBHOOK_SECRET?: string;

  /** Comma-separated Zoho organization ids; when set, ?organization_id= must be one of them. */
  @Matches(/^\s*\d+(\s*,\s*\d+)*\s*$/, { message: 'ZOHO_ORGANIZATION_IDS must be comma-separated digits' })
  @IsOptional()
  ZOHO_ORGANIZATION_IDS?: string;

  /**
   * With signature authentication every query parameter and form field must be one the service knows (event,
   * organization_id, token, JSONString, the timestamp parameter) or one listed here: the names a configured Zoho
   * webhook adds. Zoho signs key+value pairs without separators, so an unknown name could re-split a signed string.
   */
  @Matches(/^\s*[A-Za-z0-9_.-]+(\s*,\s*[A-Za-z0-9_.-]+)*\s*$/, {
    message: 'ZOHO_WEBHOOK_EXTRA_PARAMS must be comma-separated parameter names',
  })
  @IsOptional()
  ZOHO_WEBHOOK_EXTRA_PARAMS?: string;

  // --- reverse proxy (docs/decisions/0018-processes-and-deployment-kit.md) ---
  /**
   * Comma-separated IP addresses / CIDR ranges of the reverse proxies in front of the service (nginx: 127.0.0.1).
   * Only a request arriving from one of them has its X-Forwarded-For / X-Forwarded-Proto believed. Unset: none,
   * the TCP peer is the client and X-Forwarded-For is ignored.
   */
  @Validate(TrustedProxiesConstraint)
  @IsOptional()
  TRUSTED_PROXIES?: string;
  /**
   * Replay window for signed webhooks: the name of a signed query parameter (or form field) holding the time the
   * webhook was sent (Unix seconds or milliseconds, or ISO 8601). When set, a signed request without it, or outside
   * ZOHO_WEBHOOK_REPLAY_WINDOW_S of now, is refused (401).
   */
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'ZOHO_WEBHOOK_TIMESTAMP_PARAM must be a parameter name' })
  @IsOptional()
  ZOHO_WEBHOOK_TIMESTAMP_PARAM?: string;

  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(86400)
  @IsOptional()
  ZOHO_WEBHOOK_REPLAY_WINDOW_S = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  @IsOptional()
  WEBHOOK_MAX_BODY_BYTES = 2 * 1024 * 1024;

  /**
   * Ingest group commit: at most this many INSERT batches in flight per process; requests arriving meanwhile wait
   * and are committed together in the next batch. 1 batch = 1 commit for up to WEBHOOK_INGEST_BATCH_MAX events.
   * 1 (one batch writing while the next gathers) makes the largest batches: a batch costs ~0.8 ms of CPU whatever its
   * size, and 1 measured ~15% less CPU per webhook and a lower p99 than 4 (docs/decisions/0024). Raise it when a commit
   * takes long (slow storage, a distant server) and one batch at a time would cap ingest.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  @IsOptional()
  WEBHOOK_INGEST_MAX_INFLIGHT = 1;

  // --- reconciliation with the Zoho API (docs/RECONCILIATION.md); off until the four credentials are set ---
  @Transform(trimmed)
  @IsString()
  @IsOptional()
  ZOHO_CLIENT_ID?: string;

  @Transform(trimmed)
  @IsString()
  @IsOptional()
  ZOHO_CLIENT_SECRET?: string;

  @Transform(trimmed)
  @IsString()
  @IsOptional()
  ZOHO_REFRESH_TOKEN?: string;

  /** The organization polled (the webhook allow-list stays ZOHO_ORGANIZATION_IDS). */
  @Transform(trimmed)
  @Matches(/^\d+$/, { message: 'ZOHO_ORGANIZATION_ID must be digits' })
  @IsOptional()
  ZOHO_ORGANIZATION_ID?: string;

  /** https, or http to a loopback host only (a local test server): tokens never cross a network in clear. */
  @Transform(trimmed)
  @Matches(ZOHO_URL, { message: ZOHO_URL_MESSAGE })
  @IsOptional()
  ZOHO_ACCOUNTS_URL = 'https://accounts.zoho.com';

  /** Overrides the api_domain of the token answer. */
  @Transform(trimmed)
  @Matches(ZOHO_URL, { message: ZOHO_URL_MESSAGE })
  @IsOptional()
  ZOHO_API_DOMAIN?: string;

  @IsIn(['books', 'inventory'])
  @IsOptional()
  ZOHO_API: 'books' | 'inventory' = 'books';

  /** Modules served by the other API: `module=books|inventory`, comma-separated. */
  @Transform(trimmed)
  @Matches(/^\s*[a-z_]+\s*=\s*(books|inventory)\s*(,\s*[a-z_]+\s*=\s*(books|inventory)\s*)*$/, {
    message: 'ZOHO_API_MODULES must look like pricebooks=inventory,inventoryadjustments=inventory',
  })
  @IsOptional()
  ZOHO_API_MODULES = 'pricebooks=inventory,inventoryadjustments=inventory';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  @IsOptional()
  ZOHO_API_MAX_REQUESTS_PER_MINUTE = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  @IsOptional()
  ZOHO_API_DAILY_BUDGET = 500;

  /** First wait after a 429 or 5xx answer (doubles per retry, with jitter, capped at 60 s). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60_000)
  @IsOptional()
  ZOHO_API_BACKOFF_BASE_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300_000)
  @IsOptional()
  ZOHO_API_TIMEOUT_MS = 30_000;

  @Transform(trimmed)
  @IsString()
  @IsOptional()
  TDS_RECONCILE_CRON = '0 * * * *';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_080)
  @IsOptional()
  TDS_RECONCILE_OVERLAP_MINUTES = 10;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @IsOptional()
  TDS_ALERT_RECONCILE_MISSED_WARNING = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  @IsOptional()
  WEBHOOK_INGEST_BATCH_MAX = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  @IsOptional()
  WEBHOOK_RETRY_AFTER_SECONDS = 30;

  /** A webhook whose INSERT has not committed within this is answered 503 (a database that hangs, not only one that refuses). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  @IsOptional()
  WEBHOOK_COMMIT_TIMEOUT_MS = 10000;

  // --- backups (docs/BACKUP_GUIDE.md, docs/decisions/0017-backups-and-retention.md) ---
  /** The in-app scheduled backup (one run per scheduled time across every process). */
  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  BACKUP_ENABLED = true;

  @Transform(trimmed)
  @IsString()
  @IsOptional()
  BACKUP_CRON = '0 2 * * *';

  /** Where pg_dump archives go (tds_backup_YYYYMMDD_HHMMSS_<ms>.dump); unset = $TDS_DATA_DIR/backups (./data/backups). */
  @IsString()
  @IsOptional()
  BACKUP_DIR?: string;

  /** full: restore into a scratch database and compare row counts; archive: the archive reads back whole. */
  @IsIn(['full', 'archive'])
  @IsOptional()
  BACKUP_VERIFY: 'full' | 'archive' = 'full';

  /** Files older than this go, only after a new verified backup; the newest verified one is always kept. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  @IsOptional()
  BACKUP_RETENTION_DAYS = 30;

  /** Folder holding pg_dump / pg_restore (e.g. /usr/lib/postgresql/15/bin); unset = found on PATH. */
  @IsString()
  @IsOptional()
  PG_BIN_DIR?: string;

  // --- retention of the service's own data (docs/decisions/0017-backups-and-retention.md) ---
  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  TDS_RETENTION_ENABLED = true;

  @Transform(trimmed)
  @IsString()
  @IsOptional()
  TDS_RETENTION_CRON = '30 3 * * *';

  /** Raw bodies and payloads of completed events are cleared after this many days. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  @IsOptional()
  TDS_INBOX_RETENTION_DAYS = 7;

  /** Completed events and their attempts are deleted after this many days (also the dedup window of timed records). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  @IsOptional()
  TDS_EVENT_RETENTION_DAYS = 90;

  /** Rows per pruning statement (one short transaction each). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(10000)
  @IsOptional()
  TDS_RETENTION_BATCH_SIZE = 1000;

  // --- monitoring (docs/decisions/0015-monitoring-snapshots-and-alert-rules.md) ---
  /** Runs the monitoring job (snapshot + alert rules); off in tests unless a test turns it on. */
  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  TDS_MONITORING_ENABLED = true;

  // When the monitoring job runs: 5 cron fields, or 6 with a leading seconds field ('*/5 * * * * *' = every 5 s).
  @Transform(trimmed)
  @IsString()
  @IsOptional()
  TDS_MONITORING_CRON = '*/5 * * * *';

  /** The window every "over the window" metric means (throughput, failure rate, latency). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1440)
  @IsOptional()
  TDS_MONITORING_WINDOW_MINUTES = 15;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  @IsOptional()
  TDS_METRICS_RETENTION_DAYS = 30;

  /** An unfinished event older than this while a worker is alive counts as stuck. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10080)
  @IsOptional()
  TDS_ALERT_STUCK_MINUTES = 10;

  /** No worker heartbeat for this long: /health reports the workers down and the no-live-worker alert fires. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  @IsOptional()
  TDS_WORKER_HEARTBEAT_TIMEOUT_S = 30;

  // --- alert rules: warning / critical levels. No defaults here: the alerts config section applies them, so that an
  // old name (which sets the critical level) can be told apart from a new one set explicitly. ---
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @IsOptional()
  TDS_ALERT_QUEUE_BACKLOG_WARNING?: number;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @IsOptional()
  TDS_ALERT_QUEUE_BACKLOG_CRITICAL?: number;

  /** The earlier system's name: sets TDS_ALERT_QUEUE_BACKLOG_CRITICAL. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @IsOptional()
  TDS_ALERT_QUEUE_BACKLOG_THRESHOLD?: number;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @IsOptional()
  TDS_ALERT_DLQ_WARNING?: number;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @IsOptional()
  TDS_ALERT_DLQ_CRITICAL?: number;

  /** Failed attempts / attempts over the window, as a fraction (0.05 = 5%). */
  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a fraction between 0 and 1' })
  @Min(0)
  @Max(1)
  @IsOptional()
  TDS_ALERT_FAILURE_RATE_WARNING?: number;

  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a fraction between 0 and 1' })
  @Min(0)
  @Max(1)
  @IsOptional()
  TDS_ALERT_FAILURE_RATE_CRITICAL?: number;

  /** The earlier system's name: sets TDS_ALERT_FAILURE_RATE_CRITICAL. */
  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a fraction between 0 and 1' })
  @Min(0)
  @Max(1)
  @IsOptional()
  TDS_ALERT_FAILURE_RATE_THRESHOLD?: number;

  /** A failure rate over fewer attempts than this does not fire. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @IsOptional()
  TDS_ALERT_FAILURE_RATE_MIN_EVENTS = 20;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @IsOptional()
  TDS_ALERT_STUCK_WARNING?: number;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @IsOptional()
  TDS_ALERT_STUCK_CRITICAL?: number;

  /** Sync lag = age of the oldest pending event, in minutes. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @IsOptional()
  TDS_ALERT_SYNC_LAG_WARNING_MINUTES?: number;

  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @IsOptional()
  TDS_ALERT_SYNC_LAG_CRITICAL_MINUTES?: number;

  /** The earlier system's name: sets TDS_ALERT_SYNC_LAG_CRITICAL_MINUTES. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @IsOptional()
  TDS_ALERT_SYNC_LAG_THRESHOLD_MINUTES?: number;

  /** Connections in use / max_connections, as a fraction. */
  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a fraction between 0 and 1' })
  @Min(0)
  @Max(1)
  @IsOptional()
  TDS_ALERT_DB_CONNECTIONS_WARNING?: number;

  @Transform(toNumber)
  @IsNumber({}, { message: 'must be a fraction between 0 and 1' })
  @Min(0)
  @Max(1)
  @IsOptional()
  TDS_ALERT_DB_CONNECTIONS_CRITICAL?: number;

  /** An alert resolves only once its value is below its (lowest) threshold by this fraction: no flapping at the line. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(0.9)
  @IsOptional()
  TDS_ALERT_HYSTERESIS = 0.1;

  /** Unacknowledged critical alerts are notified again this often. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10080)
  @IsOptional()
  ALERT_RENOTIFY_MINUTES = 60;

  // --- notifications (src/modules/notifications, docs/NOTIFICATIONS_SETUP.md, docs/decisions/0016) ---
  /** Where operators open the service from outside (links in notifications point at `${PUBLIC_BASE_URL}/ui/alerts`). */
  @Transform(trimmed)
  @Matches(/^https?:\/\/[^\s?#]+$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL without query or fragment' })
  @IsOptional()
  PUBLIC_BASE_URL?: string;

  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  ALERT_EMAIL_ENABLED = false;

  @Transform(trimmed)
  @IsString()
  @IsOptional()
  SMTP_HOST?: string;

  /** Unset: 465 with SMTP_TLS=true, 587 with starttls, 25 with false. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  @IsOptional()
  SMTP_PORT?: number;

  @IsString()
  @IsOptional()
  SMTP_USER?: string;

  @IsString()
  @IsOptional()
  SMTP_PASSWORD?: string;

  /** The From header, e.g. `TDS Core <alerts@example.com>`. */
  @Transform(trimmed)
  @IsString()
  @IsOptional()
  SMTP_FROM?: string;

  /** `true` = implicit TLS (port 465), `starttls` = upgrade required (port 587), `false` = plain SMTP (relay on a trusted network). */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(['true', 'starttls', 'false'])
  @IsOptional()
  SMTP_TLS: 'true' | 'starttls' | 'false' = 'starttls';

  /** Comma-separated recipients of alert emails. */
  @Transform(trimmed)
  @IsString()
  @IsOptional()
  EMAIL_TO?: string;

  @IsIn(['info', 'warning', 'critical'])
  @IsOptional()
  ALERT_EMAIL_MIN_SEVERITY: 'info' | 'warning' | 'critical' = 'warning';

  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  ALERT_SLACK_ENABLED = false;

  /** A Slack incoming-webhook URL; its path is a secret (logged as https://hooks.slack.com/services/***). */
  @Transform(trimmed)
  @IsString()
  @IsOptional()
  SLACK_WEBHOOK_URL?: string;

  /** Overrides the webhook's default channel (honoured by legacy webhooks only; a Slack app's webhook posts to its own channel). */
  @Transform(trimmed)
  @IsString()
  @IsOptional()
  SLACK_CHANNEL?: string;

  @IsIn(['info', 'warning', 'critical'])
  @IsOptional()
  ALERT_SLACK_MIN_SEVERITY: 'info' | 'warning' | 'critical' = 'warning';

  @Transform(toBool)
  @IsBoolean()
  @IsOptional()
  ALERT_WEBHOOK_ENABLED = false;

  /** Comma-separated receiver URLs; each one is its own delivery. */
  @Transform(trimmed)
  @IsString()
  @IsOptional()
  ALERT_WEBHOOK_URLS?: string;

  @IsIn(['info', 'warning', 'critical'])
  @IsOptional()
  ALERT_WEBHOOK_MIN_SEVERITY: 'info' | 'warning' | 'critical' = 'warning';

  /** HMAC-SHA256 key of X-TDS-Signature (at least 16 characters); required when ALERT_WEBHOOK_ENABLED. */
  @IsString()
  @IsOptional()
  ALERT_WEBHOOK_SECRET?: string;

  /** Tries per delivery (the first included) before it is given up. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  @IsOptional()
  ALERT_NOTIFY_MAX_ATTEMPTS = 5;

  /** Delay before the first retry; doubles per retry (with jitter) up to ALERT_NOTIFY_BACKOFF_MAX_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600000)
  @IsOptional()
  ALERT_NOTIFY_BACKOFF_BASE_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400000)
  @IsOptional()
  ALERT_NOTIFY_BACKOFF_MAX_MS = 300000;

  /** One attempt (HTTP request, or SMTP connect + send) is cut off after this long. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  @IsOptional()
  ALERT_NOTIFY_TIMEOUT_MS = 10000;

  /** At shutdown, attempts in flight get this long to finish; retries not yet due are dropped (recorded as abandoned). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(120000)
  @IsOptional()
  ALERT_NOTIFY_SHUTDOWN_GRACE_MS = 5000;

  // --- rate limits (dashboard / admin API and webhooks; docs/decisions/0020) ---
  /** Admin actions that change something (retry, replay, bulk retry …), per admin key and minute. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  @IsOptional()
  RATE_LIMIT_PER_MINUTE = 60;

  /** Admin reads (dashboard lists, event detail, stats), per admin key and minute: high enough for a polling UI. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  @IsOptional()
  RATE_LIMIT_READS_PER_MINUTE = 1200;

  /**
   * How long the 24-hour figures of GET /dashboard/queue-stats (completed per type, retry histogram) are reused: they
   * count a day of events, move slowly, and every poller shares them. 0 = counted on every call.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  @IsOptional()
  DASHBOARD_STATS_CACHE_S = 15;

  /**
   * How long the live queue counts of GET /dashboard/metrics (by status) and GET /dashboard/queue-stats (unfinished by
   * type) are shared by every caller, in milliseconds. They read every waiting event, so a backlog makes each count
   * cost: pollers and routes share one count per period instead of one per request. 0 = counted on every call.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  @IsOptional()
  DASHBOARD_LIVE_CACHE_MS = 2000;

  /** Webhook requests per client IP and minute (fixed window, per process); high so that Zoho bursts pass. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000000)
  @IsOptional()
  RATE_LIMIT_WEBHOOKS_PER_MINUTE = 60000;
}

export class ConfigValidationError extends Error {
  constructor(
    readonly problems: string[],
    /** The log format to report this in: LOG_FORMAT when it is valid, else the environment's default. */
    readonly logFormat: 'json' | 'text' = 'json',
  ) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

function flatten(errors: ValidationError[]): string[] {
  // One line per bad key, with every reason.
  return errors.map((e) => `${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
}

/**
 * Validates raw env-style keys (the environment, or a test's overrides); throws one error listing every bad key.
 * The launcher and ormconfig.ts call it once, through loadEnvironment(); tests call it on the keys they set.
 */
export function validate(config: Record<string, unknown>): EnvironmentVariables {
  // An empty value (`DATABASE_URL=` in .env) means "not set": the default applies.
  const present = Object.fromEntries(Object.entries(config).filter(([, v]) => !(typeof v === 'string' && v.trim() === '')));
  const env = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  const problems = flatten(errors);
  if (env.TDS_RETRY_BACKOFF_MAX_MS < env.TDS_RETRY_BACKOFF_BASE_MS) {
    problems.push(
      `TDS_RETRY_BACKOFF_MAX_MS=${env.TDS_RETRY_BACKOFF_MAX_MS}: must be >= TDS_RETRY_BACKOFF_BASE_MS (${env.TDS_RETRY_BACKOFF_BASE_MS})`,
    );
  }
  for (const key of ['BACKUP_CRON', 'TDS_RETENTION_CRON'] as const) {
    const problem = typeof env[key] === 'string' ? cronProblem(env[key]) : null;
    if (problem) problems.push(`${key}=${JSON.stringify(env[key])}: not a cron expression (${problem})`);
  }
  if (env.TDS_EVENT_RETENTION_DAYS < env.TDS_INBOX_RETENTION_DAYS) {
    problems.push(
      `TDS_EVENT_RETENTION_DAYS=${env.TDS_EVENT_RETENTION_DAYS}: must be >= TDS_INBOX_RETENTION_DAYS (${env.TDS_INBOX_RETENTION_DAYS})`,
    );
  }
  const zohoCredentials = {
    ZOHO_CLIENT_ID: env.ZOHO_CLIENT_ID,
    ZOHO_CLIENT_SECRET: env.ZOHO_CLIENT_SECRET,
    ZOHO_REFRESH_TOKEN: env.ZOHO_REFRESH_TOKEN,
    ZOHO_ORGANIZATION_ID: env.ZOHO_ORGANIZATION_ID,
  };
  const zohoMissing = Object.entries(zohoCredentials)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (zohoMissing.length > 0 && zohoMissing.length < 4) {
    problems.push(
      `${zohoMissing.join(', ')}: reconciliation needs all of ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN and ZOHO_ORGANIZATION_ID (or none)`,
    );
  }
  const reconcileCron = cronProblem(env.TDS_RECONCILE_CRON);
  if (reconcileCron) problems.push(`TDS_RECONCILE_CRON=${JSON.stringify(env.TDS_RECONCILE_CRON)}: ${reconcileCron}`);
  problems.push(...monitoringProblems(env, new Set(errors.map((e) => e.property))));
  problems.push(...notificationEnvProblems(env));
  if (problems.length) {
    const format = env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'text' ? env.LOG_FORMAT : undefined;
    throw new ConfigValidationError(problems, format ?? (env.ENVIRONMENT === Environment.Development ? 'text' : 'json'));
  }
  env.DOCS_ENABLED ??= env.ENVIRONMENT !== Environment.Production;
  return Object.freeze(env);
}
