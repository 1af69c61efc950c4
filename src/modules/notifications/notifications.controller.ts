import { Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiErrorResponse } from '../../common/errors/error-response.decorator';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { Audited } from '../audit/audited.decorator';
import type { AuditOutcome } from '../audit/audited.metadata';
import { ListNotificationAttemptsQueryDto, NotificationAttemptDto, toNotificationAttempt } from './dto/notification-attempts.dto';
import { NotificationTestResponseDto, toNotificationTestResponse } from './dto/notification-test.dto';
import { NotificationsService } from './notifications.service';

/** The audit row of a test: 200 even when no target accepted it, so the result and detail say how many did. */
export function notificationTestOutcome(res: NotificationTestResponseDto): AuditOutcome {
  const ok = res.results.filter((r) => r.delivered).length;
  const n = res.results.length;
  const failed = res.results
    .filter((r) => !r.delivered)
    .map((r) => `${r.channel} ${r.outcome}${r.error ? ` (${r.error.replace(/\s+/g, ' ')})` : ''}`);
  return {
    result: res.allDelivered ? 'succeeded' : 'failed',
    detail: `${ok} of ${n} targets accepted${failed.length ? `; ${failed.join('; ')}` : ''}`.slice(0, 500),
  };
}

@ApiTags('notifications')
@AdminApi()
@Controller('dashboard/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Audited('notification.test', { outcome: (res) => notificationTestOutcome(res as NotificationTestResponseDto) })
  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a test message to every enabled notification channel',
    description:
      'Answers with the first attempt of each channel target (bounded by ALERT_NOTIFY_TIMEOUT_MS); a failed target goes on retrying in the background. Every attempt is recorded in tds.notification_attempts.',
  })
  @ApiOkResponse({ type: NotificationTestResponseDto })
  @ApiErrorResponse(
    409,
    'NO_NOTIFICATION_CHANNEL',
    'No notification channel is enabled: set ALERT_EMAIL_ENABLED, ALERT_SLACK_ENABLED or ALERT_WEBHOOK_ENABLED',
    'No notification channel is enabled',
  )
  async test(@Req() req: FastifyRequest): Promise<NotificationTestResponseDto> {
    return toNotificationTestResponse(await this.notifications.sendTest(req.adminKeyName));
  }

  @Get('attempts')
  @ApiOperation({
    summary: 'Recorded notification delivery attempts, newest first',
    description: 'Every try on every channel (tds.notification_attempts), optionally of one alert; targets and errors carry no secrets.',
  })
  @ApiOkResponse({ type: [NotificationAttemptDto] })
  @ApiErrorResponse(400, 'BAD_REQUEST', 'limit must not be greater than 500', 'alertId is not an id, or limit is outside 1-500')
  async attempts(@Query() query: ListNotificationAttemptsQueryDto): Promise<NotificationAttemptDto[]> {
    return (await this.notifications.recentAttempts(query.limit ?? 50, query.alertId)).map(toNotificationAttempt);
  }
}
