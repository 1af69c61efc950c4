import type { AlertNotice, AlertSeverity } from './alert-notice';

/**
 * Wording shared by every channel, so an email, a Slack message and a webhook body say the same thing.
 */

/** What the notice is, in the word a subject line starts with. */
export function noticeTag(notice: Pick<AlertNotice, 'kind' | 'severity'>): string {
  if (notice.kind === 'resolved') return 'RESOLVED';
  if (notice.kind === 'test') return 'TEST';
  return notice.severity.toUpperCase();
}

/** One line: `[CRITICAL] Pending queue above 1000`, `[RESOLVED] …`, `[WARNING] Still open: …`. */
export function noticeHeadline(notice: Pick<AlertNotice, 'kind' | 'severity' | 'title'>): string {
  const prefix = notice.kind === 'reminder' ? 'Still open: ' : notice.kind === 'severity_changed' ? `Now ${notice.severity}: ` : '';
  return `[${noticeTag(notice)}] ${prefix}${notice.title}`;
}

/** A measured value or threshold with its unit; a `ratio` is shown as a percentage. */
export function formatMeasure(value: number | null, unit: string | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (unit === 'ratio') return `${Number((value * 100).toFixed(2))}%`;
  const n = Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
  if (!unit) return n;
  return unit === '%' ? `${n}%` : `${n} ${unit}`;
}

/** `2026-12-01 05:54 UTC`. */
export function formatUtc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `3 h 05 min`, `12 min`, `40 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Since when, and for how long as of `now`: `2026-12-01 05:54 UTC (for 12 min)`. */
export function formatSince(notice: Pick<AlertNotice, 'openedAt'>, now: Date): string {
  return `${formatUtc(notice.openedAt)} (for ${formatDuration(now.getTime() - notice.openedAt.getTime())})`;
}

/** The alerts screen of the UI, when PUBLIC_BASE_URL is set. */
export function dashboardUrl(publicBaseUrl: string | null): string | null {
  return publicBaseUrl ? `${publicBaseUrl}/ui/alerts` : null;
}

export const SEVERITY_COLOUR: Readonly<Record<AlertSeverity | 'resolved', string>> = Object.freeze({
  critical: '#d0021b',
  warning: '#f5a623',
  info: '#439fe0',
  resolved: '#2eb886',
});

/** The colour of a notice: green for a recovery, else its severity's. */
export function noticeColour(notice: Pick<AlertNotice, 'kind' | 'severity'>): string {
  return notice.kind === 'resolved' ? SEVERITY_COLOUR.resolved : SEVERITY_COLOUR[notice.severity];
}

/** A test notice for `POST /dashboard/notifications/test`. */
export function testNotice(requestedBy: string | undefined, now: Date): AlertNotice {
  return {
    kind: 'test',
    alertId: null,
    rule: 'notifications_test',
    title: 'Test notification from TDS Core',
    severity: 'info',
    value: null,
    threshold: null,
    unit: null,
    openedAt: now,
    lastSeenAt: now,
    occurrences: 1,
    summary: `A test message sent through POST /dashboard/notifications/test${requestedBy ? ` (admin key "${requestedBy}")` : ''}.`,
    action: 'Nothing to do: this channel works.',
  };
}
