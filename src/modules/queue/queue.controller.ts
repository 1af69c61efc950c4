import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AdminKeyGuard } from '../../common/auth/admin-key.guard';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { QueueEventDto, QueueStatsDto, RetryAcceptedDto, toQueueEvent } from './dto/queue.dto';
import { QueueService } from './queue.service';

@ApiTags('queue')
@ApiSecurity('adminKey')
@ApiUnauthorizedResponse({ description: 'Missing or wrong X-Admin-Key', type: ErrorResponseDto })
@ApiForbiddenResponse({ description: 'Admin API disabled (ADMIN_API_KEYS unset)', type: ErrorResponseDto })
@UseGuards(AdminKeyGuard)
@Controller('queue')
export class QueueController {
  constructor(private readonly queue: QueueService) {}

  @Get('stats')
  @ApiOperation({ summary: 'Unfinished events per status with the age of the oldest' })
  @ApiOkResponse({ type: QueueStatsDto })
  stats(): Promise<QueueStatsDto> {
    return this.queue.stats();
  }

  @Get('events/:id')
  @ApiOperation({ summary: 'One event with its status, last error and every attempt' })
  @ApiOkResponse({ type: QueueEventDto })
  @ApiNotFoundResponse({ description: 'No such event', type: ErrorResponseDto })
  async event(@Param('id') id: string): Promise<QueueEventDto> {
    return toQueueEvent(await this.queue.get(id));
  }

  @Post('events/:id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Manual retry: a dead-lettered (or failed) event goes back to pending with a fresh attempt budget' })
  @ApiResponse({ status: 202, type: RetryAcceptedDto })
  @ApiNotFoundResponse({ description: 'No such event', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The event is not dead_letter or failed', type: ErrorResponseDto })
  async retry(@Param('id') id: string): Promise<RetryAcceptedDto> {
    await this.queue.retry(id);
    return { eventId: id, status: 'pending' };
  }
}
