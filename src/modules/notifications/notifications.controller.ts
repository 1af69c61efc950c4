import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
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
}
