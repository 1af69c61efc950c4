import { ApiProperty } from '@nestjs/swagger';

export class WebhookAcceptedDto {
  @ApiProperty({ description: 'Queue event id (tds.events.id)', example: '1842' })
  eventId: string;

  @ApiProperty({
    description:
      '`queued`: stored now; `duplicate`: the same event (entity, id, last_modified_time — or the same body when the record has no timestamp) was already stored and will not be applied twice',
    enum: ['queued', 'duplicate'],
    example: 'queued',
  })
  status: 'queued' | 'duplicate';

  @ApiProperty({
    description: 'Entity type of the route',
    example: 'invoice',
    enum: ['contact', 'product', 'sales_order', 'invoice', 'bill', 'credit_note', 'stock', 'price'],
  })
  entityType: string;

  @ApiProperty({ description: 'The Zoho record id, exactly as sent (text; may exceed 2^53)', example: '460000000026049' })
  entityId: string;

  @ApiProperty({ description: 'Body key the record was found under', example: 'invoice' })
  recordType: string;

  @ApiProperty({ description: 'created | updated | deleted (from ?event=, or the DELETE method)', example: 'updated' })
  event: string;
}

export function toWebhookAccepted(r: WebhookAcceptedDto): WebhookAcceptedDto {
  return { eventId: r.eventId, status: r.status, entityType: r.entityType, entityId: r.entityId, recordType: r.recordType, event: r.event };
}
