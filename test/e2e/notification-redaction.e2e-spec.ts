import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startService, ServiceProcess } from '../support/service-process';
import { HttpReceiver, SmtpReceiver, startHttpReceiver, startSmtpReceiver, waitFor } from '../support/notification-receivers';

const ADMIN = 'redact-notify-admin-key-5521';
const SMTP_PASSWORD = 'Smtp-Secret-Pw-77120';
const SLACK_PATH = '/services/T0SECRET/B0SECRET/SlackPathSecret6630';
const WEBHOOK_SECRET = 'Webhook-Signing-Secret-40913';
const URL_PASSWORD = 'UrlPassword3318';
const QUERY_TOKEN = 'QueryToken99127';

/** The service as a child process with info-level JSON logs, its receivers failing and echoing what they got. */
describe('notification secrets never reach the log nor the answer (child process, e2e)', () => {
  let db: TestDatabase;
  let svc: ServiceProcess;
  let smtp: SmtpReceiver;
  let slack: HttpReceiver;
  let hook: HttpReceiver;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpReceiver({ user: 'alerts', password: 'not-the-configured-one' });
    // failing receivers that echo the request path into their error body (as some proxies do)
    slack = await startHttpReceiver((r) => ({ status: 500, body: `no route for ${r.path}` }));
    hook = await startHttpReceiver((r) => ({ status: 502, body: `upstream failed for ${r.path}` }));
    svc = await startService({
      DATABASE_URL: db.url,
      WEBHOOK_API_KEYS: 'redaction-webhook-key-1',
      ADMIN_API_KEYS: ADMIN,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      TDS_ROLE: 'api',
      HEALTH_REQUIRE_WORKER: 'false',
      ALERT_EMAIL_ENABLED: 'true',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_TLS: 'false',
      SMTP_USER: 'alerts',
      SMTP_PASSWORD,
      SMTP_FROM: 'tds@example.test',
      EMAIL_TO: 'ops@example.test',
      ALERT_SLACK_ENABLED: 'true',
      SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`,
      ALERT_WEBHOOK_ENABLED: 'true',
      ALERT_WEBHOOK_URLS: `http://ops:${URL_PASSWORD}@127.0.0.1:${hook.port}/in?token=${QUERY_TOKEN}`,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ALERT_NOTIFY_MAX_ATTEMPTS: '2',
      ALERT_NOTIFY_BACKOFF_BASE_MS: '100',
      ALERT_NOTIFY_BACKOFF_MAX_MS: '200',
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await Promise.all([smtp?.close(), slack?.close(), hook?.close()]);
    await db?.drop();
  });

  it('failed, retried and given-up deliveries log masked targets and scrubbed errors', async () => {
    const res = await fetch(`${svc.baseUrl}/dashboard/notifications/test`, { method: 'POST', headers: { 'X-Admin-Key': ADMIN } });
    expect(res.status).toBe(200);
    const answer = await res.text();
    const body = JSON.parse(answer) as { results: { channel: string; target: string; outcome: string; error: string | null }[] };
    expect(body.results.map((r) => [r.channel, r.outcome]).sort()).toEqual([
      ['email', 'failed'], // 535: a wrong login is permanent
      ['slack', 'retry'],
      ['webhook', 'retry'],
    ]);
    expect(body.results.find((r) => r.channel === 'slack')!.error).toBe('HTTP 500: no route for ***');
    expect(body.results.find((r) => r.channel === 'email')!.error).toMatch(/Invalid login/);
    // the receivers did get the real URLs and the real password
    expect(slack.requests[0].path).toBe(SLACK_PATH);
    expect(hook.requests[0].path).toBe(`/in?token=${QUERY_TOKEN}`);
    expect(smtp.logins[0]).toEqual({ username: 'alerts', password: SMTP_PASSWORD });

    await waitFor('both retries given up', () => (svc.output().match(/notification given up/g) ?? []).length >= 3);
    await new Promise((r) => setTimeout(r, 500)); // pino flushes asynchronously
    const out = svc.output();
    expect(out).toContain(`target=${slack.url}/services/***`);
    expect(out).toContain(`target=http://127.0.0.1:${hook.port}/in?***`);
    expect(out).toMatch(/notification failed channel=slack .*HTTP 500: no route for \*\*\*; retrying in \d+ms/);
    for (const secret of [SMTP_PASSWORD, 'SlackPathSecret6630', 'T0SECRET', WEBHOOK_SECRET, URL_PASSWORD, QUERY_TOKEN]) {
      expect(out).not.toContain(secret);
      expect(answer).not.toContain(secret);
    }
    const stored = JSON.stringify(await db.query(`SELECT * FROM tds.notification_attempts`));
    for (const secret of [SMTP_PASSWORD, 'SlackPathSecret6630', WEBHOOK_SECRET, URL_PASSWORD, QUERY_TOKEN])
      expect(stored).not.toContain(secret);
  });
});

describe('an enabled channel without its settings stops the start (child process, e2e)', () => {
  it('exits 78 naming every missing key, without echoing a secret', async () => {
    const svc = await startService(
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/never-used',
        WEBHOOK_API_KEYS: 'k',
        ALERT_EMAIL_ENABLED: 'true',
        SMTP_USER: 'alerts',
        SMTP_PASSWORD: SMTP_PASSWORD,
        ALERT_WEBHOOK_ENABLED: 'true',
        ALERT_WEBHOOK_URLS: `ftp://ops:${URL_PASSWORD}@h/x`,
        ALERT_WEBHOOK_SECRET: 'short-secret',
      },
      { waitReady: false },
    );
    expect(await svc.exited).toBe(78);
    const out = svc.output();
    expect(out).toMatch(/Invalid configuration \(5 problems\)/);
    for (const key of [
      'SMTP_HOST:',
      'SMTP_FROM:',
      'EMAIL_TO:',
      'ALERT_WEBHOOK_URLS: entry 1',
      'ALERT_WEBHOOK_SECRET: must be at least 16',
    ]) {
      expect(out).toContain(key);
    }
    for (const secret of [SMTP_PASSWORD, URL_PASSWORD, 'short-secret']) expect(out).not.toContain(secret);
  });
});
