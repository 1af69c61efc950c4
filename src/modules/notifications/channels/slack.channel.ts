import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../../config/app-config.service';
import type { AlertNotice } from '../alert-notice';
import type { ChannelTarget, NotificationChannel, SendContext, SendResult } from '../notification-channel';
import { slackUrlLabel, urlSecrets } from '../secret-redaction';
import { postJson } from './post-json';
import { renderSlackMessage } from './slack-message';

/** Slack incoming webhook (ALERT_SLACK_*): one Block Kit message per notice. The URL is the credential. */
@Injectable()
export class SlackChannel implements NotificationChannel {
  readonly name = 'slack' as const;
  readonly enabled: boolean;
  readonly minSeverity;
  private readonly target: ChannelTarget | null;
  private readonly secretList: string[];

  constructor(config: AppConfigService) {
    const { slack } = config.notifications;
    const publicBaseUrl = config.notifications.publicBaseUrl;
    this.enabled = slack.enabled;
    this.minSeverity = slack.minSeverity;
    this.target = slack.enabled
      ? {
          label: slackUrlLabel(slack.webhookUrl),
          send: (notice: AlertNotice, ctx: SendContext): Promise<SendResult> =>
            postJson(slack.webhookUrl, JSON.stringify(renderSlackMessage(notice, slack.channel, publicBaseUrl)), {}, ctx.signal),
        }
      : null;
    this.secretList = slack.webhookUrl ? urlSecrets(slack.webhookUrl, true) : [];
  }

  targets(): readonly ChannelTarget[] {
    return this.target ? [this.target] : [];
  }

  secrets(): readonly string[] {
    return this.secretList;
  }
}
