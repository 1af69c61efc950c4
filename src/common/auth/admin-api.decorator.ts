import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiErrorResponse } from '../errors/error-response.decorator';
import { AdminThrottlerGuard } from '../rate-limit/admin-throttler.guard';
import { AdminKeyGuard } from './admin-key.guard';

/**
 * An admin (operator) controller: the admin key (AdminKeyGuard: 401 missing, 403 wrong, 403 when ADMIN_API_KEYS is
 * unset) then the per-key rate limits (AdminThrottlerGuard: 429 with Retry-After), and the matching Swagger security
 * schemes (any one of Bearer, X-API-Key, X-Admin-Key) and error answers.
 */
export const AdminApi = () =>
  applyDecorators(
    UseGuards(AdminKeyGuard, AdminThrottlerGuard),
    ApiBearerAuth('bearer'),
    ApiSecurity('apiKey'),
    ApiSecurity('adminKey'),
    ApiErrorResponse(
      401,
      'ADMIN_KEY_REQUIRED',
      'Missing admin key: send Authorization: Bearer <key>, X-API-Key or X-Admin-Key',
      'No admin key sent',
    ),
    ApiErrorResponse(403, 'ADMIN_AUTH_FAILED', 'Invalid admin key', 'Wrong admin key, or the admin API is disabled (ADMIN_API_KEYS unset)'),
    ApiErrorResponse(
      429,
      'RATE_LIMITED',
      'Too many admin actions: at most 60 a minute per admin key; retry in 42 s',
      'Rate limit of this admin key reached (RATE_LIMIT_PER_MINUTE for actions, RATE_LIMIT_READS_PER_MINUTE for reads)',
      { 'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer' } } },
    ),
  );
