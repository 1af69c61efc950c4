import { createHmac } from 'node:crypto';

/** Signs like Zoho: HMAC-SHA256(secret, sorted query/form params as key+value, then the raw JSON body). */
export function zohoSignature(
  secret: string,
  params: Record<string, string>,
  rawBody: string | Buffer | undefined,
  encoding: 'hex' | 'base64' = 'hex',
): string {
  const prefix = Object.keys(params)
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  const h = createHmac('sha256', secret).update(prefix, 'utf8');
  if (rawBody !== undefined) h.update(rawBody);
  return h.digest(encoding);
}
