import { describe, expect, it } from 'vitest';
import type { AppConfigService } from '../../config/app-config.service';
import type { AlertNotice } from './alert-notice';
import type { NewNotificationAttempt, NotificationAttemptRepository } from './notification-attempt.repository';
import { ChannelTarget, DeliveryError, NotificationChannel, SendContext, SendResult } from './notification-channel';
import { NotificationsService } from './notifications.service';

const notice: AlertNotice = {
  kind: 'opened',
  alertId: '9',
  rule: 'dead_letter',
  title: 'Dead-letter queue above 100',
  severity: 'critical',
  value: 120,
  threshold: 100,
  unit: 'events',
  openedAt: new Date(),
  lastSeenAt: new Date(),
  occurrences: 1,
  summary: 's',
  action: 'a',
};

type Send = (ctx: SendContext) => Promise<SendResult>;

function channel(name: 'email' | 'slack' | 'webhook', send: Send, secrets: string[] = []): NotificationChannel & { calls: SendContext[] } {
  const calls: SendContext[] = [];
  const target: ChannelTarget = {
    label: `${name}-target`,
    send: (_n, ctx) => {
      calls.push(ctx);
      return send(ctx);
    },
  };
  return { name, enabled: true, minSeverity: 'warning', targets: () => [target], secrets: () => secrets, calls };
}

function setup(channels: NotificationChannel[], delivery: Partial<AppConfigService['notifications']['delivery']> = {}) {
  const rows: NewNotificationAttempt[] = [];
  const repo = { record: async (a: NewNotificationAttempt) => void rows.push(a) } as unknown as NotificationAttemptRepository;
  const config = {
    notifications: {
      delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 20, attemptTimeoutMs: 200, shutdownGraceMs: 100, ...delivery },
    },
  } as unknown as AppConfigService;
  return { service: new NotificationsService(channels, repo, config), rows };
}

const ok: Send = async () => ({ httpStatus: 200, smtpResponse: null });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('NotificationsService delivery', () => {
  it('a permanent refusal is tried once; transient failures retry with the same delivery id until delivered', async () => {
    let n = 0;
    const flaky = channel('slack', async () => {
      if (++n < 3) throw new DeliveryError(`HTTP 503: busy ${n}`, { httpStatus: 503 });
      return { httpStatus: 200, smtpResponse: null };
    });
    const refused = channel('webhook', async () => {
      throw new DeliveryError('HTTP 404: no_service', { httpStatus: 404, permanent: true });
    });
    const { service, rows } = setup([flaky, refused]);
    service.notify(notice);
    await until(() => service.pendingDeliveries === 0);
    const byChannel = [...rows].sort((a, b) => a.channel.localeCompare(b.channel) || a.attempt - b.attempt);
    expect(byChannel.map((r) => [r.channel, r.attempt, r.outcome, r.http_status, r.error])).toEqual([
      ['slack', 1, 'retry', 503, 'HTTP 503: busy 1'],
      ['slack', 2, 'retry', 503, 'HTTP 503: busy 2'],
      ['slack', 3, 'delivered', 200, null],
      ['webhook', 1, 'failed', 404, 'HTTP 404: no_service'],
    ]);
    expect(new Set(flaky.calls.map((c) => c.deliveryId)).size).toBe(1);
    expect(flaky.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(refused.calls).toHaveLength(1);
  });

  it('the last attempt gives up; a send that ignores its signal is still cut off at the attempt timeout', async () => {
    const deaf = channel('email', () => new Promise<SendResult>(() => undefined));
    const { service, rows } = setup([deaf], { maxAttempts: 2, attemptTimeoutMs: 50 });
    service.notify(notice);
    await until(() => service.pendingDeliveries === 0);
    expect(rows.map((r) => [r.attempt, r.outcome, r.error])).toEqual([
      [1, 'retry', 'timed out after 50 ms'],
      [2, 'failed', 'timed out after 50 ms'],
    ]);
    expect(deaf.calls.every((c) => c.signal.aborted)).toBe(true);
  });

  it('a slow channel does not hold up another, and notify() returns before any send finishes', async () => {
    let releaseSlow!: () => void;
    const slow = channel(
      'email',
      () => new Promise<SendResult>((r) => (releaseSlow = () => r({ httpStatus: null, smtpResponse: '250 ok' }))),
    );
    const fast = channel('slack', ok);
    const { service, rows } = setup([slow, fast], { attemptTimeoutMs: 5000 });
    service.notify(notice);
    expect(rows).toHaveLength(0);
    expect(slow.calls).toHaveLength(1); // both started inside notify()
    expect(fast.calls).toHaveLength(1);
    await until(() => rows.length === 1);
    expect(rows[0]).toMatchObject({ channel: 'slack', outcome: 'delivered' });
    releaseSlow();
    await until(() => rows.length === 2);
    expect(rows[1]).toMatchObject({ channel: 'email', outcome: 'delivered', smtp_response: '250 ok' });
  });

  it('a receiver’s Retry-After is honoured up to the backoff cap; error texts lose configured secrets', async () => {
    const started: number[] = [];
    const limited = channel(
      'webhook',
      async () => {
        started.push(Date.now());
        if (started.length === 1)
          throw new DeliveryError('HTTP 429: slow down at /hook/TopSecret123', { httpStatus: 429, retryAfterMs: 150 });
        return { httpStatus: 200, smtpResponse: null };
      },
      ['/hook/TopSecret123'],
    );
    const { service, rows } = setup([limited], { backoffMaxMs: 400 });
    service.notify(notice);
    await until(() => service.pendingDeliveries === 0);
    expect(started[1] - started[0]).toBeGreaterThanOrEqual(140);
    expect(rows[0].error).toBe('HTTP 429: slow down at ***');
  });

  it('notify() never throws, even when a channel does', () => {
    const broken: NotificationChannel = {
      name: 'slack',
      enabled: true,
      minSeverity: 'info',
      targets: () => {
        throw new Error('boom');
      },
      secrets: () => [],
    };
    const { service } = setup([broken]);
    expect(() => service.notify(notice)).not.toThrow();
  });

  it('at shutdown a pending retry is abandoned at once and recorded', async () => {
    const failing = channel('webhook', async () => {
      throw new DeliveryError('HTTP 500', { httpStatus: 500 });
    });
    const { service, rows } = setup([failing], { backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    service.notify(notice);
    await until(() => rows.length === 1);
    await service.onApplicationShutdown();
    expect(rows.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'retry'],
      [2, 'abandoned'],
    ]);
    expect(service.pendingDeliveries).toBe(0);
  });
});
