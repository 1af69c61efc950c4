import { Controller, Get, HttpCode, Post, Query, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ListNotificationAttemptsQueryDto, NotificationAttemptDto, toNotificationAttempt } from './dto/notification-attempts.dto';
import { NotificationTestResponseDto, toNotificationTestResponse } from './dto/notification-test.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiSecurity('adminKey')
@ApiUnauthorizedResponse({ description: 'No admin key (Authorization: Bearer, X-API-Key or X-Admin-Key)', type: ErrorResponseDto })
@ApiForbiddenResponse({ description: 'Wrong admin key, or the admin API is disabled (ADMIN_API_KEYS unset)', type: ErrorResponseDto })
@UseGuards(AdminKeyGuard)
@Controller('dashboard/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a test message to every enabled notification channel',
    description:
      'Answers with the first attempt of each channel target (bounded by ALERT_NOTIFY_TIMEOUT_MS); a failed target goes on retrying in the background. Every attempt is recorded in tds.notification_attempts.',
  })
  @ApiOkResponse({ type: NotificationTestResponseDto })
  @ApiConflictResponse({ description: 'No notification channel is enabled', type: ErrorResponseDto })
  async test(@Req() req: FastifyRequest): Promise<NotificationTestResponseDto> {
    return toNotificationTestResponse(await this.notifications.sendTest(req.adminKeyName));
  }

  @Get('attempts')
  @ApiOperation({
    summary: 'Recorded notification delivery attempts, newest first',
    description: 'Every try on every channel (tds.notification_attempts), optionally of one alert; targets and errors carry no secrets.',
  })
  @ApiOkResponse({ type: [NotificationAttemptDto] })
  @ApiBadRequestResponse({ description: 'alertId is not an id, or limit is outside 1-500', type: ErrorResponseDto })
  async attempts(@Query() query: ListNotificationAttemptsQueryDto): Promise<NotificationAttemptDto[]> {
    return (await this.notifications.recentAttempts(query.limit ?? 50, query.alertId)).map(toNotificationAttempt);
  }
}
