import { Controller, Delete, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
  ApiForbiddenResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { requestIdOf } from '../../common/errors/http-error.filter';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { toWebhookAccepted, WebhookAcceptedDto } from './dto/webhook-accepted.dto';
import { ALIAS_ROUTES, CANONICAL_ROUTES, WEBHOOK_ROUTES } from './webhook-routes';
import { WebhooksService } from './webhooks.service';

/** Decoded query parameters in order, repeats kept. */
function queryOf(url: string): [string, string][] {
  const i = url.indexOf('?');
  return i < 0 ? [] : [...new URLSearchParams(url.slice(i + 1))];
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

@ApiTags('webhooks')
@ApiSecurity('webhookKey')
@ApiSecurity('zohoSignature')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post(':entity')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Receive a Zoho Books / Zoho Inventory webhook',
    description:
      "Body: Zoho's default payload, the record under its module key (`contact`, `item`, `salesorder`, `invoice`, `bill`, " +
      '`creditnote`, `inventory_adjustment` or `item` for stock, `pricebook` or `item` for prices), as JSON or as ' +
      'x-www-form-urlencoded with the JSON in `JSONString`. Extra fields are welcome. Answers 202 only once the event is ' +
      `committed to the queue. Routes: ${CANONICAL_ROUTES.join(', ')}; aliases kept from the earlier system: ${ALIAS_ROUTES.join(', ')}.`,
  })
  @ApiParam({ name: 'entity', enum: [...CANONICAL_ROUTES, ...ALIAS_ROUTES] })
  @ApiQuery({
    name: 'event',
    required: false,
    enum: ['created', 'updated', 'deleted'],
    description: 'Default updated; DELETE method means deleted',
  })
  @ApiQuery({
    name: 'organization_id',
    required: false,
    description: 'Zoho organization id; must be listed in ZOHO_ORGANIZATION_IDS when that is set',
  })
  @ApiQuery({ name: 'token', required: false, description: 'Alternative to the X-Webhook-Key header' })
  @ApiHeader({ name: 'X-Webhook-Key', required: false, description: 'One of WEBHOOK_API_KEYS' })
  @ApiHeader({
    name: 'X-Zoho-Webhook-Signature',
    required: false,
    description: 'HMAC-SHA256 (hex or base64) with one of ZOHO_WEBHOOK_SECRETS',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({
    description: 'Zoho record under its module key',
    schema: {
      type: 'object',
      additionalProperties: true,
      example: {
        invoice: {
          invoice_id: '460000000026049',
          invoice_number: 'INV-00003',
          customer_id: '460000000026049',
          status: 'sent',
          date: '2026-11-28',
          currency_code: 'IQD',
          total: 250000,
          last_modified_time: '2026-11-28T10:15:30+0300',
          line_items: [{ line_item_id: '460000000026053', item_id: '460000000017088', quantity: 2, rate: 125000 }],
        },
      },
    },
  })
  @ApiResponse({ status: 202, description: 'Stored (or already stored)', type: WebhookAcceptedDto })
  @ApiBadRequestResponse({
    description: 'Invalid JSON (the message gives the position), not UTF-8, or nested too deep',
    type: ErrorResponseDto,
  })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong X-Webhook-Key / signature', type: ErrorResponseDto })
  @ApiForbiddenResponse({ description: 'organization_id not allowed', type: ErrorResponseDto })
  @ApiNotFoundResponse({ description: 'Unknown entity route', type: ErrorResponseDto })
  @ApiPayloadTooLargeResponse({ description: 'Body over WEBHOOK_MAX_BODY_BYTES', type: ErrorResponseDto })
  @ApiUnsupportedMediaTypeResponse({ description: 'Content-Type other than JSON or form', type: ErrorResponseDto })
  @ApiUnprocessableEntityResponse({
    description: 'Envelope missing or for another entity, id missing or empty (the message names the field)',
    type: ErrorResponseDto,
  })
  @ApiServiceUnavailableResponse({
    description: 'The database cannot commit now; Retry-After is set. Nothing was stored.',
    type: ErrorResponseDto,
  })
  receive(@Param('entity') entity: string, @Req() req: FastifyRequest): Promise<WebhookAcceptedDto> {
    return this.handle(entity, req);
  }

  /** Zoho webhooks may be configured with PUT; same contract as POST. */
  @Put(':entity')
  @HttpCode(202)
  @ApiOperation({ summary: 'Receive a Zoho webhook sent with PUT (same contract as POST)' })
  @ApiParam({ name: 'entity', enum: [...CANONICAL_ROUTES, ...ALIAS_ROUTES] })
  @ApiResponse({ status: 202, description: 'Stored (or already stored)', type: WebhookAcceptedDto })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong credentials', type: ErrorResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'Envelope or id invalid', type: ErrorResponseDto })
  receivePut(@Param('entity') entity: string, @Req() req: FastifyRequest): Promise<WebhookAcceptedDto> {
    return this.handle(entity, req);
  }

  /** A Zoho webhook with the DELETE method: the event is a delete whatever ?event= says. */
  @Delete(':entity')
  @HttpCode(202)
  @ApiOperation({ summary: 'Receive a Zoho delete webhook (DELETE method): the record is soft-deleted in the ERP tables' })
  @ApiParam({ name: 'entity', enum: [...CANONICAL_ROUTES, ...ALIAS_ROUTES] })
  @ApiResponse({ status: 202, description: 'Stored (or already stored)', type: WebhookAcceptedDto })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong credentials', type: ErrorResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'Envelope or id invalid', type: ErrorResponseDto })
  receiveDelete(@Param('entity') entity: string, @Req() req: FastifyRequest): Promise<WebhookAcceptedDto> {
    return this.handle(entity, req);
  }

  private async handle(entity: string, req: FastifyRequest): Promise<WebhookAcceptedDto> {
    // Own keys only: 'constructor', '__proto__' … are not routes.
    const entityType = Object.hasOwn(WEBHOOK_ROUTES, entity) ? WEBHOOK_ROUTES[entity] : undefined;
    if (!entityType) {
      throw new DomainError(
        ErrorCode.UnknownEntity,
        `Unknown webhook route /webhooks/${entity}; use one of: ${[...CANONICAL_ROUTES, ...ALIAS_ROUTES].join(', ')}`,
      );
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await this.webhooks.receive({
      entityType,
      route: entity,
      method: req.method,
      contentType: header(req, 'content-type'),
      body,
      query: queryOf(req.url),
      apiKeyHeader: header(req, 'x-webhook-key'),
      signatureHeader: header(req, 'x-zoho-webhook-signature'),
      requestId: requestIdOf(req),
    });
    req.webhookOutcome = result.status; // for the metrics (MetricsService.recordWebhook, on response)
    return toWebhookAccepted(result);
  }
}
