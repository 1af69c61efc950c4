import { describe, expect, it } from 'vitest';
import { buildAppConfig } from './app-config';
import { ConfigValidationError, validate } from './env.validation';

const URL = 'postgres://u@db:5432/tds';

function problemsOf(env: Record<string, string>): string[] {
  try {
    validate({ DATABASE_URL: URL, ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
}

describe('notification settings', () => {
  it('are off by default, with warning as every minimum and sane delivery defaults', () => {
    const n = buildAppConfig(validate({ DATABASE_URL: URL })).notifications;
    expect([n.email.enabled, n.slack.enabled, n.webhook.enabled]).toEqual([false, false, false]);
    expect([n.email.minSeverity, n.slack.minSeverity, n.webhook.minSeverity]).toEqual(['warning', 'warning', 'warning']);
    expect(n.delivery).toEqual({
      maxAttempts: 5,
      backoffBaseMs: 5000,
      backoffMaxMs: 300000,
      attemptTimeoutMs: 10000,
      shutdownGraceMs: 5000,
    });
    expect(n.publicBaseUrl).toBeNull();
  });

  it('an enabled email channel without SMTP_HOST, SMTP_FROM or EMAIL_TO stops the start, naming each key', () => {
    expect(problemsOf({ ALERT_EMAIL_ENABLED: 'true' })).toEqual([
      'SMTP_HOST: required when ALERT_EMAIL_ENABLED=true',
      'SMTP_FROM: required when ALERT_EMAIL_ENABLED=true (e.g. "TDS Core <alerts@example.com>")',
      'EMAIL_TO: required when ALERT_EMAIL_ENABLED=true (comma-separated addresses)',
    ]);
    expect(problemsOf({ ALERT_EMAIL_ENABLED: 'true', SMTP_HOST: 'h', SMTP_FROM: 'a@b', EMAIL_TO: 'ops@x, nobody' })).toEqual([
      'EMAIL_TO="ops@x, nobody": not an email address: nobody',
    ]);
    expect(problemsOf({ ALERT_EMAIL_ENABLED: 'true', SMTP_HOST: 'h', SMTP_FROM: 'a@b', EMAIL_TO: 'x@y', SMTP_USER: 'u' })).toEqual([
      'SMTP_PASSWORD: required when SMTP_USER is set',
    ]);
    expect(problemsOf({ SMTP_TLS: 'ssl' })[0]).toMatch(/^SMTP_TLS="ssl": /);
    expect(problemsOf({ ALERT_SLACK_MIN_SEVERITY: 'high' })[0]).toMatch(/^ALERT_SLACK_MIN_SEVERITY="high": /);
  });

  it('SMTP_TLS picks the port and the mode; EMAIL_TO is a trimmed list', () => {
    const base = {
      DATABASE_URL: URL,
      ALERT_EMAIL_ENABLED: 'true',
      SMTP_HOST: 'smtp.gmail.com',
      SMTP_FROM: 'a@b.c',
      EMAIL_TO: ' a@b.c , d@e.f ',
    };
    const email = (extra: Record<string, string>) => buildAppConfig(validate({ ...base, ...extra })).notifications.email;
    expect(email({ SMTP_TLS: 'true' })).toMatchObject({ port: 465, tls: 'true', to: ['a@b.c', 'd@e.f'] });
    expect(email({ SMTP_TLS: 'STARTTLS' })).toMatchObject({ port: 587, tls: 'starttls' });
    expect(email({ SMTP_TLS: 'false', SMTP_PORT: '2525' })).toMatchObject({ port: 2525, tls: 'false' });
  });

  it('Slack and webhooks need their URL (and the webhook secret); secret values never appear in a problem', () => {
    const slackUrl = 'hooks.slack.com/services/T0/B0/TopSecretPath';
    const problems = problemsOf({
      ALERT_SLACK_ENABLED: 'true',
      SLACK_WEBHOOK_URL: slackUrl,
      ALERT_WEBHOOK_ENABLED: 'true',
      ALERT_WEBHOOK_URLS: 'https://ok.example/hook, ftp://user:Pw123456@x/y',
      ALERT_WEBHOOK_SECRET: 'short-Secret',
    });
    expect(problems).toEqual([
      'SLACK_WEBHOOK_URL: must be an http(s) URL (value not shown: it is a secret)',
      'ALERT_WEBHOOK_URLS: entry 2 is not an http(s) URL (values not shown: they may hold credentials)',
      'ALERT_WEBHOOK_SECRET: must be at least 16 characters (value not shown: it is a secret)',
    ]);
    for (const secret of ['TopSecretPath', 'Pw123456', 'short-Secret']) expect(problems.join('\n')).not.toContain(secret);
    expect(problemsOf({ ALERT_SLACK_ENABLED: 'true', ALERT_WEBHOOK_ENABLED: 'true' })).toEqual([
      'SLACK_WEBHOOK_URL: required when ALERT_SLACK_ENABLED=true',
      'ALERT_WEBHOOK_URLS: required when ALERT_WEBHOOK_ENABLED=true (comma-separated URLs)',
      'ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_ENABLED=true (the receivers verify X-TDS-Signature with it)',
    ]);
  });

  it('the backoff cap cannot be below its base; PUBLIC_BASE_URL loses its trailing slash', () => {
    expect(problemsOf({ ALERT_NOTIFY_BACKOFF_BASE_MS: '5000', ALERT_NOTIFY_BACKOFF_MAX_MS: '1000' })).toEqual([
      'ALERT_NOTIFY_BACKOFF_MAX_MS=1000: must be >= ALERT_NOTIFY_BACKOFF_BASE_MS (5000)',
    ]);
    expect(problemsOf({ PUBLIC_BASE_URL: 'tds.example.com' })[0]).toMatch(/^PUBLIC_BASE_URL=/);
    expect(buildAppConfig(validate({ DATABASE_URL: URL, PUBLIC_BASE_URL: 'https://tds.example.com/' })).notifications.publicBaseUrl).toBe(
      'https://tds.example.com',
    );
  });
});
