import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageOf } from './cursor';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string; details?: { field?: string } }).details?.field;
  }
  return 'none';
};

describe('keyset cursors', () => {
  it('round-trip and stay opaque', () => {
    const c = encodeCursor('e', '1842');
    expect(c).not.toContain('1842');
    expect(decodeCursor('e', c)).toBe('1842');
    expect(decodeCursor('e', undefined)).toBeUndefined();
  });

  it('a cursor of another list, edited or beyond bigint is a 400 naming cursor', () => {
    expect(codeOf(() => decodeCursor('a', encodeCursor('e', '5')))).toBe('cursor');
    expect(codeOf(() => decodeCursor('e', 'not base64!'))).toBe('cursor');
    expect(codeOf(() => decodeCursor('e', Buffer.from('e:-1').toString('base64url')))).toBe('cursor');
    expect(codeOf(() => decodeCursor('e', Buffer.from('e:9223372036854775808').toString('base64url')))).toBe('cursor');
    expect(codeOf(() => decodeCursor('e', encodeCursor('e', '9223372036854775807')))).toBe('none');
  });

  it('pageOf: a next cursor only when one more row than the limit came back', () => {
    const rows = [{ id: '9' }, { id: '8' }, { id: '7' }];
    expect(pageOf('e', rows, 3)).toEqual({ items: rows, nextCursor: null });
    const page = pageOf('e', rows, 2);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(decodeCursor('e', page.nextCursor!)).toBe('8');
  });
});
