/**
 * Labels for delivery targets that are safe to log, answer and store, and a scrubber for error texts. Secrets here:
 * the Slack webhook path (the URL is the credential), credentials and query strings of generic webhook URLs, the
 * SMTP password and the webhook signing secret.
 */

/** `https://hooks.slack.com/services/T0/B0/xyz` → `https://hooks.slack.com/services/***`: the first path segment names the kind of URL, the rest is the key. */
export function slackUrlLabel(url: string): string {
  try {
    const u = new URL(url);
    const first = u.pathname.split('/').filter((s) => s.length > 0)[0];
    return `${u.protocol}//${u.host}/${first ? `${first}/` : ''}***`;
  } catch {
    return '[invalid URL]';
  }
}

/** A generic webhook URL without user:password and with its query replaced: `https://h/hook?***`. */
export function webhookUrlLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?***' : ''}`;
  } catch {
    return '[invalid URL]';
  }
}

/**
 * The parts of a URL that are secret, as they may appear in an error text: the whole URL, its path (+ query), its
 * query, its password and user, each raw and decoded.
 */
export function urlSecrets(url: string, pathIsSecret: boolean): string[] {
  const out = [url];
  try {
    const u = new URL(url);
    out.push(u.href);
    if (pathIsSecret && u.pathname.length > 1) out.push(u.pathname + u.search);
    if (u.search.length > 1) out.push(u.search.slice(1));
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
    if (u.username) out.push(`${u.username}:`);
  } catch {
    /* not a URL: the whole string is the secret */
  }
  return out;
}

const MASK = '***';

/** Replaces every occurrence of every secret (longest first, so a URL is masked before its path). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const ordered = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of ordered) out = out.split(s).join(MASK);
  return out;
}
