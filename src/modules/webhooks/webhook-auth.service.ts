import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { constantTimeEqual, digestsEqual, hmacSha256 } from '../../common/crypto/constant-time';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

export interface WebhookCredentials {
  apiKey?: string;
  signature?: string;
  /** Query parameters as received (decoded, in order, repeats kept), then the form fields of a form body. */
  params: [string, string][];
  /** Raw body bytes; appended to the signed string for JSON bodies only. */
  rawBody?: Buffer;
}

/** Parameters the service itself reads; any other must be listed in ZOHO_WEBHOOK_EXTRA_PARAMS. */
export const KNOWN_WEBHOOK_PARAMS = ['event', 'organization_id', 'token', 'JSONString'];

/** The name given twice (in the query, in the form, or once in each), if any. */
export function repeatedParam(params: [string, string][]): string | undefined {
  const seen = new Set<string>();
  for (const [name] of params) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/** A timestamp parameter's value as epoch milliseconds: Unix seconds, Unix milliseconds or ISO 8601; NaN if none. */
export function parseSentAt(value: string): number {
  const v = value.trim();
  if (/^\d{9,11}$/.test(v)) return Number(v) * 1000;
  if (/^\d{12,14}$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.NaN;
}

export type AuthMethod = 'api_key' | 'signature';

/**
 * Zoho's signed string (Zoho Billing's documented scheme, used across Zoho Finance): the query-string
 * parameters (plus form fields for a form body) sorted by key, concatenated as key+value with no separators,
 * followed by the raw JSON body.
 */
export function zohoSignedString(params: Record<string, string>, rawJsonBody?: Buffer): Buffer {
  return Buffer.concat(zohoSignedParts(params, rawJsonBody).map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

/** The signed string in its two parts (the parameters, then the body), so the HMAC reads the body where it is. */
export function zohoSignedParts(params: Record<string, string>, rawJsonBody?: Buffer): (string | Buffer)[] {
  const prefix = Object.keys(params)
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return rawJsonBody ? [prefix, rawJsonBody] : [prefix];
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
  private readonly keys: readonly string[];
  private readonly secrets: readonly string[];
  private readonly allowedParams: Set<string>;
  private readonly timestampParam: string | null;
  private readonly replayWindowMs: number;

  constructor(config: AppConfigService) {
    const w = config.webhooks;
    this.keys = w.apiKeys;
    this.secrets = w.signatureSecrets;
    this.timestampParam = w.timestampParam;
    this.replayWindowMs = w.replayWindowSeconds * 1000;
    this.allowedParams = new Set([...KNOWN_WEBHOOK_PARAMS, ...w.extraSignedParams, ...(w.timestampParam ? [w.timestampParam] : [])]);
  }

  /** Accepts when either check passes; otherwise 401 saying what is expected. Never open. */
  verify(c: WebhookCredentials, now = Date.now()): AuthMethod {
    if (c.apiKey !== undefined && this.keys.length > 0 && this.keys.some((k) => constantTimeEqual(k, c.apiKey as string))) {
      return 'api_key';
    }
    if (c.signature !== undefined && this.secrets.length > 0) {
      const presented = decodeSignature(c.signature);
      if (presented) {
        const signed = zohoSignedParts(Object.fromEntries(c.params), c.rawBody);
        for (const secret of this.secrets) {
          if (digestsEqual(hmacSha256(secret, signed), presented)) {
            this.checkSignedParams(c.params, now);
            return 'signature';
          }
        }
      }
    }
    const expected: string[] = [];
    if (this.keys.length) expected.push('an X-Webhook-Key header (or ?token=) holding a configured key');
    if (this.secrets.length)
      expected.push('an X-Zoho-Webhook-Signature header (HMAC-SHA256 of the sorted query parameters + raw body, hex or base64)');
    const presentedAny = c.apiKey !== undefined || c.signature !== undefined;
    throw new DomainError(
      ErrorCode.WebhookAuthFailed,
      `${presentedAny ? 'Invalid webhook credentials' : 'Missing webhook credentials'}: expected ${expected.join(' or ')}`,
    );
  }

  /**
   * A valid signature covers the parameters only as Zoho concatenates them (key+value, sorted, no separators), which
   * does not pin down their names and values: `?event=deleted` and `?e=ventdeleted` sign alike, and a form field
   * repeating a query parameter is folded into one value. So a signed request may carry each name once and only the
   * names the service knows; with a replay window configured it must also be recent.
   */
  private checkSignedParams(params: [string, string][], now: number): void {
    const refuse = (message: string, details: Record<string, unknown>) => {
      throw new DomainError(ErrorCode.WebhookAuthFailed, message, details);
    };
    const repeated = repeatedParam(params);
    if (repeated !== undefined) {
      refuse(`Parameter "${repeated}" is given more than once (query or form): a signed request carries each name once`, {
        field: repeated,
      });
    }
    const unknown = params.find(([name]) => !this.allowedParams.has(name));
    if (unknown) {
      refuse(`Unknown parameter "${unknown[0]}" on a signed webhook: list the names your Zoho webhook adds in ZOHO_WEBHOOK_EXTRA_PARAMS`, {
        field: unknown[0],
      });
    }
    if (this.timestampParam) {
      const raw = params.find(([name]) => name === this.timestampParam)?.[1];
      const sentAt = raw === undefined ? Number.NaN : parseSentAt(raw);
      if (raw === undefined || Number.isNaN(sentAt)) {
        refuse(`Signed webhooks must carry the time they were sent in "${this.timestampParam}" (ZOHO_WEBHOOK_TIMESTAMP_PARAM)`, {
          field: this.timestampParam,
        });
      }
      if (Math.abs(now - sentAt) > this.replayWindowMs) {
        refuse(
          `"${this.timestampParam}" is outside the replay window of ${this.replayWindowMs / 1000} s (ZOHO_WEBHOOK_REPLAY_WINDOW_S): refused as a possible replay`,
          { field: this.timestampParam },
        );
      }
    }
  }
}
