import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const digest = (v: string) => createHash('sha256').update(v).digest();

/** Constant-time: is `presented` one of `keys`? (hashing first equalises lengths) */
export function isAdminKey(keys: readonly string[], presented: string | undefined): boolean {
  if (!presented) return false;
  let ok = false;
  for (const k of keys) ok = timingSafeEqual(digest(k), digest(presented)) || ok;
  return ok;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The admin key a request presents: X-Admin-Key, X-API-Key or `Authorization: Bearer <key>`. */
export function presentedAdminKey(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(first(headers.authorization) ?? '');
  return first(headers['x-admin-key']) || first(headers['x-api-key']) || bearer?.[1] || undefined;
}
