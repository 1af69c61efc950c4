/**
 * Query parameters whose values never reach a log line (compared after decoding, case-insensitively, so `adminKey`
 * is `adminkey` here). The service reads keys only from headers (and webhooks' `?token=`), but a client that puts an
 * admin or API key in the query string must not find it in the access log either.
 */
const SECRET_PARAMS = new Set([
  'token',
  'key',
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
  'x-webhook-key',
  'adminkey',
  'admin_key',
  'admin-key',
  'x-admin-key',
  'access_token',
  'refresh_token',
  'client_secret',
  'secret',
  'signature',
  'password',
]);

export const REDACTED = '[redacted]';

/**
 * The URL as it may be logged: every query parameter whose decoded name is a secret (`token`, also spelled
 * `%74oken`, `TOKEN`, or repeated) keeps its name and loses its value. Names are decoded exactly as the webhook
 * controller reads them (URLSearchParams), so whatever the service would accept as a key is what gets hidden.
 * Used by the access log (LoggingModule) and the rejection line of requests without an access line (HttpErrorFilter).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const names = [...new URLSearchParams(part).keys()];
      const name = (names[0] ?? '').trim().toLowerCase();
      return SECRET_PARAMS.has(name) ? `${part.slice(0, eq)}=${REDACTED}` : part;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}
