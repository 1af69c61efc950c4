import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AppConfigService } from '../../config/app-config.service';
import { WebhookAuthService, zohoSignedString, type WebhookCredentials } from './webhook-auth.service';

const KEY_HINT = 'an X-Webhook-Key header (or ?token=) holding a configured key';
const SIGNATURE_HINT =
  'an X-Zoho-Webhook-Signature header (HMAC-SHA256 of the sorted query parameters + raw body, hex or base64)';

function service(apiKeys: string[], signatureSecrets: string[]): WebhookAuthService {
  return new WebhookAuthService({ webhooks: { apiKeys, signatureSecrets } } as unknown as AppConfigService);
}

function hmac(secret: string, params: Record<string, string>, body?: string): Buffer {
  return createHmac('sha256', secret)
    .update(zohoSignedString(params, body === undefined ? undefined : Buffer.from(body)))
    .digest();
}

/** The DomainError that verify() throws. */
function rejection(auth: WebhookAuthService, c: WebhookCredentials): DomainError {
  try {
    auth.verify(c);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('verify() accepted the credentials');
}

describe('zohoSignedString', () => {
  it('concatenates key+value pairs sorted by key, with no separators', () => {
    expect(zohoSignedString({ b: '2', a: '1', c: 'x y' }).toString('utf8')).toBe('a1b2cx y');
    expect(zohoSignedString({}).length).toBe(0);
  });

  it('appends the raw body bytes unchanged', () => {
    const body = Buffer.from([0x7b, 0x7d, 0xff]);
    expect(zohoSignedString({ k: 'v' }, body)).toEqual(Buffer.from([0x6b, 0x76, 0x7b, 0x7d, 0xff]));
    expect(zohoSignedString({}, Buffer.from('{"a":1}')).toString('utf8')).toBe('{"a":1}');
  });

  it('encodes parameters as UTF-8', () => {
    expect(zohoSignedString({ name: 'شركة' })).toEqual(Buffer.from('nameشركة', 'utf8'));
  });
});

describe('WebhookAuthService.verify with API keys', () => {
  const auth = service(['key-one', 'key-two'], []);

  it('accepts any configured key', () => {
    expect(auth.verify({ apiKey: 'key-one', signedParams: {} })).toBe('api_key');
    expect(auth.verify({ apiKey: 'key-two', signedParams: {} })).toBe('api_key');
  });

  it('rejects a wrong key, a prefix of a key and an empty key as invalid', () => {
    for (const apiKey of ['key-three', 'key-on', 'key-one ', '']) {
      const err = rejection(auth, { apiKey, signedParams: {} });
      expect(err.code).toBe(ErrorCode.WebhookAuthFailed);
      expect(err.message).toBe(`Invalid webhook credentials: expected ${KEY_HINT}`);
    }
  });

  it('says credentials are missing when none were presented', () => {
    expect(rejection(auth, { signedParams: {} }).message).toBe(`Missing webhook credentials: expected ${KEY_HINT}`);
  });

  it('does not accept a signature when no secret is configured', () => {
    const err = rejection(auth, { signature: hmac('key-one', {}).toString('hex'), signedParams: {} });
    expect(err.message).toBe(`Invalid webhook credentials: expected ${KEY_HINT}`);
  });
});

describe('WebhookAuthService.verify with signatures', () => {
  // Signatures are computed inside the tests (not while collecting them), so a fault in zohoSignedString fails tests.
  const auth = service([], ['secret-a', 'secret-b']);
  const params = { organization_id: '123', event: 'invoice.updated' };
  const body = '{"invoice":{"invoice_id":"130426000002924000123","total":12.50}}';
  const sig = () => hmac('secret-a', params, body);
  const hex = () => sig().toString('hex');
  const b64 = () => sig().toString('base64');
  const creds = (signature: string, rawBody: string | undefined = body): WebhookCredentials => ({
    signature,
    signedParams: params,
    rawBody: rawBody === undefined ? undefined : Buffer.from(rawBody),
  });

  it.each([
    ['lower-case hex', () => hex()],
    ['upper-case hex', () => hex().toUpperCase()],
    ['hex with a sha256= prefix', () => `sha256=${hex()}`],
    ['hex with an upper-case SHA256= prefix', () => `SHA256=${hex()}`],
    ['hex with surrounding spaces', () => `  ${hex()} `],
    ['base64', () => b64()],
    ['base64 without padding', () => b64().replace(/=$/, '')],
    ['base64url', () => sig().toString('base64url')],
  ])('accepts %s', (_label, signature) => {
    expect(auth.verify(creds(signature()))).toBe('signature');
  });

  it('accepts base64 signatures that contain + and / (and their url-safe forms)', () => {
    // Find a body whose signature has both characters, so both decodings are exercised.
    let i = 0;
    let s = hmac('secret-a', params, `${body}${i}`);
    while (!/[+].*[/]|[/].*[+]/.test(s.toString('base64'))) s = hmac('secret-a', params, `${body}${++i}`);
    expect(auth.verify(creds(s.toString('base64'), `${body}${i}`))).toBe('signature');
    expect(auth.verify(creds(s.toString('base64url'), `${body}${i}`))).toBe('signature');
  });

  it('accepts a signature made with any configured secret', () => {
    expect(auth.verify(creds(hmac('secret-b', params, body).toString('hex')))).toBe('signature');
  });

  it('signs the sorted query parameters followed by the raw body', () => {
    const manual = createHmac('sha256', 'secret-a').update(`event${params.event}organization_id123${body}`).digest('hex');
    expect(auth.verify(creds(manual))).toBe('signature');
    // a form body is not appended: its fields are in signedParams
    const formSig = hmac('secret-a', params).toString('hex');
    expect(auth.verify({ signature: formSig, signedParams: params })).toBe('signature');
  });

  it.each([
    ['a signature from an unknown secret', () => hmac('secret-c', params, body).toString('hex')],
    ['a signature over another body', () => hmac('secret-a', params, `${body} `).toString('hex')],
    ['a signature over other parameters', () => hmac('secret-a', { ...params, event: 'x' }, body).toString('hex')],
    ['hex one character short', () => hex().slice(1)],
    ['hex one character long', () => `${hex()}0`],
    ['hex with a non-hex character', () => `g${hex().slice(1)}`],
    ['hex behind another prefix', () => `sha1=${hex()}`],
    ['hex with the prefix not at the start', () => `x sha256=${hex()}`],
    ['hex with the prefix in the middle', () => `${hex().slice(0, 10)}sha256=${hex().slice(10)}`],
    ['hex with text after it', () => `${hex()} x`],
    ['base64 one character short', () => b64().slice(1)],
    ['base64 with a foreign character', () => `*${b64().slice(1)}`],
    ['base64 after a character that a base64 decoder skips', () => `.${b64()}`],
    ['base64 with text before it', () => `x${b64()}`],
    ['base64 with double padding', () => `${b64()}=`],
    ['an empty signature', () => ''],
  ])('rejects %s as invalid', (_label, signature) => {
    const err = rejection(auth, creds(signature()));
    expect(err.code).toBe(ErrorCode.WebhookAuthFailed);
    expect(err.message).toBe(`Invalid webhook credentials: expected ${SIGNATURE_HINT}`);
  });

  it('does not accept an API key when none is configured', () => {
    expect(rejection(auth, { apiKey: 'secret-a', signedParams: {} }).message).toBe(
      `Invalid webhook credentials: expected ${SIGNATURE_HINT}`,
    );
  });
});

describe('WebhookAuthService.verify with keys and secrets', () => {
  const auth = service(['the-key'], ['the-secret']);

  it('accepts either check, whichever passes', () => {
    const signature = hmac('the-secret', { a: '1' }).toString('hex');
    expect(auth.verify({ apiKey: 'the-key', signature: 'nonsense', signedParams: {} })).toBe('api_key');
    expect(auth.verify({ apiKey: 'wrong', signature, signedParams: { a: '1' } })).toBe('signature');
    expect(auth.verify({ signature, signedParams: { a: '1' } })).toBe('signature');
  });

  it('names both ways when rejecting', () => {
    const signature = hmac('the-secret', { a: '1' }).toString('hex');
    expect(rejection(auth, { signedParams: {} }).message).toBe(`Missing webhook credentials: expected ${KEY_HINT} or ${SIGNATURE_HINT}`);
    expect(rejection(auth, { signature: 'nonsense', signedParams: {} }).message).toBe(
      `Invalid webhook credentials: expected ${KEY_HINT} or ${SIGNATURE_HINT}`,
    );
    expect(rejection(auth, { apiKey: 'wrong', signature, signedParams: { a: '2' } }).message).toBe(
      `Invalid webhook credentials: expected ${KEY_HINT} or ${SIGNATURE_HINT}`,
    );
  });
});

describe('WebhookAuthService.verify with nothing configured', () => {
  it('is never open', () => {
    const auth = service([], []);
    expect(rejection(auth, { signedParams: {} }).message).toBe('Missing webhook credentials: expected ');
    expect(rejection(auth, { apiKey: '', signature: '', signedParams: {} }).message).toBe('Invalid webhook credentials: expected ');
  });
});
