import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertNotice } from '../../src/modules/notifications/alert-notice';
import { NotificationsService } from '../../src/modules/notifications/notifications.service';
import { verifyWebhookSignature } from '../../src/modules/notifications/webhook-signature';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { HttpReceiver, SmtpReceiver, startHttpReceiver, startSmtpReceiver, waitFor } from '../support/notification-receivers';

const ADMIN = 'notify-admin-key-0123456789';
const SMTP_USER = 'alerts@example.test';
const SMTP_PASSWORD = 'Smtp-Pa55word-9931';
const SLACK_PATH = '/services/T0000/B0000/SlackSecretPath4417';
const WEBHOOK_SECRET = 'whsec-0123456789abcdef-5521';
const QUERY_TOKEN = 'QueryToken8842';

interface AttemptRow {
  delivery_id: string;
  channel: string;
  target: string;
  alert_id: string | null;
  notice_kind: string;
  severity: string;
  attempt: number;
  outcome: string;
  http_status: number | null;
  smtp_response: string | null;
  error: string | null;
  duration_ms: number;
  attempted_at: Date;
}

function notice(overrides: Partial<AlertNotice> = {}): AlertNotice {
  return {
    kind: 'opened',
    alertId: '101',
    rule: 'queue_backlog',
    title: 'Pending queue above 1000',
    severity: 'critical',
    value: 1234,
    threshold: 1000,
    unit: 'events',
    openedAt: new Date(Date.now() - 12 * 60_000),
    lastSeenAt: new Date(),
    occurrences: 3,
    summary: '1234 events wait to be applied <b>now</b> & the oldest is 14 min old.',
    action: 'Check that a worker is running (GET /health) and look at GET /queue/stats.',
    ...overrides,
  };
}

describe('notifications: email, Slack and signed webhooks to real loopback receivers (e2e)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let smtp: SmtpReceiver;
  let slack: HttpReceiver;
  let hookOk: HttpReceiver;
  let hookDown: HttpReceiver;
  let service: NotificationsService;

  const attempts = (alertId: string) =>
    db.query<AttemptRow>(`SELECT * FROM tds.notification_attempts WHERE alert_id = $1 ORDER BY channel, target, attempt`, [alertId]);
  const settled = () => waitFor('every delivery to finish', () => service.pendingDeliveries === 0);

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpReceiver({ user: SMTP_USER, password: SMTP_PASSWORD });
    slack = await startHttpReceiver();
    hookOk = await startHttpReceiver();
    hookDown = await startHttpReceiver(() => ({ status: 500, body: 'receiver is down' }));
    t = await startTestApp(db.url, {
      ADMIN_API_KEYS: ADMIN,
      PUBLIC_BASE_URL: 'https://tds.example.test/',
      ALERT_EMAIL_ENABLED: 'true',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_TLS: 'false',
      SMTP_USER,
      SMTP_PASSWORD,
      SMTP_FROM: 'TDS Core <tds@example.test>',
      EMAIL_TO: 'ops@example.test, oncall@example.test',
      // email keeps the default minimum (warning)
      ALERT_SLACK_ENABLED: 'true',
      SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`,
      SLACK_CHANNEL: '#tds-alerts',
      ALERT_SLACK_MIN_SEVERITY: 'critical',
      ALERT_WEBHOOK_ENABLED: 'true',
      ALERT_WEBHOOK_URLS: `http://user:${QUERY_TOKEN}x@127.0.0.1:${hookOk.port}/hooks/ok?token=${QUERY_TOKEN}, ${hookDown.url}/hooks/down`,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ALERT_WEBHOOK_MIN_SEVERITY: 'info',
      ALERT_NOTIFY_MAX_ATTEMPTS: '3',
      ALERT_NOTIFY_BACKOFF_BASE_MS: '1000',
      ALERT_NOTIFY_BACKOFF_MAX_MS: '2000',
      ALERT_NOTIFY_TIMEOUT_MS: '5000',
    });
    service = t.app.get(NotificationsService);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), slack?.close(), hookOk?.close(), hookDown?.close()]);
    await db?.drop();
  });

  it('a critical notice reaches every channel at once, while the receiver answering 500 is retried and every attempt is recorded', async () => {
    const before = Date.now();
    service.notify(notice({ alertId: '101' }));
    const afterNotify = Date.now();
    // notify() returned at once: nothing has been delivered yet
    expect(slack.requests.length + hookOk.requests.length + smtp.mails.length).toBe(0);

    const mail = (await waitFor('the email', () => smtp.mails.find((m) => m.mail.subject?.includes('Pending queue above 1000'))))!;
    expect(mail.mail.subject).toBe('TDS Core [CRITICAL] Pending queue above 1000');
    expect(mail.to.sort()).toEqual(['oncall@example.test', 'ops@example.test']);
    expect(mail.from).toBe('tds@example.test');
    const html = String(mail.mail.html);
    expect(html).toContain('Pending queue above 1000');
    expect(html).toContain('1234 events');
    expect(html).toContain('1000 events');
    expect(html).toContain('&lt;b&gt;now&lt;/b&gt; &amp; the oldest'); // escaped, not markup
    expect(html).toContain('href="https://tds.example.test/ui/alerts"');
    expect(html).toContain('Check that a worker is running');
    expect(mail.mail.text).toContain('[CRITICAL] Pending queue above 1000');
    expect(mail.mail.text).toContain('Value: 1234 events');
    expect(mail.mail.text).toContain('Threshold: 1000 events');
    expect(mail.mail.text).toContain('Alerts dashboard: https://tds.example.test/ui/alerts');
    expect(mail.mail.text).toMatch(/Since: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(for 12 min\)/);
    expect(smtp.logins).toContainEqual({ username: SMTP_USER, password: SMTP_PASSWORD });

    const slackReq = (await waitFor('the Slack message', () => slack.requests[0]))!;
    expect(slackReq.path).toBe(SLACK_PATH);
    const msg = JSON.parse(slackReq.body);
    expect(msg.channel).toBe('#tds-alerts');
    expect(msg.text).toBe('[CRITICAL] Pending queue above 1000');
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0].color).toBe('#d0021b');
    const blocks = msg.attachments[0].blocks;
    expect(blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(blocks[0].text).toEqual({ type: 'plain_text', text: '[CRITICAL] Pending queue above 1000', emoji: true });
    expect(blocks[1].text.text).toContain('&lt;b&gt;now&lt;/b&gt; &amp; the oldest');
    expect(blocks[2].fields.map((f: { text: string }) => f.text)).toEqual([
      '*Value*\n1234 events',
      '*Threshold*\n1000 events',
      expect.stringMatching(/^\*Since\*\n\d{4}-\d\d-\d\d \d\d:\d\d UTC \(for 12 min\)$/),
      '*Severity*\ncritical',
    ]);
    expect(blocks[4].elements[0].text).toContain('rule `queue_backlog`');
    expect(blocks[4].elements[0].text).toContain('<https://tds.example.test/ui/alerts|Open alerts dashboard>');

    const hook = (await waitFor('the webhook', () => hookOk.requests[0]))!;
    expect(hook.path).toBe(`/hooks/ok?token=${QUERY_TOKEN}`);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['x-tds-event']).toBe('alert.opened');
    // credentials in the URL travel as Basic auth (fetch refuses them in the URL)
    expect(hook.headers.authorization).toBe(`Basic ${Buffer.from(`user:${QUERY_TOKEN}x`).toString('base64')}`);
    const ts = String(hook.headers['x-tds-timestamp']);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, ts, String(hook.headers['x-tds-signature']), hook.body)).toEqual({ ok: true });
    // the documented algorithm, spelled out: sha256= + hex HMAC-SHA256 of `<timestamp>.<body>`
    const { createHmac } = await import('node:crypto');
    expect(hook.headers['x-tds-signature']).toBe(
      `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${ts}.${hook.body}`).digest('hex')}`,
    );
    expect(verifyWebhookSignature('another-secret-123456', ts, String(hook.headers['x-tds-signature']), hook.body).ok).toBe(false);
    expect(
      verifyWebhookSignature(WEBHOOK_SECRET, ts, String(hook.headers['x-tds-signature']), hook.body, { nowSeconds: Number(ts) + 301 }),
    ).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance (replay?)',
    });
    const payload = JSON.parse(hook.body);
    expect(payload).toMatchObject({
      version: 1,
      source: 'tds-core',
      kind: 'opened',
      deliveryId: hook.headers['x-tds-delivery'],
      headline: '[CRITICAL] Pending queue above 1000',
      alert: { id: '101', rule: 'queue_backlog', severity: 'critical', value: 1234, threshold: 1000, unit: 'events', occurrences: 3 },
      dashboardUrl: 'https://tds.example.test/ui/alerts',
    });

    // the failing receiver: 3 attempts with backoff, the others delivered before its first retry
    await waitFor('three attempts at the failing receiver', () => hookDown.requests.length >= 3);
    await settled();
    expect(hookDown.requests).toHaveLength(3);
    const firstRetryAt = hookDown.requests[1].at;
    expect(firstRetryAt - hookDown.requests[0].at).toBeGreaterThanOrEqual(990);
    for (const at of [slackReq.at, hook.at]) expect(at).toBeLessThan(firstRetryAt);
    // each retry repeats the delivery id and the body, with a fresh signature
    expect(new Set(hookDown.requests.map((r) => r.headers['x-tds-delivery'])).size).toBe(1);
    expect(new Set(hookDown.requests.map((r) => r.body)).size).toBe(1);
    for (const r of hookDown.requests) {
      expect(
        verifyWebhookSignature(WEBHOOK_SECRET, String(r.headers['x-tds-timestamp']), String(r.headers['x-tds-signature']), r.body).ok,
      ).toBe(true);
    }

    const rows = await attempts('101');
    // ports are random, so the SQL order of targets is too: compare in one canonical order
    const canonical = (list: unknown[][]) => list.map((x) => JSON.stringify(x)).sort();
    const summary = rows.map((r) => [r.channel, r.target, r.attempt, r.outcome, r.http_status]);
    expect(canonical(summary)).toEqual(
      canonical([
        ['email', `ops@example.test,oncall@example.test via 127.0.0.1:${smtp.port}`, 1, 'delivered', null],
        ['slack', `${slack.url}/services/***`, 1, 'delivered', 200],
        ['webhook', `${hookDown.url}/hooks/down`, 1, 'retry', 500],
        ['webhook', `${hookDown.url}/hooks/down`, 2, 'retry', 500],
        ['webhook', `${hookDown.url}/hooks/down`, 3, 'failed', 500],
        ['webhook', `http://127.0.0.1:${hookOk.port}/hooks/ok?***`, 1, 'delivered', 200],
      ]),
    );
    expect(rows.every((r) => r.notice_kind === 'opened' && r.severity === 'critical')).toBe(true);
    expect(rows.find((r) => r.channel === 'email')!.smtp_response).toMatch(/^250 /);
    expect(rows.filter((r) => r.outcome !== 'delivered').map((r) => r.error)).toEqual([
      'HTTP 500: receiver is down',
      'HTTP 500: receiver is down',
      'HTTP 500: receiver is down',
    ]);
    expect(new Set(rows.filter((r) => r.channel === 'webhook' && r.target.endsWith('/down')).map((r) => r.delivery_id)).size).toBe(1);
    expect(rows.every((r) => r.attempted_at.getTime() >= before - 1000 && r.duration_ms >= 0)).toBe(true);
    // every first attempt started inside notify(), side by side: none waited for another channel
    expect(rows.filter((r) => r.attempt === 1).every((r) => r.attempted_at.getTime() <= afterNotify)).toBe(true);
    // no secret in any stored column
    const stored = JSON.stringify(rows);
    for (const secret of [SMTP_PASSWORD, SLACK_PATH, 'SlackSecretPath4417', WEBHOOK_SECRET, QUERY_TOKEN])
      expect(stored).not.toContain(secret);
  });

  it('min severity per channel: warning → email + webhooks, info → webhooks only; a recovery goes where its alert went, green on Slack', async () => {
    const slackBefore = slack.requests.length;
    const mailsBefore = smtp.mails.length;
    service.notify(notice({ alertId: '201', severity: 'warning', title: 'Dead-letter queue above 50' }));
    service.notify(notice({ alertId: '202', severity: 'info', title: 'An info notice' }));
    await waitFor('the warning email', () => smtp.mails.find((m) => m.mail.subject === 'TDS Core [WARNING] Dead-letter queue above 50'));
    await settled();
    const channelsOf = async (id: string) =>
      [...new Set((await attempts(id)).map((r) => `${r.channel}:${r.target.includes('/down') ? 'down' : 'ok'}`))].sort();
    expect(await channelsOf('201')).toEqual(['email:ok', 'webhook:down', 'webhook:ok']);
    expect(await channelsOf('202')).toEqual(['webhook:down', 'webhook:ok']);
    expect(slack.requests.length).toBe(slackBefore); // Slack's minimum is critical
    expect(smtp.mails.length).toBe(mailsBefore + 1);

    service.notify(
      notice({ alertId: '101', kind: 'resolved', severity: 'critical', value: 12, summary: 'The pending queue is back to 12 events.' }),
    );
    const recovery = JSON.parse((await waitFor('the Slack recovery', () => slack.requests[slackBefore]))!.body);
    expect(recovery.text).toBe('[RESOLVED] Pending queue above 1000');
    expect(recovery.attachments[0].color).toBe('#2eb886');
    expect(recovery.attachments[0].blocks[0].text.text).toBe('[RESOLVED] Pending queue above 1000');
    expect(recovery.attachments[0].blocks[1].text.text).toContain('Recovered. The pending queue is back to 12 events.');
    expect(recovery.attachments[0].blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    const mail = (await waitFor('the recovery email', () =>
      smtp.mails.find((m) => m.mail.subject === 'TDS Core [RESOLVED] Pending queue above 1000'),
    ))!;
    expect(mail.mail.text).toContain('The condition has cleared.');
    await settled();
  });

  it('POST /dashboard/notifications/test: 401 without a key, 403 with a wrong one, else one answer per channel target', async () => {
    const none = await request(t.server).post('/dashboard/notifications/test').expect(401);
    expect(none.body.code).toBe('ADMIN_KEY_REQUIRED');
    const wrong = await request(t.server).post('/dashboard/notifications/test').set('X-API-Key', 'nope').expect(403);
    expect(wrong.body.code).toBe('ADMIN_AUTH_FAILED');
    const slackBefore = slack.requests.length;

    const res = await request(t.server).post('/dashboard/notifications/test').set('Authorization', `Bearer ${ADMIN}`).expect(200);
    expect(res.body.message).toBe('3 of 4 notification targets accepted the test message');
    expect(res.body.allDelivered).toBe(false);
    const byTarget = Object.fromEntries(
      res.body.results.map((r: { channel: string; target: string }) => [`${r.channel} ${r.target}`, r]),
    ) as Record<string, Record<string, unknown>>;
    expect(Object.keys(byTarget).sort()).toEqual(
      [
        `email ops@example.test,oncall@example.test via 127.0.0.1:${smtp.port}`,
        `slack ${slack.url}/services/***`,
        `webhook ${hookDown.url}/hooks/down`,
        `webhook http://127.0.0.1:${hookOk.port}/hooks/ok?***`,
      ].sort(),
    );
    expect(byTarget[`slack ${slack.url}/services/***`]).toMatchObject({
      delivered: true,
      outcome: 'delivered',
      httpStatus: 200,
      error: null,
    });
    expect(byTarget[`email ops@example.test,oncall@example.test via 127.0.0.1:${smtp.port}`]).toMatchObject({
      delivered: true,
      smtpResponse: expect.stringMatching(/^250 /),
    });
    // the failing one: its first attempt answered, retries go on in the background
    expect(byTarget[`webhook ${hookDown.url}/hooks/down`]).toMatchObject({
      delivered: false,
      outcome: 'retry',
      httpStatus: 500,
      error: 'HTTP 500: receiver is down',
    });
    // Slack's minimum (critical) does not apply to a test: every enabled channel is checked
    expect(slack.requests.length).toBe(slackBefore + 1);
    expect(JSON.parse(slack.requests[slackBefore].body).text).toBe('[TEST] Test notification from TDS Core');
    await waitFor('the test email', () => smtp.mails.find((m) => m.mail.subject === 'TDS Core [TEST] Test notification from TDS Core'));
    const body = JSON.stringify(res.body);
    for (const secret of [SMTP_PASSWORD, SLACK_PATH, 'SlackSecretPath4417', WEBHOOK_SECRET, QUERY_TOKEN])
      expect(body).not.toContain(secret);
    const testRows = await db.query<AttemptRow>(`SELECT * FROM tds.notification_attempts WHERE notice_kind = 'test' AND attempt = 1`);
    expect(testRows).toHaveLength(4);
    expect(testRows.every((r) => r.alert_id === null)).toBe(true);
    // 200, but not every target accepted it: the audit row says so, and how many did
    const [audit] = await db.query<{ status_code: number; result: string; detail: string }>(
      `SELECT status_code, result, detail FROM tds.admin_audit WHERE action = 'notification.test' AND request_id = $1`,
      [res.headers['x-request-id']],
    );
    expect(audit).toMatchObject({
      status_code: 200,
      result: 'failed',
      detail: expect.stringMatching(/^3 of 4 targets accepted; webhook retry \(HTTP 500: receiver is down\)$/),
    });
    expect(audit.detail).not.toContain(WEBHOOK_SECRET);
    expect(audit.detail).not.toContain(QUERY_TOKEN);
    await settled();
  });

  it('GET /dashboard/notifications/attempts lists recorded attempts newest first, of one alert or all, checked and secret-free', async () => {
    await request(t.server).get('/dashboard/notifications/attempts').expect(401);
    const res = await request(t.server)
      .get('/dashboard/notifications/attempts?alertId=101&limit=100')
      .set('X-Admin-Key', ADMIN)
      .expect(200);
    // alert 101: the six attempts of its opening (first test), then those of its recovery (second test)
    const opened = res.body.filter((a: { kind: string }) => a.kind === 'opened');
    expect(opened).toHaveLength(6);
    expect(res.body.every((a: { alertId: string }) => a.alertId === '101')).toBe(true);
    const times = res.body.map((a: { attemptedAt: string }) => Date.parse(a.attemptedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(opened.find((a: { outcome: string }) => a.outcome === 'failed')).toMatchObject({
      channel: 'webhook',
      target: `${hookDown.url}/hooks/down`,
      severity: 'critical',
      attempt: 3,
      httpStatus: 500,
      error: 'HTTP 500: receiver is down',
      smtpResponse: null,
    });
    const limited = await request(t.server).get('/dashboard/notifications/attempts?limit=2').set('X-Admin-Key', ADMIN).expect(200);
    expect(limited.body).toHaveLength(2);
    const body = JSON.stringify(
      (await request(t.server).get('/dashboard/notifications/attempts?limit=500').set('X-Admin-Key', ADMIN).expect(200)).body,
    );
    for (const secret of [SMTP_PASSWORD, SLACK_PATH, 'SlackSecretPath4417', WEBHOOK_SECRET, QUERY_TOKEN])
      expect(body).not.toContain(secret);
    const bad = await request(t.server).get('/dashboard/notifications/attempts?limit=0&alertId=abc').set('X-Admin-Key', ADMIN).expect(400);
    expect(bad.body.message).toEqual(expect.stringContaining('alertId must be an alert id (digits)'));
    expect(bad.body.message).toEqual(expect.stringContaining('limit must be an integer between 1 and 500'));
    // Digits only, as on every dashboard route: 1e1 is not read as 10.
    const exp = await request(t.server).get('/dashboard/notifications/attempts?limit=1e1').set('X-Admin-Key', ADMIN).expect(400);
    expect(exp.body.message).toBe('limit must be an integer between 1 and 500');
    await request(t.server).get('/dashboard/notifications/attempts?since=yesterday').set('X-Admin-Key', ADMIN).expect(400);
  });

  it('is documented in Swagger with its response schema', async () => {
    const doc = (await request(t.server).get('/docs-json').expect(200)).body;
    const op = doc.paths['/dashboard/notifications/test'].post;
    expect(op.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/NotificationTestResponseDto');
    expect(Object.keys(op.responses).sort()).toEqual(['200', '401', '403', '409', '429']);
    expect(doc.components.schemas.NotificationTestResultDto.properties.target.description).toContain('without secrets');
    const list = doc.paths['/dashboard/notifications/attempts'].get;
    expect(list.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/NotificationAttemptDto' },
    });
    expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['alertId', 'limit']);
    expect(Object.keys(list.responses).sort()).toEqual(['200', '400', '401', '403', '429']);
  });
});

describe('notifications: no channel enabled, and the stop (e2e)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('the test route answers 409 naming the switches when no channel is enabled', async () => {
    const t = await startTestApp(db.url, { ADMIN_API_KEYS: ADMIN });
    try {
      const res = await request(t.server).post('/dashboard/notifications/test').set('X-Admin-Key', ADMIN).expect(409);
      expect(res.body).toMatchObject({ code: 'NO_NOTIFICATION_CHANNEL', statusCode: 409 });
      expect(res.body.message).toContain('ALERT_EMAIL_ENABLED, ALERT_SLACK_ENABLED or ALERT_WEBHOOK_ENABLED');
      // and notify() without channels is a no-op that does not throw
      t.app.get(NotificationsService).notify(notice());
      expect(t.app.get(NotificationsService).pendingDeliveries).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('at shutdown an attempt in flight gets the grace period then is cut off, and a retry not yet due is recorded as abandoned', async () => {
    const hang = await startHttpReceiver(() => 'hang');
    const down = await startHttpReceiver(() => ({ status: 503, body: 'busy' }));
    const t = await startTestApp(db.url, {
      ALERT_WEBHOOK_ENABLED: 'true',
      ALERT_WEBHOOK_URLS: `${hang.url}/hang,${down.url}/down`,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ALERT_NOTIFY_BACKOFF_BASE_MS: '600000',
      ALERT_NOTIFY_BACKOFF_MAX_MS: '600000',
      ALERT_NOTIFY_TIMEOUT_MS: '60000',
      ALERT_NOTIFY_SHUTDOWN_GRACE_MS: '300',
    });
    try {
      const service = t.app.get(NotificationsService);
      service.notify(notice({ alertId: '301' }));
      await waitFor('both requests', () => hang.requests.length === 1 && down.requests.length === 1);
      await waitFor(
        'the first failure recorded',
        async () => (await db.query(`SELECT 1 FROM tds.notification_attempts WHERE alert_id = '301'`)).length === 1,
      );
      const started = Date.now();
      await t.close();
      // bounded by the grace period (+ recording), not by the 60 s attempt timeout nor the 10 min retry
      expect(Date.now() - started).toBeLessThan(20_000);
      const rows = await db.query<AttemptRow>(`SELECT * FROM tds.notification_attempts WHERE alert_id = '301'`);
      const seen = rows.map((r) => [r.target.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''), r.attempt, r.outcome, r.error]);
      expect(seen.sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`))).toEqual([
        ['/down', 1, 'retry', 'HTTP 503: busy'],
        ['/down', 2, 'abandoned', 'not tried: the service stopped before the retry was due'],
        ['/hang', 1, 'retry', 'cut off by shutdown'],
        ['/hang', 2, 'abandoned', 'not tried: the service stopped before the retry was due'],
      ]);
    } finally {
      await Promise.all([hang.close(), down.close()]);
    }
  });
});
