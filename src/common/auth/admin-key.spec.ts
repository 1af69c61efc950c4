import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/error-codes';
import { authenticateAdmin, parseAdminKeys, presentedAdminKey } from './admin-key';

const keys = parseAdminKeys(['ops:old-key', 'ops:new-key', 'bare']);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'none';
};

describe('admin keys', () => {
  it('reads the key from Authorization: Bearer, X-API-Key or X-Admin-Key', () => {
    expect(presentedAdminKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedAdminKey({ authorization: 'bearer  abc ' })).toBe('abc');
    expect(presentedAdminKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedAdminKey({ 'x-api-key': 'k' })).toBe('k');
    expect(presentedAdminKey({ 'x-admin-key': 'a', 'x-api-key': 'k' })).toBe('a');
    expect(presentedAdminKey({})).toBeUndefined();
  });

  it('names the key that matched; every rotated key works', () => {
    expect(authenticateAdmin(keys, { 'x-admin-key': 'old-key' })).toBe('ops');
    expect(authenticateAdmin(keys, { authorization: 'Bearer new-key' })).toBe('ops');
    expect(authenticateAdmin(keys, { 'x-api-key': 'bare' })).toBe('key-3');
  });

  it('401 without a key, 403 with a wrong one, 403 when no key is configured', () => {
    expect(codeOf(() => authenticateAdmin(keys, {}))).toBe(ErrorCode.AdminKeyRequired);
    expect(codeOf(() => authenticateAdmin(keys, { 'x-admin-key': '' }))).toBe(ErrorCode.AdminKeyRequired);
    expect(codeOf(() => authenticateAdmin(keys, { 'x-admin-key': 'old-keyx' }))).toBe(ErrorCode.AdminAuthFailed);
    expect(codeOf(() => authenticateAdmin(keys, { 'x-admin-key': 'ops:old-key' }))).toBe(ErrorCode.AdminAuthFailed);
    expect(codeOf(() => authenticateAdmin([], { 'x-admin-key': 'old-key' }))).toBe(ErrorCode.AdminDisabled);
  });
});
