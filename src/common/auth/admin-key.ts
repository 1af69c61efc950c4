import type { IncomingHttpHeaders } from 'node:http';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The admin key a request presents: X-Admin-Key, X-API-Key or `Authorization: Bearer <key>`. */
export function presentedAdminKey(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(first(headers.authorization) ?? '');
  return first(headers['x-admin-key']) || first(headers['x-api-key']) || bearer?.[1] || undefined;
}
