import type { EnvironmentVariables } from './env.validation';

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

// A deliberately loose address check: enough to catch a swapped key or a missing '@', not RFC 5322.
const EMAIL = /^[^\s@<>,]+@[^\s@<>,]+$/;

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Checks across notification keys that single-key decorators cannot express: an enabled channel needs its
 * settings. Values of secret keys (SMTP_PASSWORD, SLACK_WEBHOOK_URL, ALERT_WEBHOOK_URLS, ALERT_WEBHOOK_SECRET) are
 * never echoed; a problem names the key only.
 */
export function notificationEnvProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (env.ALERT_EMAIL_ENABLED) {
    if (!env.SMTP_HOST) problems.push('SMTP_HOST: required when ALERT_EMAIL_ENABLED=true');
    if (!env.SMTP_FROM) problems.push('SMTP_FROM: required when ALERT_EMAIL_ENABLED=true (e.g. "TDS Core <alerts@example.com>")');
    const to = list(env.EMAIL_TO);
    if (to.length === 0) problems.push('EMAIL_TO: required when ALERT_EMAIL_ENABLED=true (comma-separated addresses)');
    const bad = to.filter((a) => !EMAIL.test(a));
    if (bad.length) problems.push(`EMAIL_TO=${JSON.stringify(env.EMAIL_TO)}: not an email address: ${bad.join(', ')}`);
    if (env.SMTP_USER && !env.SMTP_PASSWORD) problems.push('SMTP_PASSWORD: required when SMTP_USER is set');
    if (!env.SMTP_USER && env.SMTP_PASSWORD) problems.push('SMTP_USER: required when SMTP_PASSWORD is set');
  }
  if (env.ALERT_SLACK_ENABLED) {
    if (!env.SLACK_WEBHOOK_URL) problems.push('SLACK_WEBHOOK_URL: required when ALERT_SLACK_ENABLED=true');
    else if (!isHttpUrl(env.SLACK_WEBHOOK_URL))
      problems.push('SLACK_WEBHOOK_URL: must be an http(s) URL (value not shown: it is a secret)');
  }
  if (env.ALERT_WEBHOOK_ENABLED) {
    const urls = list(env.ALERT_WEBHOOK_URLS);
    if (urls.length === 0) problems.push('ALERT_WEBHOOK_URLS: required when ALERT_WEBHOOK_ENABLED=true (comma-separated URLs)');
    const bad = urls.map((u, i) => (isHttpUrl(u) ? -1 : i + 1)).filter((i) => i > 0);
    if (bad.length)
      problems.push(`ALERT_WEBHOOK_URLS: entry ${bad.join(', ')} is not an http(s) URL (values not shown: they may hold credentials)`);
    if (!env.ALERT_WEBHOOK_SECRET)
      problems.push('ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_ENABLED=true (the receivers verify X-TDS-Signature with it)');
    else if (env.ALERT_WEBHOOK_SECRET.length < 16)
      problems.push('ALERT_WEBHOOK_SECRET: must be at least 16 characters (value not shown: it is a secret)');
  }
  if (env.ALERT_NOTIFY_BACKOFF_MAX_MS < env.ALERT_NOTIFY_BACKOFF_BASE_MS) {
    problems.push(
      `ALERT_NOTIFY_BACKOFF_MAX_MS=${env.ALERT_NOTIFY_BACKOFF_MAX_MS}: must be >= ALERT_NOTIFY_BACKOFF_BASE_MS (${env.ALERT_NOTIFY_BACKOFF_BASE_MS})`,
    );
  }
  return problems;
}
