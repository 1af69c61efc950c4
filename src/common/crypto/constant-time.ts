import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const sha256 = (v: string) => createHash('sha256').update(v).digest();

/** Constant-time string comparison: hashing first equalises the lengths, so neither content nor length leaks. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** HMAC-SHA256 of `data` under `secret` (32 bytes). */
export function hmacSha256(secret: string, data: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** Constant-time comparison of two digests; false (not a throw) when their lengths differ. */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
