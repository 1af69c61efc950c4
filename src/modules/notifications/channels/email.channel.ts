import { Injectable } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { AppConfigService } from '../../../config/app-config.service';
import type { AlertNotice } from '../alert-notice';
import { ChannelTarget, DeliveryError, NotificationChannel, SendContext, SendResult } from '../notification-channel';
import { renderEmail } from './email-message';

interface SmtpError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
}

/**
 * Email through @nestjs-modules/mailer over nodemailer SMTP (ALERT_EMAIL_*, SMTP_*): one message per notice to every
 * EMAIL_TO address, HTML and plain text. The transport is built in notifications.module.ts from the same config.
 */
@Injectable()
export class EmailChannel implements NotificationChannel {
  readonly name = 'email' as const;
  readonly enabled: boolean;
  readonly minSeverity;
  private readonly target: ChannelTarget | null;
  private readonly secretList: string[];

  constructor(
    config: AppConfigService,
    private readonly mailer: MailerService,
  ) {
    const { email, publicBaseUrl } = config.notifications;
    this.enabled = email.enabled;
    this.minSeverity = email.minSeverity;
    this.secretList = email.password ? [email.password] : [];
    this.target = email.enabled
      ? {
          label: `${email.to.join(',')} via ${email.host}:${email.port}`,
          send: (notice, ctx) => this.send(notice, ctx, email.from, email.to, publicBaseUrl),
        }
      : null;
  }

  targets(): readonly ChannelTarget[] {
    return this.target ? [this.target] : [];
  }

  secrets(): readonly string[] {
    return this.secretList;
  }

  private async send(
    notice: AlertNotice,
    ctx: SendContext,
    from: string,
    to: readonly string[],
    publicBaseUrl: string | null,
  ): Promise<SendResult> {
    const message = renderEmail(notice, publicBaseUrl);
    try {
      const info = (await this.mailer.sendMail({
        from,
        to: [...to],
        subject: message.subject,
        html: message.html,
        text: message.text,
        // the mailer's own bound; the SMTP socket timeouts (module) and the delivery's abort bound it as well
        timeout: ctx.timeoutMs,
        headers: { 'X-TDS-Delivery': ctx.deliveryId },
      })) as { response?: string };
      return { httpStatus: null, smtpResponse: info.response ?? null };
    } catch (err) {
      const e = err as SmtpError;
      // 5xx is the server's final word (bad login, mailbox refused); 4xx and connection errors may pass on a retry.
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
      const reason = [e.code, e.message].filter(Boolean).join(' ');
      throw new DeliveryError(reason || 'SMTP send failed', { permanent, smtpResponse: e.response ?? null });
    }
  }
}
