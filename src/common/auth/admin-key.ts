import type { IncomingHttpHeaders } from 'node:http';
import { constantTimeEqual } from '../crypto/constant-time';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** One entry of ADMIN_API_KEYS: `name:key` names the key for the audit log; a bare key is named by its position. */
export interface AdminKey {
  readonly name: string;
  readonly key: string;
}

const NAMED = /^([A-Za-z0-9_.@-]{1,64}):(.+)$/;

/** ADMIN_API_KEYS entries (already split on commas) → named keys. The key itself never leaves this object. */
export function parseAdminKeys(entries: readonly string[]): AdminKey[] {
  return entries.map((entry, i) => {
    const m = NAMED.exec(entry);
    return m ? { name: m[1], key: m[2] } : { name: `key-${i + 1}`, key: entry };
  });
}

/** The admin key a request presents: X-Admin-Key, X-API-Key or `Authorization: Bearer <key>`. */
export function presentedAdminKey(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(first(headers.authorization) ?? '');
  return first(headers['x-admin-key']) || first(headers['x-api-key']) || bearer?.[1] || undefined;
}

/**
 * Authenticates an admin request: the name of the key presented, or the refusal to send.
 * No keys configured → 403 ADMIN_API_DISABLED (closed, never open); no key presented → 401 ADMIN_KEY_REQUIRED;
 * a key that matches none → 403 ADMIN_AUTH_FAILED. Every configured key is compared (constant time, no early exit).
 */
export function authenticateAdmin(
  keys: readonly AdminKey[],
  headers: IncomingHttpHeaders,
  disabledMessage = 'The admin API is disabled: set ADMIN_API_KEYS to enable it',
): string {
  if (!keys.length) throw new DomainError(ErrorCode.AdminDisabled, disabledMessage);
  const presented = presentedAdminKey(headers);
  if (!presented) {
    throw new DomainError(ErrorCode.AdminKeyRequired, 'Missing admin key: send Authorization: Bearer <key>, X-API-Key or X-Admin-Key');
  }
  let name: string | undefined;
  for (const k of keys) if (constantTimeEqual(k.key, presented) && name === undefined) name = k.name;
  if (name === undefined) throw new DomainError(ErrorCode.AdminAuthFailed, 'Invalid admin key');
  return name;
}
