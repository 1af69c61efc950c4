import type { AlertNotice, AlertSeverity } from './alert-notice';
import { SEVERITY_RANK } from './alert-notice';

/** The channels a notice can go out on (tds.notification_attempts.channel). */
export type ChannelName = 'email' | 'slack' | 'webhook';

/** The channel list, injected as `@Inject(NOTIFICATION_CHANNELS) channels: NotificationChannel[]`. */
export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');

/** What one attempt hands the target besides the notice. */
export interface SendContext {
  /** Aborted when the attempt times out or the shutdown grace ends; an HTTP request or SMTP session stops then. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Stable across the retries of one delivery (receivers can use it to drop duplicates). */
  deliveryId: string;
  attempt: number;
}

/** What a receiver answered to an accepted attempt. */
export interface SendResult {
  httpStatus: number | null;
  smtpResponse: string | null;
}

/** One place a channel delivers to: an SMTP relay with its recipients, the Slack webhook, one generic webhook URL. */
export interface ChannelTarget {
  /** Names the target in logs, answers and tds.notification_attempts; never holds a secret. */
  readonly label: string;
  send(notice: AlertNotice, ctx: SendContext): Promise<SendResult>;
}

/** A notification channel; every channel is in the list, enabled or not. */
export interface NotificationChannel {
  readonly name: ChannelName;
  readonly enabled: boolean;
  /** Notices below this severity are not sent here (critical always is). */
  readonly minSeverity: AlertSeverity;
  /** Empty when the channel is disabled. */
  targets(): readonly ChannelTarget[];
  /** Strings that must never appear in a log line or an answer (passwords, URL paths, secrets). */
  secrets(): readonly string[];
}

/** A refused or failed attempt, with what the receiver said. `permanent`: retrying cannot help (e.g. HTTP 400/404, SMTP 5xx). */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly httpStatus: number | null;
  readonly smtpResponse: string | null;
  /** The receiver's Retry-After, when it sent one. */
  readonly retryAfterMs: number | null;

  constructor(
    message: string,
    details: { permanent?: boolean; httpStatus?: number | null; smtpResponse?: string | null; retryAfterMs?: number | null } = {},
  ) {
    super(message);
    this.name = 'DeliveryError';
    this.permanent = details.permanent ?? false;
    this.httpStatus = details.httpStatus ?? null;
    this.smtpResponse = details.smtpResponse ?? null;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }
}

/**
 * Whether a notice goes out on a channel: critical always does, test notices do on every enabled channel (the test
 * route checks the channels, not the thresholds), anything else when its severity reaches the channel's minimum.
 * A recovery carries the severity the alert had, so it goes where the alert went.
 */
export function channelWants(
  channel: Pick<NotificationChannel, 'enabled' | 'minSeverity'>,
  notice: Pick<AlertNotice, 'kind' | 'severity'>,
): boolean {
  if (!channel.enabled) return false;
  if (notice.kind === 'test' || notice.severity === 'critical') return true;
  return SEVERITY_RANK[notice.severity] >= SEVERITY_RANK[channel.minSeverity];
}
