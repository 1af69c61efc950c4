import type { AlertNotice } from '../alert-notice';
import { dashboardUrl, formatMeasure, formatSince, noticeColour, noticeHeadline } from '../notice-text';

/** Slack's mrkdwn needs only &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const cap = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const EMOJI: Record<string, string> = {
  resolved: ':white_check_mark:',
  test: ':wave:',
  critical: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
};

/**
 * An incoming-webhook message: the Block Kit blocks sit in one attachment, which is what gives the message its
 * severity colour bar (green for a recovery); `text` is the fallback for notifications and old clients.
 */
export function renderSlackMessage(notice: AlertNotice, channel: string | null, publicBaseUrl: string | null, now: Date = new Date()) {
  const headline = noticeHeadline(notice);
  const emoji = EMOJI[notice.kind === 'resolved' || notice.kind === 'test' ? notice.kind : notice.severity];
  const link = dashboardUrl(publicBaseUrl);
  const context = [
    `rule \`${escapeSlack(notice.rule)}\``,
    notice.alertId ? `alert #${escapeSlack(notice.alertId)}` : null,
    `seen ${notice.occurrences}×`,
    'TDS Core',
    link ? `<${link}|Open alerts dashboard>` : null,
  ].filter((s): s is string => s !== null);
  const blocks: object[] = [
    // header text is plain_text and at most 150 characters
    { type: 'header', text: { type: 'plain_text', text: cap(`${headline}`, 150), emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: cap(`${emoji} ${escapeSlack(notice.kind === 'resolved' ? `Recovered. ${notice.summary}` : notice.summary)}`, 3000),
      },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Value*\n${escapeSlack(formatMeasure(notice.value, notice.unit))}` },
        { type: 'mrkdwn', text: `*Threshold*\n${escapeSlack(formatMeasure(notice.threshold, notice.unit))}` },
        { type: 'mrkdwn', text: `*Since*\n${escapeSlack(formatSince(notice, now))}` },
        { type: 'mrkdwn', text: `*Severity*\n${escapeSlack(notice.severity)}` },
      ],
    },
  ];
  if (notice.kind !== 'resolved') {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cap(`*What to do*\n${escapeSlack(notice.action)}`, 3000) } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return {
    ...(channel ? { channel } : {}),
    text: headline,
    attachments: [{ color: noticeColour(notice), fallback: headline, blocks }],
  };
}
