import { Controller, Delete, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { requestIdOf } from '../../common/errors/http-error.filter';
import { toWebhookAccepted, WebhookAcceptedDto } from './dto/webhook-accepted.dto';
import { WebhookDocs } from './dto/webhook-docs';
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

/**
 * One webhook request → WebhooksService → the 202 body. The controller's routes declare the webhook API (Swagger, the
 * route table); at run time Fastify calls this from the handler that `serveWebhooksOnFastify` puts in their place
 * (src/modules/webhooks/webhook-fastify-route.ts, docs/decisions/0024).
 */
export async function receiveWebhook(webhooks: WebhooksService, entity: string, req: FastifyRequest): Promise<WebhookAcceptedDto> {
  // Own keys only: 'constructor', '__proto__' … are not routes.
  const entityType = Object.hasOwn(WEBHOOK_ROUTES, entity) ? WEBHOOK_ROUTES[entity] : undefined;
  if (!entityType) {
    throw new DomainError(
      ErrorCode.UnknownEntity,
      `Unknown webhook route /webhooks/${entity}; use one of: ${[...CANONICAL_ROUTES, ...ALIAS_ROUTES].join(', ')}`,
    );
  }
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const result = await webhooks.receive({
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
      "Body: Zoho's default payload, the record under its module key (`contact`, `item`, `salesorder` (or `sales_order`), `invoice`, `bill`, " +
      '`creditnote`, `inventory_adjustment` or `item` for stock, `pricebook` or `item` for prices), as JSON or as ' +
      'x-www-form-urlencoded with the JSON in `JSONString`. Extra fields are welcome. Answers 202 only once the event is ' +
      `committed to the queue. Routes: ${CANONICAL_ROUTES.join(', ')}; aliases kept from the earlier system: ${ALIAS_ROUTES.join(', ')}. ` +
      'In Swagger UI pick the body example named like the route.',
  })
  @WebhookDocs('POST')
  receive(@Param('entity') entity: string, @Req() req: FastifyRequest): Promise<WebhookAcceptedDto> {
    return this.handle(entity, req);
  }

  /** Zoho webhooks may be configured with PUT; same contract as POST. */
  @Put(':entity')
  @HttpCode(202)
  @ApiOperation({ summary: 'Receive a Zoho webhook sent with PUT (same contract as POST)' })
  @WebhookDocs('PUT')
  receivePut(@Param('entity') entity: string, @Req() req: FastifyRequest): Promise<WebhookAcceptedDto> {
    return this.handle(entity, req);
  }

  /** A Zoho webhook with the DELETE method: the event is a delete whatever ?event= says. */
  @Delete(':entity')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Receive a Zoho delete webhook (DELETE method): the record is soft-deleted in the ERP tables',
    description: 'Same body and parameters as POST (the record, at least its id); the event is a delete whatever ?event= says.',
  })
  @WebhookDocs('DELETE')
  receiveDelete(@Param('entity') entity: string, @Req() req: FastifyRequest): Promise<WebhookAcceptedDto> {
    return this.handle(entity, req);
  }
  private handle(entity: string, req: FastifyRequest): Promise<WebhookAcceptedDto> {
    return receiveWebhook(this.webhooks, entity, req);
  }
}
