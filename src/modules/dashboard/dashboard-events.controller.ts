import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi } from '../../common/auth/admin-api.decorator';
import { ApiErrorResponse } from '../../common/errors/error-response.decorator';
import { requestIdOf } from '../../common/errors/http-error.filter';
import { Audited } from '../audit/audited.decorator';
import { EventBrowserService } from '../queue/event-browser.service';
import { decodeCursor, pageOf } from './cursor';
import { EventDetailDto, ReplayAcceptedDto, toEventDetail } from './dto/event-detail.dto';
import { EventPageDto, filterOf, ListEventsQueryDto, toEventSummary } from './dto/event-list.dto';
import { EventIdPipe } from './event-id.pipe';

export const BAD_ID = ApiErrorResponse(
  400,
  'INVALID_PARAMETER',
  'Parameter "id" must be an event id (a positive integer), got "abc"',
  'Malformed id',
);
export const NO_EVENT = ApiErrorResponse(404, 'EVENT_NOT_FOUND', 'Event 999999 not found', 'No such event');
export const BAD_QUERY = ApiErrorResponse(
  400,
  'BAD_REQUEST',
  'entityId must be a Zoho id (digits)',
  'A malformed parameter (the message names it)',
);
export const ID_PARAM = ApiParam({ name: 'id', description: 'Event id', example: '1842' });

@ApiTags('dashboard')
@AdminApi()
@Controller('dashboard')
export class DashboardEventsController {
  constructor(private readonly events: EventBrowserService) {}

  @Get('recent-events')
  @ApiOperation({
    summary: 'Events, newest first, filtered; keyset pagination',
    description:
      'Filters combine (AND). `q` searches the last error of failed and dead-lettered events. Pages are newest first; ' +
      'pass `nextCursor` as `cursor` for the next (older) page. Rows inserted meanwhile never shift a page.',
  })
  @ApiOkResponse({ type: EventPageDto })
  @BAD_QUERY
  async recent(@Query() query: ListEventsQueryDto): Promise<EventPageDto> {
    const limit = query.limit ?? 50;
    const rows = await this.events.list(filterOf(query), limit + 1, decodeCursor('e', query.cursor));
    const page = pageOf('e', rows, limit);
    return { items: page.items.map(toEventSummary), nextCursor: page.nextCursor };
  }

  @Get('events/:id')
  @ApiOperation({
    summary: 'One event in full: payload, raw body, stored headers, every attempt, and the ERP row of its record',
  })
  @ID_PARAM
  @ApiOkResponse({ type: EventDetailDto })
  @BAD_ID
  @NO_EVENT
  async event(@Param('id', EventIdPipe) id: string): Promise<EventDetailDto> {
    return toEventDetail(await this.events.get(id));
  }

  @Post('events/:id/replay')
  @HttpCode(202)
  @Audited('event.replay', { detail: (r) => `replayed as event ${(r as ReplayAcceptedDto).eventId}` })
  @ApiOperation({
    summary: 'Queue an event again as a new event (same record, kind and version)',
    description:
      'The copy goes through the worker like any webhook event: after earlier events of its record, and the stale ' +
      'guards still keep an older version from overwriting a newer one (it then completes as skipped_stale). Content ' +
      'dedup does not apply to a replay: identical content is applied again. 410 once retention pruned the payload.',
  })
  @ID_PARAM
  @ApiResponse({ status: 202, type: ReplayAcceptedDto })
  @BAD_ID
  @NO_EVENT
  @ApiErrorResponse(
    410,
    'EVENT_PAYLOAD_PRUNED',
    'Event 1842 can no longer be replayed: its stored payload was pruned by retention',
    'Payload pruned',
  )
  async replay(@Param('id', EventIdPipe) id: string, @Req() req: FastifyRequest): Promise<ReplayAcceptedDto> {
    const eventId = await this.events.replay(id, requestIdOf(req) ?? null);
    return { sourceEventId: id, eventId, status: 'pending' };
  }
}
