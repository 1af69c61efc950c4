import { describe, expect, it } from 'vitest';
import { isDataRejected, isDatabaseUnavailable, sqlStateOf } from './sqlstate';

describe('sqlStateOf', () => {
  it('reads a string code, else gives an empty string', () => {
    expect(sqlStateOf(Object.assign(new Error('x'), { code: '23505' }))).toBe('23505');
    expect(sqlStateOf({ code: 42 })).toBe('');
    expect(sqlStateOf(new Error('x'))).toBe('');
    expect(sqlStateOf(undefined)).toBe('');
    expect(sqlStateOf(null)).toBe('');
  });
});

describe('isDataRejected', () => {
  it.each(['22P02', '22003', '23505', '23502'])('%s: the data itself was refused', (code) => {
    expect(isDataRejected({ code })).toBe(true);
  });
  it.each(['40001', '08006', '42P01', '2', 'X22', ''])('%s: not a data error', (code) => {
    expect(isDataRejected({ code })).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    'EHOSTUNREACH',
    'EAI_AGAIN',
    '08000',
    '08006',
    '08P01',
    '53000',
    '53300',
    '57P01',
    '57P02',
    '57P03',
    '40001',
    '40P01',
    '25006',
    '57014',
  ])('%s means unavailable', (code) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(true);
  });

  it.each(['', '22P02', '23505', '42P01', '40002', '25001', '57000', '57P1', '5', 'X08006', 'X53300', 'X57P01', 'EACCES'])(
    '%j does not',
    (code) => {
      expect(isDatabaseUnavailable(withCode(code))).toBe(false);
    },
  );

  it.each([
    'Connection terminated unexpectedly',
    'connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
    'Connection ended',
    'Client was closed and is not queryable',
  ])('the driver message %j means unavailable', (message) => {
    expect(isDatabaseUnavailable(new Error(message))).toBe(true);
  });

  it('other messages, and errors without code or message, do not', () => {
    expect(isDatabaseUnavailable(new Error('relation "x" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable({})).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
