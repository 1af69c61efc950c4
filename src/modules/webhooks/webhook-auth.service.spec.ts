import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AppConfigService } from '../../config/app-config.service';
import { parseSentAt, repeatedParam, WebhookAuthService, zohoSignedString, type WebhookCredentials } from './webhook-auth.service';

const KEY_HINT = 'an X-Webhook-Key header (or ?token=) holding a configured key';
const SIGNATURE_HINT = 'an X-Zoho-Webhook-Signature header (HMAC-SHA256 of the sorted query parameters + raw body, hex or base64)';

function service(
  apiKeys: string[],
  signatureSecrets: string[],
  more: { extraSignedParams?: string[]; timestampParam?: string | null; replayWindowSeconds?: number } = {},
): WebhookAuthService {
  return new WebhookAuthService({
    webhooks: { apiKeys, signatureSecrets, extraSignedParams: [], timestampParam: null, replayWindowSeconds: 300, ...more },
  } as unknown as AppConfigService);
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
    expect(auth.verify({ apiKey: 'key-one', params: [] })).toBe('api_key');
    expect(auth.verify({ apiKey: 'key-two', params: [] })).toBe('api_key');
  });

  it('rejects a wrong key, a prefix of a key and an empty key as invalid', () => {
    for (const apiKey of ['key-three', 'key-on', 'key-one ', '']) {
      const err = rejection(auth, { apiKey, params: [] });
      expect(err.code).toBe(ErrorCode.WebhookAuthFailed);
      expect(err.message).toBe(`Invalid webhook credentials: expected ${KEY_HINT}`);
    }
  });

  it('says credentials are missing when none were presented', () => {
    expect(rejection(auth, { params: [] }).message).toBe(`Missing webhook credentials: expected ${KEY_HINT}`);
  });

  it('does not accept a signature when no secret is configured', () => {
    const err = rejection(auth, { signature: hmac('key-one', {}).toString('hex'), params: [] });
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
    params: Object.entries(params),
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
    expect(auth.verify({ signature: formSig, params: Object.entries(params) })).toBe('signature');
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
    expect(rejection(auth, { apiKey: 'secret-a', params: [] }).message).toBe(`Invalid webhook credentials: expected ${SIGNATURE_HINT}`);
  });
});

describe('WebhookAuthService.verify with keys and secrets', () => {
  const auth = service(['the-key'], ['the-secret']);

  it('accepts either check, whichever passes', () => {
    const signature = hmac('the-secret', { event: 'updated' }).toString('hex');
    expect(auth.verify({ apiKey: 'the-key', signature: 'nonsense', params: [] })).toBe('api_key');
    expect(auth.verify({ apiKey: 'wrong', signature, params: Object.entries({ event: 'updated' }) })).toBe('signature');
    expect(auth.verify({ signature, params: Object.entries({ event: 'updated' }) })).toBe('signature');
  });

  it('names both ways when rejecting', () => {
    const signature = hmac('the-secret', { a: '1' }).toString('hex');
    expect(rejection(auth, { params: [] }).message).toBe(`Missing webhook credentials: expected ${KEY_HINT} or ${SIGNATURE_HINT}`);
    expect(rejection(auth, { signature: 'nonsense', params: [] }).message).toBe(
      `Invalid webhook credentials: expected ${KEY_HINT} or ${SIGNATURE_HINT}`,
    );
    expect(rejection(auth, { apiKey: 'wrong', signature, params: Object.entries({ a: '2' }) }).message).toBe(
      `Invalid webhook credentials: expected ${KEY_HINT} or ${SIGNATURE_HINT}`,
    );
  });
});

describe('WebhookAuthService.verify with nothing configured', () => {
  it('is never open', () => {
    const auth = service([], []);
    expect(rejection(auth, { params: [] }).message).toBe('Missing webhook credentials: expected ');
    expect(rejection(auth, { apiKey: '', signature: '', params: [] }).message).toBe('Invalid webhook credentials: expected ');
  });
});

describe('signed parameters: one value per name, known names only, optional replay window', () => {
  const body = '{"contact":{"contact_id":"1"}}';
  const signed = (auth: WebhookAuthService, pairs: [string, string][], now?: number) => {
    const signature = hmac('s3cret', Object.fromEntries(pairs), body).toString('hex');
    const c: WebhookCredentials = { signature, params: pairs, rawBody: Buffer.from(body) };
    return now === undefined ? auth.verify(c) : auth.verify(c, now);
  };
  const refusal = (fn: () => unknown): DomainError => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe(ErrorCode.WebhookAuthFailed);
      return err as DomainError;
    }
    throw new Error('accepted');
  };

  it('accepts the names the service reads and the configured extra names', () => {
    const auth = service([], ['s3cret'], { extraSignedParams: ['source'] });
    expect(
      signed(auth, [
        ['event', 'deleted'],
        ['organization_id', '7'],
        ['source', 'books'],
        ['token', 'x'],
      ]),
    ).toBe('signature');
    expect(signed(auth, [['JSONString', body]])).toBe('signature');
  });

  it('refuses a repeated name even though the signature matches its folded value', () => {
    const auth = service([], ['s3cret']);
    const err = refusal(() =>
      signed(auth, [
        ['event', 'updated'],
        ['organization_id', '7'],
        ['event', 'deleted'],
      ]),
    );
    expect(err.message).toBe('Parameter "event" is given more than once (query or form): a signed request carries each name once');
    expect(err.details).toEqual({ field: 'event' });
  });

  it('refuses an unknown name (it could re-split the signed string) and names the setting', () => {
    const auth = service([], ['s3cret'], { extraSignedParams: ['source'] });
    const err = refusal(() => signed(auth, [['e', 'ventdeleted']]));
    expect(err.message).toBe(
      'Unknown parameter "e" on a signed webhook: list the names your Zoho webhook adds in ZOHO_WEBHOOK_EXTRA_PARAMS',
    );
    expect(err.details).toEqual({ field: 'e' });
  });

  it('with a timestamp parameter: required, parseable, and within the window on both sides', () => {
    const auth = service([], ['s3cret'], { timestampParam: 'ts', replayWindowSeconds: 60 });
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(signed(auth, [['ts', String(now / 1000 - 60)]], now)).toBe('signature');
    expect(signed(auth, [['ts', String(now + 60_000)]], now)).toBe('signature');
    expect(refusal(() => signed(auth, [['ts', String(now / 1000 - 61)]], now)).message).toBe(
      '"ts" is outside the replay window of 60 s (ZOHO_WEBHOOK_REPLAY_WINDOW_S): refused as a possible replay',
    );
    expect(refusal(() => signed(auth, [['ts', String(now / 1000 + 61)]], now)).message).toMatch(/outside the replay window/);
    const missing = refusal(() => signed(auth, [['event', 'updated']], now));
    expect(missing.message).toBe('Signed webhooks must carry the time they were sent in "ts" (ZOHO_WEBHOOK_TIMESTAMP_PARAM)');
    expect(missing.details).toEqual({ field: 'ts' });
    expect(refusal(() => signed(auth, [['ts', 'soon']], now)).message).toMatch(/must carry the time/);
    // A key-authenticated request is not held to the window (its parameters are not signed).
    const keyed = service(['k'], ['s3cret'], { timestampParam: 'ts' });
    expect(keyed.verify({ apiKey: 'k', params: [['zz', '1']] }, now)).toBe('api_key');
  });

  it('parseSentAt reads Unix seconds, milliseconds and ISO 8601 (with or without a colon in the offset)', () => {
    expect(parseSentAt('1796119200')).toBe(1796119200000);
    expect(parseSentAt(' 1796119200123 ')).toBe(1796119200123);
    expect(parseSentAt('2026-12-01T10:00:00Z')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    expect(parseSentAt('2026-12-01T13:00:00+0300')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    expect(parseSentAt('2026-12-01T13:00:00+03:00')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    for (const bad of ['', 'now', '12345678', '123456789012345', '2026-12-01']) expect(parseSentAt(bad)).toBeNaN();
  });

  it('refuses a stale or future timestamp with the parameter in the details, for every accepted format', () => {
    const auth = service([], ['s3cret'], { timestampParam: 'sent_at', replayWindowSeconds: 300 });
    const now = Date.parse('2026-12-01T10:00:00Z');
    const stale = refusal(() => signed(auth, [['sent_at', String(now - 300_001)]], now));
    expect(stale.message).toBe(
      '"sent_at" is outside the replay window of 300 s (ZOHO_WEBHOOK_REPLAY_WINDOW_S): refused as a possible replay',
    );
    expect(stale.details).toEqual({ field: 'sent_at' });
    expect(refusal(() => signed(auth, [['sent_at', String(now + 300_001)]], now)).details).toEqual({ field: 'sent_at' });
    expect(signed(auth, [['sent_at', String(now - 300_000)]], now)).toBe('signature');
    expect(
      signed(
        auth,
        [
          ['sent_at', '2026-12-01T15:35:00+0530'],
          ['event', 'updated'],
        ],
        now,
      ),
    ).toBe('signature');
    expect(
      signed(
        auth,
        [
          ['event', 'updated'],
          ['organization_id', '7'],
          ['sent_at', String(now / 1000)],
        ],
        now,
      ),
    ).toBe('signature');
    expect(signed(auth, [['sent_at', '2026-12-01T09:55:00Z']], now)).toBe('signature');
    expect(refusal(() => signed(auth, [['sent_at', '2026-12-01T09:54:59Z']], now)).details).toEqual({ field: 'sent_at' });
    const unparsed = refusal(() => signed(auth, [['sent_at', '2026-12-01 10:00:00Z']], now));
    expect(unparsed.message).toBe('Signed webhooks must carry the time they were sent in "sent_at" (ZOHO_WEBHOOK_TIMESTAMP_PARAM)');
    expect(unparsed.details).toEqual({ field: 'sent_at' });
  });

  it('allows the timestamp name only when it is configured', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    const without = service([], ['s3cret']);
    const err = refusal(() => signed(without, [['ts', String(now / 1000)]], now));
    expect(err.message).toBe(
      'Unknown parameter "ts" on a signed webhook: list the names your Zoho webhook adds in ZOHO_WEBHOOK_EXTRA_PARAMS',
    );
    expect(signed(without, [['event', 'updated']], now)).toBe('signature');
  });

  it('checks repeats before unknown names, and both before the timestamp', () => {
    const auth = service([], ['s3cret'], { timestampParam: 'ts', replayWindowSeconds: 60 });
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(
      refusal(() =>
        signed(
          auth,
          [
            ['x', '1'],
            ['x', '2'],
          ],
          now,
        ),
      ).details,
    ).toEqual({ field: 'x' });
    expect(
      refusal(() =>
        signed(
          auth,
          [
            ['x', '1'],
            ['ts', '0'],
          ],
          now,
        ),
      ).details,
    ).toEqual({ field: 'x' });
    expect(
      refusal(() =>
        signed(
          auth,
          [
            ['ts', '1000000000'],
            ['event', 'updated'],
          ],
          now,
        ),
      ).message,
    ).toMatch(/^"ts" is outside/);
  });

  it('parseSentAt: the digit counts that make seconds and milliseconds, at their bounds', () => {
    expect(parseSentAt('123456789')).toBe(123456789000);
    expect(parseSentAt('12345678901')).toBe(12345678901000);
    expect(parseSentAt('123456789012')).toBe(123456789012);
    expect(parseSentAt('12345678901234')).toBe(12345678901234);
    expect(parseSentAt('\t1796119200\n')).toBe(1796119200000);
    for (const bad of ['+1796119200', '-1796119200', '1796119200.5', '1796119200s', 'x1796119200123', '1796119200123x', ' 17961 19200 ']) {
      expect(parseSentAt(bad)).toBeNaN();
    }
  });

  it('parseSentAt: ISO 8601 needs the date and a T, and reads any offset', () => {
    expect(parseSentAt('2026-12-01T10:00:00.123Z')).toBe(Date.parse('2026-12-01T10:00:00Z') + 123);
    expect(parseSentAt('2026-12-01T07:00:00-0300')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    expect(parseSentAt(' 2026-12-01T15:30:00+05:30 ')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    // Date.parse reads the first three as they stand (an expanded year, a space or a lower-case t before the time);
    // the last two would pass only if the offset rewrite (±hhmm → ±hh:mm) touched anything but a trailing offset.
    for (const bad of [
      '+002026-12-01T10:00:00Z',
      '2026-12-01 10:00:00Z',
      '2026-12-01t10:00:00Z',
      '2026-12-01T1000',
      '2026-12-01T10:0018',
    ]) {
      expect(parseSentAt(bad)).toBeNaN();
    }
    for (const bad of ['x2026-12-01T10:00:00Z', '12026-12-01T10:00:00Z', '2026-12-1T10:00:00Z']) {
      expect(parseSentAt(bad)).toBeNaN();
    }
  });

  it('repeatedParam finds the first name given twice', () => {
    expect(repeatedParam([])).toBeUndefined();
    expect(
      repeatedParam([
        ['a', '1'],
        ['b', '2'],
      ]),
    ).toBeUndefined();
    expect(
      repeatedParam([
        ['a', '1'],
        ['b', '2'],
        ['b', '3'],
        ['a', '4'],
      ]),
    ).toBe('b');
    expect(
      repeatedParam([
        ['a', '1'],
        ['a', '1'],
      ]),
    ).toBe('a');
    expect(
      repeatedParam([
        ['', '1'],
        ['', '2'],
      ]),
    ).toBe('');
    expect(
      repeatedParam([
        ['a', 'b'],
        ['b', 'a'],
      ]),
    ).toBeUndefined();
  });
});
