import { ApiProperty } from '@nestjs/swagger';
import type { EventFull } from '../../queue/event-browser.service';
import { EventAttemptDto, QueueEventDto, toQueueEvent } from '../../queue/dto/queue.dto';

export class StoredRequestHeadersDto {
  @ApiProperty({ example: 'application/json' }) contentType: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '8b7c1f0e-4d8e-4a7a-9a55-4f2b7f0c2d11',
    description: 'X-Request-Id of the webhook request',
  })
  requestId: string | null;
}

export class ErpRecordDto {
  @ApiProperty({ example: 'erp.invoices' }) table: string;
  @ApiProperty({ example: 'zoho_invoice_id' }) key: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The row as it is now (numbers as exact strings); null when the record has no row',
    example: {
      zoho_invoice_id: '460000000026049',
      invoice_number: 'INV-00003',
      total: '250000',
      zoho_modified_at: '2026-11-28T07:15:30+00:00',
    },
  })
  row: Record<string, unknown> | null;
}

export class EventDetailDto extends QueueEventDto {
  @ApiProperty({ type: StoredRequestHeadersDto, description: 'The headers kept with the event (keys and signatures are never stored)' })
  headers: StoredRequestHeadersDto;
  @ApiProperty({ type: String, nullable: true, description: 'For a replay: the event it copies' }) replayOf: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The request body exactly as received (UTF-8); null once retention pruned it',
    example: '{"invoice":{"invoice_id":"460000000026049","total":250000}}',
  })
  rawBody: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The record as stored (body[recordType]; numbers as exact strings); null once pruned',
    example: { invoice_id: '460000000026049', total: '250000' },
  })
  payload: unknown;
  @ApiProperty({ type: ErpRecordDto, nullable: true, description: "The ERP row of the event's record" }) erp: ErpRecordDto | null;
}

export function toEventDetail(f: EventFull): EventDetailDto {
  return {
    ...toQueueEvent({ ...f.event, attemptLog: f.attempts }),
    headers: { contentType: f.contentType, requestId: f.requestId },
    replayOf: f.replayOf,
    rawBody: f.rawBody,
    payload: f.payload,
    erp: f.erp,
  };
}

export class ReplayAcceptedDto {
  @ApiProperty({ example: '1842', description: 'The event replayed' }) sourceEventId: string;
  @ApiProperty({ example: '2051', description: 'The new event' }) eventId: string;
  @ApiProperty({ example: 'pending' }) status: 'pending';
}

export { EventAttemptDto };
