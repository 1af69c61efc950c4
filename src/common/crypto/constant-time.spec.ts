import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, digestsEqual, hmacSha256 } from './constant-time';

describe('constant-time helpers', () => {
  it('compares strings of any length', () => {
    expect(constantTimeEqual('secret', 'secret')).toBe(true);
    expect(constantTimeEqual('secret', 'secreT')).toBe(false);
    expect(constantTimeEqual('secret', 'secret-longer')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('computes HMAC-SHA256 and compares digests', () => {
    const expected = createHmac('sha256', 's').update('body').digest();
    expect(hmacSha256('s', 'body').equals(expected)).toBe(true);
    expect(hmacSha256('s', Buffer.from('body')).equals(expected)).toBe(true);
    expect(digestsEqual(hmacSha256('s', 'body'), expected)).toBe(true);
    expect(digestsEqual(hmacSha256('t', 'body'), expected)).toBe(false);
    expect(digestsEqual(expected.subarray(0, 16), expected)).toBe(false);
  });
});
