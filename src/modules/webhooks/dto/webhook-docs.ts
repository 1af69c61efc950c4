import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { ApiErrorResponse } from '../../../common/errors/error-response.decorator';
import { ALIAS_ROUTES, CANONICAL_ROUTES } from '../webhook-routes';
import { WebhookAcceptedDto } from './webhook-accepted.dto';

const MODIFIED = '2026-11-28T10:15:30+0300';

/**
 * One example body per route, selectable in Swagger UI; the first (contacts) matches the route parameter's default,
 * so the first "Execute" is accepted. Each is Zoho's default payload shape: the record under its module key.
 */
export const WEBHOOK_EXAMPLES: Record<string, { summary: string; value: object }> = {
  contacts: {
    summary: 'contacts: a customer',
    value: {
      contact: {
        contact_id: '460000000026049',
        contact_name: 'Bagdad Trading Co.',
        contact_type: 'customer',
        currency_code: 'IQD',
        credit_limit: 15000000,
        last_modified_time: MODIFIED,
      },
    },
  },
  products: {
    summary: 'products: an item',
    value: {
      item: {
        item_id: '460000000017088',
        name: 'Cable 2x1.5mm',
        sku: 'CBL-215',
        rate: 12500,
        stock_on_hand: 40,
        last_modified_time: MODIFIED,
      },
    },
  },
  'sales-orders': {
    summary: 'sales-orders: a sales order',
    value: {
      salesorder: {
        salesorder_id: '460000000039001',
        salesorder_number: 'SO-00012',
        customer_id: '460000000026049',
        date: '2026-11-28',
        status: 'confirmed',
        total: 250000,
        last_modified_time: MODIFIED,
        line_items: [{ line_item_id: '460000000039003', item_id: '460000000017088', quantity: 2, rate: 125000 }],
      },
    },
  },
  invoices: {
    summary: 'invoices: an invoice',
    value: {
      invoice: {
        invoice_id: '460000000026051',
        invoice_number: 'INV-00003',
        customer_id: '460000000026049',
        status: 'sent',
        date: '2026-11-28',
        currency_code: 'IQD',
        total: 250000,
        last_modified_time: MODIFIED,
        line_items: [{ line_item_id: '460000000026053', item_id: '460000000017088', quantity: 2, rate: 125000 }],
      },
    },
  },
  bills: {
    summary: 'bills: a vendor bill',
    value: {
      bill: {
        bill_id: '460000000041001',
        bill_number: 'BL-0007',
        vendor_id: '460000000026077',
        date: '2026-11-28',
        status: 'open',
        total: 90000,
        last_modified_time: MODIFIED,
        line_items: [{ line_item_id: '460000000041003', item_id: '460000000017088', quantity: 1, rate: 90000 }],
      },
    },
  },
  'credit-notes': {
    summary: 'credit-notes: a credit note',
    value: {
      creditnote: {
        creditnote_id: '460000000043001',
        creditnote_number: 'CN-00002',
        customer_id: '460000000026049',
        date: '2026-11-28',
        status: 'open',
        total: 12500,
        last_modified_time: MODIFIED,
        line_items: [{ line_item_id: '460000000043003', item_id: '460000000017088', quantity: 1, rate: 12500 }],
      },
    },
  },
  stock: {
    summary: 'stock: an inventory adjustment',
    value: {
      inventory_adjustment: {
        inventory_adjustment_id: '460000000045001',
        reference_number: 'ADJ-9',
        date: '2026-11-28',
        reason: 'Damaged goods',
        adjustment_type: 'quantity',
        line_items: [
          { line_item_id: '460000000045003', item_id: '460000000017088', quantity_adjusted: -2, location_id: '460000000038080' },
        ],
      },
    },
  },
  prices: {
    summary: 'prices: a price list',
    value: {
      pricebook: {
        pricebook_id: '460000000047001',
        name: 'Wholesale',
        currency_code: 'IQD',
        pricebook_type: 'per_item',
        pricebook_items: [{ item_id: '460000000017088', pricebook_rate: 11000 }],
      },
    },
  },
};

const err = ApiErrorResponse;

/**
 * The same documentation for POST, PUT and DELETE: route parameter, query parameters, headers, body (one example
 * per entity) and one example per answer, so each method can be executed from /docs.
 */
export const WebhookDocs = (method: 'POST' | 'PUT' | 'DELETE') =>
  applyDecorators(
    ApiParam({
      name: 'entity',
      enum: [...CANONICAL_ROUTES, ...ALIAS_ROUTES],
      example: 'contacts',
      description: 'Pick the body example of the same name',
    }),
    ...(method === 'DELETE'
      ? []
      : [
          ApiQuery({
            name: 'event',
            required: false,
            enum: ['created', 'updated', 'deleted'],
            description: 'Default updated',
          }),
        ]),
    ApiQuery({
      name: 'organization_id',
      required: false,
      description: 'Zoho organization id; must be listed in ZOHO_ORGANIZATION_IDS when that is set',
      example: '10234695',
    }),
    ApiQuery({ name: 'token', required: false, description: 'Alternative to the X-Webhook-Key header' }),
    ApiHeader({ name: 'X-Webhook-Key', required: false, description: 'One of WEBHOOK_API_KEYS' }),
    ApiHeader({
      name: 'X-Zoho-Webhook-Signature',
      required: false,
      description: 'HMAC-SHA256 (hex or base64) with one of ZOHO_WEBHOOK_SECRETS',
    }),
    ApiConsumes('application/json', 'application/x-www-form-urlencoded'),
    ApiBody({
      description:
        method === 'DELETE'
          ? 'The deleted record under its module key (Zoho sends the record; at least its id)'
          : 'Zoho record under its module key (extra fields are welcome)',
      schema: { type: 'object', additionalProperties: true },
      examples: WEBHOOK_EXAMPLES,
    }),
    ApiResponse({ status: 202, description: 'Stored (or already stored)', type: WebhookAcceptedDto }),
    err(
      400,
      'INVALID_JSON',
      'Invalid JSON: Unexpected token } in JSON at position 17',
      'Invalid JSON (the message gives the position), not UTF-8, or nested too deep',
    ),
    err(401, 'WEBHOOK_AUTH_FAILED', 'Missing or invalid webhook credentials', 'Missing or wrong X-Webhook-Key / signature'),
    err(
      403,
      'ORGANIZATION_NOT_ALLOWED',
      'organization_id 999 is not one of the configured ZOHO_ORGANIZATION_IDS',
      'organization_id not allowed',
    ),
    err(404, 'UNKNOWN_ENTITY', 'Unknown webhook route /webhooks/widgets; use one of: contacts, products, …', 'Unknown entity route'),
    err(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large', 'Body over WEBHOOK_MAX_BODY_BYTES'),
    err(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type: text/plain', 'Content-Type other than JSON or form'),
    err(
      422,
      'INVALID_ENVELOPE',
      "Missing envelope: expected the record under 'contact'",
      'Envelope missing or for another entity, id missing or empty (the message names the field)',
    ),
    err(
      429,
      'RATE_LIMITED',
      'Too many webhook requests from this client: at most 60000 a minute; retry in 12 s',
      'RATE_LIMIT_WEBHOOKS_PER_MINUTE reached for this client IP',
      {
        'Retry-After': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
      },
    ),
    err(
      503,
      'DATABASE_UNAVAILABLE',
      'The event could not be stored (database unavailable); retry later',
      'The database cannot commit now; Retry-After is set. Nothing was stored.',
      {
        'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
      },
    ),
  );
