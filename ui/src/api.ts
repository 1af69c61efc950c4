// The service's admin API as the UI uses it. Every call carries the admin key (Authorization: Bearer); a 401 or
// 403 ends the session (see auth.tsx). Paths are relative to the API base, derived from the page's <base href>.

/** `<API_BASE_PATH>/ui/` as served (the service injects <base href>); '/ui/' when opened without a prefix. */
export const UI_BASE = new URL(document.baseURI).pathname.replace(/\/?$/, '/');
/** The API base path: the UI's path without its trailing `ui/` (e.g. '/tds/' or '/'). */
export const API_BASE = UI_BASE.replace(/ui\/$/, '');

const KEY_STORAGE = 'tds-admin-key';

export const adminKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** The service's one error shape. */
export interface ApiErrorBody {
  statusCode: number;
  error?: string;
  code?: string;
  message: string | string[];
  requestId?: string;
}

/** What the UI says when no answer comes from the service (stopped, restarting, network); every screen retries. */
export const SERVICE_UNREACHABLE = 'The service does not answer (stopped, restarting, or the network is down); retrying';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** Called when the key is refused: the app goes back to the login screen with the message. */
let onAuthFailure: (message: string) => void = () => undefined;
export function setAuthFailureHandler(handler: (message: string) => void): void {
  onAuthFailure = handler;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** One request. `key` overrides the stored key (the login screen checks a key before keeping it). */
export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string; auth?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = init.key ?? adminKey.get();
  if (init.auth !== false && key) headers.Authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(API_BASE + path.replace(/^\//, ''), {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    // The browser's own words ("Failed to fetch") say nothing to an operator.
    throw new ApiError(0, SERVICE_UNREACHABLE);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (a proxy's error page): the status line says what happened
  }
  // nginx in front of a stopped or restarting service: its own page, not the service's error body.
  if (body === undefined && [502, 503, 504].includes(res.status)) {
    throw new ApiError(res.status, `${SERVICE_UNREACHABLE} (HTTP ${res.status} from the proxy in front of it)`);
  }
  // /health answers 503 with its details when a check fails: the caller wants the body either way.
  if (res.ok || (res.status === 503 && path.startsWith('health'))) return body as T;
  const e = body as Partial<ApiErrorBody> | undefined;
  const message = Array.isArray(e?.message) ? e.message.join('; ') : (e?.message ?? `${res.status} ${res.statusText}`);
  const err = new ApiError(res.status, message, e?.code);
  if (err.isAuth && init.key === undefined && init.auth !== false) onAuthFailure(message);
  throw err;
}

// ---- Shapes (the dashboard, alerts and notifications routes' DTOs) ----

export interface StatusCount {
  count: number;
  oldestAgeSeconds: number | null;
}
export interface QueueTotals {
  pending: StatusCount;
  processing: StatusCount;
  failed: StatusCount;
  deadLetter: StatusCount;
}
export interface EntityTypeStats {
  entityType: string;
  pending: number;
  processing: number;
  failed: number;
  deadLetter: number;
  completedLast24h: number;
}
export interface QueueBreakdown {
  totals: QueueTotals;
  byEntityType: EntityTypeStats[];
  oldestPending: { receivedAt: string; ageSeconds: number } | null;
  retryHistogram: { attempts: number; count: number }[];
  /** One point per monitoring snapshot of the last 24 hours, oldest first. */
  series?: SeriesPoint[];
}

export interface SeriesPoint {
  takenAt: string;
  pending: number;
  deadLetter: number;
  oldestPendingAgeSeconds: number | null;
  failureRate: number | null;
  throughputPerMinute: number | null;
  latencyP95Ms: number | null;
  liveWorkers: number;
  openAlerts: Record<string, number>;
}

export type EventStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'dead_letter';
export interface EventSummary {
  id: string;
  entityType: string;
  recordType: string;
  entityId: string;
  eventKind: string;
  status: EventStatus;
  outcome: string | null;
  attempts: number;
  lastError: string | null;
  lastErrorCode: string | null;
  zohoModifiedAt: string | null;
  receivedAt: string;
  updatedAt: string;
  completedAt: string | null;
  replayOf: string | null;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface EventAttempt {
  attempt: number;
  workerId: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  outcome: string;
  error: string | null;
  errorCode: string | null;
}
export interface EventDetail extends Omit<EventSummary, 'updatedAt' | 'zohoModifiedAt'> {
  organizationId: string | null;
  outcomeDetail: string | null;
  processingBy: string | null;
  processingSince: string | null;
  attemptLog: EventAttempt[];
  headers: { contentType: string | null; requestId: string | null };
  rawBody: string | null;
  payload: Record<string, unknown> | null;
  erp: { table: string; key: Record<string, unknown>; row: Record<string, unknown> | null } | null;
}
export interface ErrorGroup {
  fingerprint: string;
  pattern: string;
  count: number;
  entityTypes: string[];
  errorCodes: string[];
  firstSeen: string;
  lastSeen: string;
  latestEventId: string;
}
export interface BulkRetryResult {
  dryRun: boolean;
  matched: number;
  retried: number;
  eventIds: string[];
}
export interface Alert {
  id: string;
  rule: string;
  title: string;
  severity: 'info' | 'warning' | 'critical';
  status: 'open' | 'acknowledged' | 'resolved';
  value: number | null;
  threshold: number | null;
  unit: string | null;
  summary: string;
  action: string;
  occurrences: number;
  openedAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  resolvedAt: string | null;
}
export interface NotificationTestResult {
  channel: string;
  target: string;
  delivered: boolean;
  outcome: string;
  httpStatus: number | null;
  smtpResponse: string | null;
  error: string | null;
  durationMs: number;
}
export interface NotificationTestResponse {
  message: string;
  allDelivered: boolean;
  results: NotificationTestResult[];
}
export interface AuditEntry {
  id: string;
  at: string;
  keyName: string;
  action: string;
  target: string | null;
  clientIp: string | null;
  statusCode: number;
  result: string;
  detail: string | null;
  requestId: string | null;
}
/** Terminus' answer: status plus one entry per check. */
export interface Health {
  status: 'ok' | 'error' | 'shutting_down';
  info?: Record<string, { status: string; [k: string]: unknown }>;
  error?: Record<string, { status: string; [k: string]: unknown }>;
  details?: Record<string, { status: string; [k: string]: unknown }>;
}
