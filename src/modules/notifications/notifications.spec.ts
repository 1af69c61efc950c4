import { describe, expect, it } from 'vitest';
import type { AlertNotice } from './alert-notice';
import { renderEmail } from './channels/email-message';
import { renderSlackMessage } from './channels/slack-message';
import { channelWants } from './notification-channel';
import { formatDuration, formatMeasure, noticeHeadline } from './notice-text';
import { scrubSecrets, slackUrlLabel, urlSecrets, webhookUrlLabel } from './secret-redaction';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

const notice = (o: Partial<AlertNotice> = {}): AlertNotice => ({
  kind: 'opened',
  alertId: '7',
  rule: 'failure_rate',
  title: 'Failure rate above 10%',
  severity: 'warning',
  value: 0.1234,
  threshold: 0.1,
  unit: 'ratio',
  openedAt: new Date('2026-12-01T05:00:00Z'),
  lastSeenAt: new Date('2026-12-01T06:05:00Z'),
  occurrences: 14,
  summary: 'Too many attempts fail.',
  action: 'Read the last errors in GET /queue/events/:id.',
  ...o,
});

describe('channel routing by severity', () => {
  const ch = (minSeverity: 'info' | 'warning' | 'critical', enabled = true) => ({ enabled, minSeverity });
  it.each([
    ['info', 'info', true],
    ['info', 'warning', false],
    ['warning', 'warning', true],
    ['warning', 'critical', false],
    ['critical', 'critical', true],
    ['critical', 'info', true], // critical always goes out
  ] as const)('a %s notice on a channel with minimum %s: %s', (severity, min, sent) => {
    expect(channelWants(ch(min), notice({ severity }))).toBe(sent);
  });
  it('a test notice goes to every enabled channel; a disabled channel gets nothing', () => {
    expect(channelWants(ch('critical'), notice({ kind: 'test', severity: 'info' }))).toBe(true);
    expect(channelWants(ch('info', false), notice({ severity: 'critical' }))).toBe(false);
  });
});

describe('wording', () => {
  it('headlines say what happened', () => {
    expect(noticeHeadline(notice())).toBe('[WARNING] Failure rate above 10%');
    expect(noticeHeadline(notice({ kind: 'reminder', severity: 'critical' }))).toBe('[CRITICAL] Still open: Failure rate above 10%');
    expect(noticeHeadline(notice({ kind: 'severity_changed', severity: 'critical' }))).toBe(
      '[CRITICAL] Now critical: Failure rate above 10%',
    );
    expect(noticeHeadline(notice({ kind: 'resolved' }))).toBe('[RESOLVED] Failure rate above 10%');
  });
  it('measures carry their unit; a ratio is a percentage', () => {
    expect(formatMeasure(0.1234, 'ratio')).toBe('12.34%');
    expect(formatMeasure(1234, 'events')).toBe('1234 events');
    expect(formatMeasure(61.256, 'min')).toBe('61.26 min');
    expect(formatMeasure(95, '%')).toBe('95%');
    expect(formatMeasure(null, 'events')).toBe('—');
    expect(formatDuration(65 * 60_000)).toBe('1 h 05 min');
    expect(formatDuration(40_000)).toBe('40 s');
  });
  it('the email escapes HTML, links the dashboard only when PUBLIC_BASE_URL is set, and has a text part', () => {
    const now = new Date('2026-12-01T06:05:00Z');
    const m = renderEmail(notice({ summary: '<script>alert(1)</script> & co' }), 'https://tds.example.com', now);
    expect(m.subject).toBe('TDS Core [WARNING] Failure rate above 10%');
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('<a href="https://tds.example.com/ui/alerts">');
    expect(m.text).toContain('Value: 12.34%\nThreshold: 10%\nSince: 2026-12-01 05:00 UTC (for 1 h 05 min)');
    expect(renderEmail(notice(), null, now).html).not.toContain('<a ');
  });
  it('Slack: severity colour, escaped mrkdwn, the header capped at 150 characters, a recovery is green', () => {
    const m = renderSlackMessage(notice({ title: 'x'.repeat(200), summary: 'a <b> & c' }), null, null);
    expect(m).not.toHaveProperty('channel');
    expect(m.attachments[0].color).toBe('#f5a623');
    const blocks = m.attachments[0].blocks as { type: string; text?: { text: string } }[];
    expect(blocks[0].text!.text).toHaveLength(150);
    expect(blocks[1].text!.text).toBe(':warning: a &lt;b&gt; &amp; c');
    expect(renderSlackMessage(notice({ kind: 'resolved' }), '#ops', null).attachments[0].color).toBe('#2eb886');
  });
});

describe('secrets', () => {
  it('Slack URLs keep only their kind; generic URLs lose credentials and query', () => {
    expect(slackUrlLabel('https://hooks.slack.com/services/T0/B0/abcdef')).toBe('https://hooks.slack.com/services/***');
    expect(webhookUrlLabel('https://u:p4ss@h.example:8443/in/hook?token=abc&x=1')).toBe('https://h.example:8443/in/hook?***');
    expect(webhookUrlLabel('https://h.example/in')).toBe('https://h.example/in');
  });
  it('error texts lose every secret, the longest match first', () => {
    const url = 'https://hooks.slack.com/services/T0/B0/abcdefgh';
    const text = `POST ${url} failed; path /services/T0/B0/abcdefgh; password hunter22`;
    expect(scrubSecrets(text, [...urlSecrets(url, true), 'hunter22'])).toBe('POST *** failed; path ***; password ***');
  });
});

describe('webhook signature', () => {
  it('is sha256= + hex HMAC of `<timestamp>.<body>`, and the check refuses a tampered body, another secret and an old timestamp', () => {
    const body = '{"a":1}';
    const sig = signWebhook('s3cret-s3cret-s3cret', '1764570000', body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    const now = { nowSeconds: 1764570010 };
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '1764570000', sig, body, now)).toEqual({ ok: true });
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '1764570000', sig, '{"a":2}', now)).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
    expect(verifyWebhookSignature('other-other-other', '1764570000', sig, body, now).ok).toBe(false);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '1764570001', sig, body, now).ok).toBe(false);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '1764570000', sig, body, { nowSeconds: 1764570000 + 301 })).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance (replay?)',
    });
  });
});
