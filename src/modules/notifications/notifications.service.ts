import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { AppConfigService } from '../../config/app-config.service';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { backoffDelayMs } from '../queue/backoff';
import type { AlertNotice } from './alert-notice';
import { AttemptOutcome, NotificationAttemptRepository, NotificationAttemptRow } from './notification-attempt.repository';
import {
  ChannelName,
  channelWants,
  ChannelTarget,
  DeliveryError,
  NOTIFICATION_CHANNELS,
  NotificationChannel,
  SendResult,
} from './notification-channel';
import { testNotice } from './notice-text';
import { scrubSecrets } from './secret-redaction';

/** How one attempt ended, as logged, stored and answered by the test route (no secrets). */
export interface AttemptReport {
  deliveryId: string;
  channel: ChannelName;
  target: string;
  attempt: number;
  outcome: AttemptOutcome | 'pending';
  httpStatus: number | null;
  smtpResponse: string | null;
  error: string | null;
  durationMs: number;
  /** With outcome `retry`: when the next try is due. */
  nextRetryInMs: number | null;
}

/** Extra time the test route allows beyond the attempt timeout (recording the attempt, scheduling). */
const TEST_ANSWER_SLACK_MS = 2000;
/** After the grace period, attempts that were cut off get this long to record how they ended. */
const CUT_OFF_RECORD_MS = 2000;

function abortRejection(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Resolves after `ms` (the timer does not keep the process alive). */
function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/**
 * Hands alert notices to the notification channels (email, Slack, signed webhooks: `NOTIFICATION_CHANNELS`).
 *
 * `notify()` never throws and never waits: every (channel, target) pair becomes its own delivery running in the
 * background, so a slow or failing receiver holds up neither the other channels nor the monitoring run nor the
 * pipeline. A delivery retries with exponential backoff and jitter (ALERT_NOTIFY_*), each attempt bounded by
 * ALERT_NOTIFY_TIMEOUT_MS, and every attempt is a row in tds.notification_attempts. Retries live in memory
 * (docs/decisions/0016): a stop drops those not yet due (recorded as `abandoned`) after letting attempts in flight
 * finish within ALERT_NOTIFY_SHUTDOWN_GRACE_MS.
 */
@Injectable()
export class NotificationsService implements OnApplicationShutdown {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly running = new Set<Promise<void>>();
  /** Aborted when the stop begins: retries not yet due are dropped. */
  private readonly stopRetries = new AbortController();
  /** Aborted when the grace period ends: attempts still in flight are cut off. */
  private readonly hardStop = new AbortController();
  private readonly secrets: string[];
  private readonly policy: AppConfigService['notifications']['delivery'];

  constructor(
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannel[],
    private readonly attempts: NotificationAttemptRepository,
    config: AppConfigService,
  ) {
    this.policy = config.notifications.delivery;
    this.secrets = channels.flatMap((c) => [...c.secrets()]);
    // one listener per pending retry or attempt in flight: many at once is normal here
    setMaxListeners(0, this.stopRetries.signal);
    setMaxListeners(0, this.hardStop.signal);
  }

  /** The channels switched on by configuration. */
  enabledChannels(): ChannelName[] {
    return this.channels.filter((c) => c.enabled).map((c) => c.name);
  }

  /** Deliveries started and not yet finished (attempting, or waiting for a retry). */
  get pendingDeliveries(): number {
    return this.running.size;
  }

  /** Starts one background delivery per enabled channel target that wants this notice; returns at once. */
  notify(notice: AlertNotice): void {
    try {
      const routes = this.channels.filter((c) => channelWants(c, notice)).flatMap((c) => c.targets().map((t) => ({ c, t })));
      if (routes.length === 0) {
        this.logger.debug(`alert ${notice.kind} ${notice.rule} [${notice.severity}]: no channel wants it`);
        return;
      }
      for (const { c, t } of routes) this.start(c, t, notice);
    } catch (err) {
      // never let a notification problem reach the caller (the monitoring run)
      this.logger.error(`could not start notifications for alert ${notice.alertId ?? '-'}: ${this.scrub(String(err))}`);
    }
  }

  /**
   * Sends a test notice to every enabled channel and answers with the first attempt of each target (a failed one
   * goes on retrying in the background). Throws NoNotificationChannel when no channel is enabled.
   */
  async sendTest(requestedBy?: string): Promise<AttemptReport[]> {
    const enabled = this.channels.filter((c) => c.enabled);
    if (enabled.length === 0) {
      throw new DomainError(
        ErrorCode.NoNotificationChannel,
        'No notification channel is enabled: set ALERT_EMAIL_ENABLED, ALERT_SLACK_ENABLED or ALERT_WEBHOOK_ENABLED (docs/NOTIFICATIONS_SETUP.md)',
      );
    }
    const notice = testNotice(requestedBy, new Date());
    this.logger.log(`test notification requested by admin key ${requestedBy ?? '-'} on ${enabled.map((c) => c.name).join(', ')}`);
    const bound = this.policy.attemptTimeoutMs + TEST_ANSWER_SLACK_MS;
    const firsts = enabled.flatMap((c) =>
      c.targets().map((t) => {
        const { deliveryId, first } = this.start(c, t, notice);
        const pending: AttemptReport = {
          deliveryId,
          channel: c.name,
          target: t.label,
          attempt: 1,
          outcome: 'pending',
          httpStatus: null,
          smtpResponse: null,
          error: `no answer within ${bound} ms`,
          durationMs: bound,
          nextRetryInMs: null,
        };
        return Promise.race([first, pause(bound).then(() => pending)]);
      }),
    );
    return Promise.all(firsts);
  }

  /** Recorded delivery attempts, newest first (of one alert when given). */
  recentAttempts(limit: number, alertId?: string): Promise<NotificationAttemptRow[]> {
    return this.attempts.recent(limit, alertId);
  }

  /**
   * The stop: retries not yet due are dropped at once; attempts in flight (and deliveries started meanwhile, for a
   * first attempt) get ALERT_NOTIFY_SHUTDOWN_GRACE_MS, then they are aborted ("cut off by shutdown"; their retry is
   * then recorded as abandoned, like the others). Runs before the database pools close (DatabaseModule is global:
   * its hook runs last), so every outcome is still written.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopRetries.abort();
    if (this.running.size === 0) return;
    const grace = this.policy.shutdownGraceMs;
    this.logger.log(`stopping: ${this.running.size} notification deliveries in flight get up to ${grace} ms`);
    const deadline = Date.now() + grace;
    while (this.running.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.running]), pause(Math.max(0, deadline - Date.now()))]);
    }
    if (this.running.size === 0) return;
    this.logger.warn(`stopping: cutting off ${this.running.size} notification deliveries after ${grace} ms`);
    this.hardStop.abort();
    await Promise.race([Promise.allSettled([...this.running]), pause(CUT_OFF_RECORD_MS)]);
  }

  private start(
    channel: NotificationChannel,
    target: ChannelTarget,
    notice: AlertNotice,
  ): { deliveryId: string; first: Promise<AttemptReport> } {
    const deliveryId = randomUUID();
    let onFirst!: (r: AttemptReport) => void;
    const first = new Promise<AttemptReport>((resolve) => (onFirst = resolve));
    const run: Promise<void> = this.run(channel, target, notice, deliveryId, onFirst)
      .catch((err) => this.logger.error(`notification delivery ${deliveryId} on ${channel.name} broke: ${this.scrub(String(err))}`))
      .finally(() => this.running.delete(run));
    this.running.add(run);
    return { deliveryId, first };
  }

  private async run(
    channel: NotificationChannel,
    target: ChannelTarget,
    notice: AlertNotice,
    deliveryId: string,
    onFirst: (r: AttemptReport) => void,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const report = await this.attempt(channel, target, notice, deliveryId, attempt);
      if (attempt === 1) onFirst(report);
      if (report.outcome !== 'retry') return;
      if (!(await this.waitForRetry(report.nextRetryInMs ?? 0))) {
        await this.abandon(channel, target, notice, deliveryId, attempt + 1);
        return;
      }
    }
  }

  private async attempt(
    channel: NotificationChannel,
    target: ChannelTarget,
    notice: AlertNotice,
    deliveryId: string,
    attempt: number,
  ): Promise<AttemptReport> {
    const at = new Date();
    const started = performance.now();
    const timeoutMs = this.policy.attemptTimeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DeliveryError(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const cutOff = () => controller.abort(new DeliveryError('cut off by shutdown'));
    if (this.hardStop.signal.aborted) cutOff();
    else this.hardStop.signal.addEventListener('abort', cutOff, { once: true });

    let result: SendResult | null = null;
    let failure: DeliveryError | null = null;
    try {
      // the race bounds the attempt even if a transport ignores the signal
      result = await Promise.race([
        target.send(notice, { signal: controller.signal, timeoutMs, deliveryId, attempt }),
        abortRejection(controller.signal),
      ]);
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason instanceof DeliveryError) failure = controller.signal.reason;
      else failure = err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
      this.hardStop.signal.removeEventListener('abort', cutOff);
    }
    const durationMs = Math.round(performance.now() - started);

    let outcome: AttemptOutcome;
    let nextRetryInMs: number | null = null;
    if (!failure) outcome = 'delivered';
    else if (failure.permanent || attempt >= this.policy.maxAttempts) outcome = 'failed';
    else {
      outcome = 'retry';
      const backoff = backoffDelayMs(attempt, this.policy.backoffBaseMs, this.policy.backoffMaxMs);
      // a receiver's Retry-After is honoured up to the backoff cap
      nextRetryInMs = Math.max(backoff, Math.min(failure.retryAfterMs ?? 0, this.policy.backoffMaxMs));
    }
    const report: AttemptReport = {
      deliveryId,
      channel: channel.name,
      target: target.label,
      attempt,
      outcome,
      httpStatus: result?.httpStatus ?? failure?.httpStatus ?? null,
      smtpResponse: this.scrubOrNull(result?.smtpResponse ?? failure?.smtpResponse ?? null),
      error: this.scrubOrNull(failure?.message ?? null),
      durationMs,
      nextRetryInMs,
    };
    this.log(notice, report, failure?.permanent ?? false);
    await this.record(notice, report, at);
    return report;
  }

  /** Waits for a retry; false when the stop began meanwhile (the retry is dropped). */
  private waitForRetry(ms: number): Promise<boolean> {
    const stop = this.stopRetries.signal;
    if (stop.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onStop = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        stop.removeEventListener('abort', onStop);
        resolve(true);
      }, ms);
      timer.unref();
      stop.addEventListener('abort', onStop, { once: true });
    });
  }

  private async abandon(
    channel: NotificationChannel,
    target: ChannelTarget,
    notice: AlertNotice,
    deliveryId: string,
    attempt: number,
  ): Promise<void> {
    const report: AttemptReport = {
      deliveryId,
      channel: channel.name,
      target: target.label,
      attempt,
      outcome: 'abandoned',
      httpStatus: null,
      smtpResponse: null,
      error: 'not tried: the service stopped before the retry was due',
      durationMs: 0,
      nextRetryInMs: null,
    };
    this.logger.warn(
      `notification abandoned channel=${channel.name} target=${target.label} alert=${notice.alertId ?? '-'} kind=${notice.kind} attempt=${attempt}: the service is stopping`,
    );
    await this.record(notice, report, new Date());
  }

  private log(notice: AlertNotice, r: AttemptReport, permanent: boolean): void {
    const head = `channel=${r.channel} target=${r.target} alert=${notice.alertId ?? '-'} kind=${notice.kind} severity=${notice.severity} attempt=${r.attempt}/${this.policy.maxAttempts} delivery=${r.deliveryId} in ${r.durationMs}ms`;
    // a failure's text already starts with its HTTP status or SMTP code
    if (r.outcome === 'delivered') this.logger.log(`notification sent ${head}${r.httpStatus !== null ? ` http=${r.httpStatus}` : ''}`);
    else if (r.outcome === 'retry') this.logger.warn(`notification failed ${head}: ${r.error}; retrying in ${r.nextRetryInMs}ms`);
    else this.logger.error(`notification given up ${head}: ${r.error}${permanent ? ' (permanent: not retried)' : ''}`);
  }

  private async record(notice: AlertNotice, r: AttemptReport, at: Date): Promise<void> {
    if (r.outcome === 'pending') return;
    try {
      await this.attempts.record({
        delivery_id: r.deliveryId,
        channel: r.channel,
        target: r.target,
        alert_id: notice.alertId,
        notice_kind: notice.kind,
        severity: notice.severity,
        attempt: r.attempt,
        outcome: r.outcome,
        http_status: r.httpStatus,
        smtp_response: r.smtpResponse,
        error: r.error,
        duration_ms: r.durationMs,
        attempted_at: at,
      });
    } catch (err) {
      // the delivery itself is what matters; a lost record is logged, not retried
      this.logger.warn(`could not record notification attempt ${r.deliveryId}#${r.attempt}: ${(err as Error).message}`);
    }
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.secrets);
  }

  private scrubOrNull(text: string | null): string | null {
    return text === null ? null : this.scrub(text);
  }
}
