/** Domain error codes; the HTTP filter maps each to a status. */
export enum ErrorCode {
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  Invalid = 'INVALID',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  DatabaseUnavailable = 'DATABASE_UNAVAILABLE',
  // webhooks
  InvalidJson = 'INVALID_JSON',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  WebhookAuthFailed = 'WEBHOOK_AUTH_FAILED',
  OrganizationNotAllowed = 'ORGANIZATION_NOT_ALLOWED',
  InvalidEnvelope = 'INVALID_ENVELOPE',
  InvalidParameter = 'INVALID_PARAMETER',
  UnknownEntity = 'UNKNOWN_ENTITY',
  AdminKeyRequired = 'ADMIN_KEY_REQUIRED',
  AdminAuthFailed = 'ADMIN_AUTH_FAILED',
  AdminDisabled = 'ADMIN_API_DISABLED',
  AdminIpNotAllowed = 'ADMIN_IP_NOT_ALLOWED',
  // queue
  EventNotFound = 'EVENT_NOT_FOUND',
  EventNotRetryable = 'EVENT_NOT_RETRYABLE',
  // operator UI
  UiNotBuilt = 'UI_NOT_BUILT',
  // dashboard / admin API
  EventPayloadPruned = 'EVENT_PAYLOAD_PRUNED',
  RateLimited = 'RATE_LIMITED',
  // alerts
  AlertNotFound = 'ALERT_NOT_FOUND',
  AlertAlreadyResolved = 'ALERT_ALREADY_RESOLVED',
  // notifications
  NoNotificationChannel = 'NO_NOTIFICATION_CHANNEL',
}

export const ERROR_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Invalid]: 422,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.DatabaseUnavailable]: 503,
  [ErrorCode.InvalidJson]: 400,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.WebhookAuthFailed]: 401,
  [ErrorCode.OrganizationNotAllowed]: 403,
  [ErrorCode.InvalidEnvelope]: 422,
  [ErrorCode.InvalidParameter]: 400,
  [ErrorCode.UnknownEntity]: 404,
  [ErrorCode.AdminKeyRequired]: 401,
  [ErrorCode.AdminAuthFailed]: 403,
  [ErrorCode.AdminDisabled]: 403,
  [ErrorCode.AdminIpNotAllowed]: 403,
  [ErrorCode.EventNotFound]: 404,
  [ErrorCode.EventNotRetryable]: 409,
  [ErrorCode.UiNotBuilt]: 503,
  [ErrorCode.EventPayloadPruned]: 410,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.AlertNotFound]: 404,
  [ErrorCode.AlertAlreadyResolved]: 409,
  [ErrorCode.NoNotificationChannel]: 409,
};
