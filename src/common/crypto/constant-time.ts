import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const sha256 = (v: string) => createHash('sha256').update(v).digest();

/** Constant-time string comparison: hashing first equalises the lengths, so neither content nor length leaks. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** HMAC-SHA256 of `data` (or of its parts one after the other, without copying them together) under `secret`. */
export function hmacSha256(secret: string, data: string | Buffer | readonly (string | Buffer)[]): Buffer {
  const hmac = createHmac('sha256', secret);
  if (typeof data === 'string' || Buffer.isBuffer(data)) hmac.update(data);
  else for (const part of data) hmac.update(part);
  return hmac.digest();
}

/** Constant-time comparison of two digests; false (not a throw) when their lengths differ. */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
