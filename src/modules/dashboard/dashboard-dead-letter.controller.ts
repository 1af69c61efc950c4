import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { ApiErrorResponse } from '../../common/errors/error-response.decorator';
import { Audited } from '../audit/audited.decorator';
import { EventBrowserService } from '../queue/event-browser.service';
import { QueueService } from '../queue/queue.service';
import { RetryAcceptedDto } from '../queue/dto/queue.dto';
import { decodeCursor, pageOf } from './cursor';
import { BAD_ID, BAD_QUERY, ID_PARAM, NO_EVENT } from './dashboard-events.controller';
import {
  BulkRetryDto,
  BulkRetryResultDto,
  DeadLetterQueryDto,
  ErrorGroupsDto,
  MAX_BULK_RETRY,
  toBulkRetryResult,
  toErrorGroup,
} from './dto/dead-letter.dto';
import { EventPageDto, filterOf, toEventSummary } from './dto/event-list.dto';
import { EventIdPipe } from './event-id.pipe';

export const NOT_RETRYABLE = ApiErrorResponse(
  409,
  'EVENT_NOT_RETRYABLE',
  'Event 1842 is completed; only dead_letter or failed events can be retried',
  'The event is not dead_letter or failed',
);
export const PRUNED = ApiErrorResponse(
  410,
  'EVENT_PAYLOAD_PRUNED',
  'Event 1842 can no longer be retried: its stored payload was pruned by retention',
  'Payload pruned',
);

@ApiTags('dashboard')
@AdminApi()
@Controller('dashboard/dead-letter')
export class DashboardDeadLetterController {
  constructor(
    private readonly events: EventBrowserService,
    private readonly queue: QueueService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Dead-lettered events (newest first, paginated), or grouped by error fingerprint with ?groupBy=error',
    description:
      'Same filters as recent-events, plus `fingerprint`. With `groupBy=error` the answer is one row per error ' +
      'fingerprint (the message with ids, numbers, UUIDs and quoted values taken out), most frequent first, with ' +
      'counts and first/last seen; `limit` caps the number of groups.',
  })
  @ApiExtraModels(EventPageDto, ErrorGroupsDto)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(EventPageDto) }, { $ref: getSchemaPath(ErrorGroupsDto) }] } })
  @BAD_QUERY
  async list(@Query() query: DeadLetterQueryDto): Promise<EventPageDto | ErrorGroupsDto> {
    const limit = query.limit ?? 50;
    const filter = filterOf(query);
    if (query.groupBy === 'error') {
      if (query.cursor !== undefined) {
        throw new DomainError(ErrorCode.InvalidParameter, 'Parameter "cursor" does not apply to groupBy=error (groups are not paginated)', {
          field: 'cursor',
        });
      }
      return { groups: (await this.events.errorGroups(filter, limit)).map(toErrorGroup) };
    }
    const rows = await this.events.listDeadLetters(filter, limit + 1, decodeCursor('e', query.cursor));
    const page = pageOf('e', rows, limit);
    return { items: page.items.map(toEventSummary), nextCursor: page.nextCursor };
  }

  @Post('retry')
  @HttpCode(200)
  @Audited('dead-letter.bulk-retry', {
    target: (req) => JSON.stringify(req.body ?? {}),
    detail: (r) => {
      const x = r as BulkRetryResultDto;
      return `${x.dryRun ? 'dry run: would retry' : 'retried'} ${x.retried} of ${x.matched} matching`;
    },
  })
  @ApiOperation({
    summary: 'Bulk retry of dead letters by filter (dryRun: true answers what would be retried and changes nothing)',
    description: `Oldest first, at most \`limit\` (≤ ${MAX_BULK_RETRY}) per call; each goes back to pending with a fresh retry budget. Dead letters whose payload retention pruned are left out.`,
  })
  @ApiBody({
    type: BulkRetryDto,
    examples: {
      dryRun: { summary: 'Preview a group', value: { fingerprint: '3f2a9c1b7d4e', dryRun: true } },
      retry: {
        summary: 'Retry the invoices of one day',
        value: { entityType: 'invoice', from: '2026-11-28T00:00:00Z', to: '2026-11-29T00:00:00Z', dryRun: false },
      },
    },
  })
  @ApiOkResponse({ type: BulkRetryResultDto })
  @ApiErrorResponse(400, 'BAD_REQUEST', 'dryRun must be a boolean value', 'A malformed body (the message names the field)')
  async bulkRetry(@Body() body: BulkRetryDto): Promise<BulkRetryResultDto> {
    return toBulkRetryResult(await this.events.bulkRetry(filterOf(body), body.limit ?? MAX_BULK_RETRY, body.dryRun));
  }

  @Post(':id/retry')
  @HttpCode(202)
  @Audited('dead-letter.retry')
  @ApiOperation({ summary: 'Retry one dead-lettered (or failed) event: back to pending with a fresh attempt budget' })
  @ID_PARAM
  @ApiResponse({ status: 202, type: RetryAcceptedDto })
  @BAD_ID
  @NO_EVENT
  @NOT_RETRYABLE
  @PRUNED
  async retry(@Param('id', EventIdPipe) id: string): Promise<RetryAcceptedDto> {
    await this.queue.retry(id);
    return { eventId: id, status: 'pending' };
  }
}
