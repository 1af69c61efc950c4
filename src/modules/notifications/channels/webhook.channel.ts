import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../../config/app-config.service';
import type { AlertNotice } from '../alert-notice';
import type { ChannelTarget, NotificationChannel, SendContext, SendResult } from '../notification-channel';
import { urlSecrets, webhookUrlLabel } from '../secret-redaction';
import { signWebhook } from '../webhook-signature';
import { buildWebhookPayload } from './webhook-payload';
import { postJson } from './post-json';

/** fetch refuses URLs with credentials: `https://user:pass@host/…` becomes the URL without them plus Basic auth. */
function splitCredentials(configured: string): { url: string; authorization: string | null } {
  const u = new URL(configured);
  if (!u.username && !u.password) return { url: configured, authorization: null };
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/**
 * Generic signed webhooks (ALERT_WEBHOOK_*): every URL is its own target, so a failing receiver retries alone.
 * Headers: X-TDS-Timestamp, X-TDS-Signature (src/modules/notifications/webhook-signature.ts), X-TDS-Delivery (the same
 * on every retry of one delivery: receivers drop duplicates with it), X-TDS-Event (`alert.<kind>`); credentials in a URL
 * are sent as HTTP Basic authentication.
 */
@Injectable()
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook' as const;
  readonly enabled: boolean;
  readonly minSeverity;
  private readonly targetList: ChannelTarget[];
  private readonly secretList: string[];

  constructor(config: AppConfigService) {
    const { webhook, publicBaseUrl } = config.notifications;
    this.enabled = webhook.enabled;
    this.minSeverity = webhook.minSeverity;
    this.targetList = webhook.enabled
      ? webhook.urls.map((configured) => {
          const { url, authorization } = splitCredentials(configured);
          return {
            label: webhookUrlLabel(configured),
            send: (notice: AlertNotice, ctx: SendContext): Promise<SendResult> => {
              const body = JSON.stringify(buildWebhookPayload(notice, ctx.deliveryId, publicBaseUrl));
              const timestamp = String(Math.floor(Date.now() / 1000));
              return postJson(
                url,
                body,
                {
                  'x-tds-timestamp': timestamp,
                  'x-tds-signature': signWebhook(webhook.secret, timestamp, body),
                  'x-tds-delivery': ctx.deliveryId,
                  'x-tds-event': `alert.${notice.kind}`,
                  ...(authorization ? { authorization } : {}),
                },
                ctx.signal,
              );
            },
          };
        })
      : [];
    this.secretList = [...(webhook.secret ? [webhook.secret] : []), ...webhook.urls.flatMap((u) => urlSecrets(u, false))];
  }

  targets(): readonly ChannelTarget[] {
    return this.targetList;
  }

  secrets(): readonly string[] {
    return this.secretList;
  }
}
