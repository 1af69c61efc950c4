import type { AlertNotice } from '../alert-notice';
import { dashboardUrl, noticeHeadline } from '../notice-text';

/**
 * The JSON body of a generic webhook delivery (version 1; documented in docs/NOTIFICATIONS_SETUP.md). The same
 * bytes go out on every retry of a delivery; only X-TDS-Timestamp (the sending time) and X-TDS-Signature change.
 */
export function buildWebhookPayload(notice: AlertNotice, deliveryId: string, publicBaseUrl: string | null) {
  return {
    version: 1,
    source: 'tds-core',
    deliveryId,
    kind: notice.kind,
    headline: noticeHeadline(notice),
    alert: {
      id: notice.alertId,
      rule: notice.rule,
      title: notice.title,
      severity: notice.severity,
      value: notice.value,
      threshold: notice.threshold,
      unit: notice.unit,
      openedAt: notice.openedAt.toISOString(),
      lastSeenAt: notice.lastSeenAt.toISOString(),
      occurrences: notice.occurrences,
      summary: notice.summary,
      action: notice.action,
    },
    dashboardUrl: dashboardUrl(publicBaseUrl),
  };
}
