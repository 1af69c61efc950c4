import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a generic webhook delivery (docs/NOTIFICATIONS_SETUP.md, docs/decisions/0016):
 *   X-TDS-Timestamp: <unix seconds, decimal>
 *   X-TDS-Signature: sha256=<lower-case hex HMAC-SHA256 under ALERT_WEBHOOK_SECRET of `<timestamp>.<raw body bytes>`>
 * The timestamp is inside the signed bytes, so a receiver that refuses timestamps older than a few minutes refuses
 * replays; every retry is signed afresh with its own timestamp.
 */
export function signWebhook(secret: string, timestamp: string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

/** The receiver's check (used by the tests exactly as the setup guide shows it): signature, then age. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: string | Buffer,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): { ok: true } | { ok: false; reason: string } {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed X-TDS-Timestamp' };
  if (!signature) return { ok: false, reason: 'missing X-TDS-Signature' };
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300))
    return { ok: false, reason: 'timestamp outside the tolerance (replay?)' };
  return { ok: true };
}
