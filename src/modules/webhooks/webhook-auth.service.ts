import { Injectable } from '@nestjs/common';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfigService } from '../../config/app-config.service';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

export interface WebhookCredentials {
  apiKey?: string;
  signature?: string;
  /** Query parameters as received (decoded), and form fields for form bodies. */
  signedParams: Record<string, string>;
  /** Raw body bytes; appended to the signed string for JSON bodies only. */
  rawBody?: Buffer;
}

export type AuthMethod = 'api_key' | 'signature';

const sha256 = (v: string | Buffer) => createHash('sha256').update(v).digest();

/** Constant-time string comparison (hashing first equalises lengths). */
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * Zoho's signed string (Zoho Billing's documented scheme, used across Zoho Finance): the query-string
 * parameters (plus form fields for a form body) sorted by key, concatenated as key+value with no separators,
 * followed by the raw JSON body.
 */
export function zohoSignedString(params: Record<string, string>, rawJsonBody?: Buffer): Buffer {
  const prefix = Object.keys(params)
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return rawJsonBody ? Buffer.concat([Buffer.from(prefix, 'utf8'), rawJsonBody]) : Buffer.from(prefix, 'utf8');
}

/** Decodes a presented signature: 64 hex chars, or base64 / base64url of 32 bytes. */
function decodeSignature(sig: string): Buffer | null {
  const s = sig.trim().replace(/^sha256=/i, '');
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const b = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return b.length === 32 ? b : null;
  }
  return null;
}

@Injectable()
export class WebhookAuthService {
  private readonly keys: string[];
  private readonly secrets: string[];

  constructor(config: AppConfigService) {
    this.keys = config.webhooks.apiKeys;
    this.secrets = config.webhooks.signatureSecrets;
  }

  /** Accepts when either check passes; otherwise 401 saying what is expected. Never open. */
  verify(c: WebhookCredentials): AuthMethod {
    if (c.apiKey !== undefined && this.keys.length > 0 && this.keys.some((k) => safeEqual(k, c.apiKey as string))) {
      return 'api_key';
    }
    if (c.signature !== undefined && this.secrets.length > 0) {
      const presented = decodeSignature(c.signature);
      if (presented) {
        const signed = zohoSignedString(c.signedParams, c.rawBody);
        for (const secret of this.secrets) {
          const expected = createHmac('sha256', secret).update(signed).digest();
          if (timingSafeEqual(expected, presented)) return 'signature';
        }
      }
    }
    const expected: string[] = [];
    if (this.keys.length) expected.push('an X-Webhook-Key header (or ?token=) holding a configured key');
    if (this.secrets.length) expected.push('an X-Zoho-Webhook-Signature header (HMAC-SHA256 of the sorted query parameters + raw body, hex or base64)');
    const presentedAny = c.apiKey !== undefined || c.signature !== undefined;
    throw new DomainError(
      ErrorCode.WebhookAuthFailed,
      `${presentedAny ? 'Invalid webhook credentials' : 'Missing webhook credentials'}: expected ${expected.join(' or ')}`,
    );
  }
}
