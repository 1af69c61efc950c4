import type { AlertNotice } from '../alert-notice';
import { dashboardUrl, formatMeasure, formatSince, formatUtc, noticeColour, noticeHeadline, noticeTag } from '../notice-text';

export interface EmailMessage {
  subject: string;
  html: string;
  text: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every notice field comes from the service, but a rule's text may quote data (an entity id, an error): escape all of it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Subject, HTML body (inline styles only: mail clients drop <style>) and the plain-text part of an alert email. */
export function renderEmail(notice: AlertNotice, publicBaseUrl: string | null, now: Date = new Date()): EmailMessage {
  const headline = noticeHeadline(notice);
  const link = dashboardUrl(publicBaseUrl);
  const rows: [string, string][] = [
    ['Severity', notice.severity],
    ['Rule', notice.rule],
    ['Value', formatMeasure(notice.value, notice.unit)],
    ['Threshold', formatMeasure(notice.threshold, notice.unit)],
    ['Since', formatSince(notice, now)],
    ['Last seen', formatUtc(notice.lastSeenAt)],
    ['Occurrences', String(notice.occurrences)],
  ];
  if (notice.alertId) rows.push(['Alert', `#${notice.alertId}`]);
  const status = notice.kind === 'resolved' ? 'The condition has cleared.' : notice.summary;

  const colour = noticeColour(notice);
  const cell = 'padding:4px 12px 4px 0;vertical-align:top;';
  const html = [
    '<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;">',
    `<div style="border-left:6px solid ${colour};padding:8px 16px;">`,
    `<p style="margin:0 0 4px 0;font-size:12px;font-weight:bold;color:${colour};">${escapeHtml(noticeTag(notice))}</p>`,
    `<h2 style="margin:0 0 12px 0;font-size:18px;">${escapeHtml(notice.title)}</h2>`,
    `<p style="margin:0 0 12px 0;">${escapeHtml(status)}</p>`,
    notice.kind === 'resolved' ? `<p style="margin:0 0 12px 0;color:#555;">${escapeHtml(notice.summary)}</p>` : '',
    '<table style="border-collapse:collapse;margin:0 0 12px 0;">',
    ...rows.map(
      ([k, v]) => `<tr><th style="${cell}text-align:left;color:#555;">${escapeHtml(k)}</th><td style="${cell}">${escapeHtml(v)}</td></tr>`,
    ),
    '</table>',
    `<p style="margin:0 0 4px 0;font-weight:bold;">What to do</p>`,
    `<p style="margin:0 0 12px 0;">${escapeHtml(notice.action)}</p>`,
    link ? `<p style="margin:0 0 12px 0;"><a href="${escapeHtml(link)}">Open the alerts dashboard</a></p>` : '',
    '<p style="margin:16px 0 0 0;font-size:12px;color:#888;">Sent by TDS Core.</p>',
    '</div></body></html>',
  ]
    .filter((s) => s.length > 0)
    .join('\n');

  const text = [
    headline,
    '',
    status,
    ...(notice.kind === 'resolved' ? [notice.summary] : []),
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    'What to do:',
    notice.action,
    ...(link ? ['', `Alerts dashboard: ${link}`] : []),
    '',
    '-- ',
    'Sent by TDS Core.',
  ].join('\n');

  return { subject: `TDS Core ${headline}`, html, text };
}
