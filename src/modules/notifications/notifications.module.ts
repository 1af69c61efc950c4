import { Module } from '@nestjs/common';
import { MailerModule, MailerOptions } from '@nestjs-modules/mailer';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { AppConfigService } from '../../config/app-config.service';
import { EmailChannel } from './channels/email.channel';
import { SlackChannel } from './channels/slack.channel';
import { WebhookChannel } from './channels/webhook.channel';
import { NOTIFICATION_CHANNELS, NotificationChannel } from './notification-channel';
import { NotificationAttemptRepository } from './notification-attempt.repository';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/**
 * The SMTP transport for the email channel. SMTP_TLS: `true` = TLS from the first byte (465), `starttls` = the
 * upgrade is required (587; nodemailer refuses a server that does not offer it), `false` = plain SMTP, no upgrade.
 * Each socket phase is bounded by the attempt timeout. With email disabled the mailer still needs a transport to
 * construct: a JSON transport that nothing sends through (EmailChannel has no target then).
 */
export function mailerOptions(config: AppConfigService): MailerOptions {
  const { email, delivery } = config.notifications;
  if (!email.enabled) return { transport: { jsonTransport: true } };
  return {
    transport: {
      host: email.host,
      port: email.port,
      secure: email.tls === 'true',
      requireTLS: email.tls === 'starttls',
      ignoreTLS: email.tls === 'false',
      auth: email.user && email.password ? { user: email.user, pass: email.password } : undefined,
      connectionTimeout: delivery.attemptTimeoutMs,
      greetingTimeout: delivery.attemptTimeoutMs,
      socketTimeout: delivery.attemptTimeoutMs,
      logger: false,
      debug: false,
    },
    sendTimeout: delivery.attemptTimeoutMs,
  };
}

/**
 * Alert notifications: channels (email, Slack, signed webhooks) behind NOTIFICATION_CHANNELS, background delivery
 * with retries (NotificationsService.notify), the attempt log (tds.notification_attempts) and
 * POST /dashboard/notifications/test.
 */
@Module({
  imports: [MailerModule.forRootAsync({ imports: [], inject: [AppConfigService], useFactory: mailerOptions })],
  controllers: [NotificationsController],
  providers: [
    AdminKeyGuard,
    EmailChannel,
    SlackChannel,
    WebhookChannel,
    {
      provide: NOTIFICATION_CHANNELS,
      inject: [EmailChannel, SlackChannel, WebhookChannel],
      useFactory: (...channels: NotificationChannel[]): NotificationChannel[] => channels,
    },
    NotificationAttemptRepository,
    NotificationsService,
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
