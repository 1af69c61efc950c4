import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const sha256 = (v: string) => createHash('sha256').update(v).digest();

/** Constant-time string comparison: hashing first equalises the lengths, so neither content nor length leaks. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Is `presented` one of `keys`? Compares against every key (no early exit), each in constant time. */
export function matchesAnyKey(keys: readonly string[], presented: string | undefined): boolean {
  if (!presented) return false;
  let ok = false;
  for (const k of keys) ok = constantTimeEqual(k, presented) || ok;
  return ok;
}

/** HMAC-SHA256 of `data` under `secret` (32 bytes). */
export function hmacSha256(secret: string, data: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** Constant-time comparison of two digests; false (not a throw) when their lengths differ. */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
