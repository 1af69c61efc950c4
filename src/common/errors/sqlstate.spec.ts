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
  it.each([
    ['22P02', 'invalid text representation'],
    ['22003', 'numeric value out of range'],
    ['23505', 'unique violation'],
    ['23502', 'not-null violation'],
    ['21000', 'cardinality violation (ON CONFLICT DO UPDATE affecting a row twice)'],
    ['27000', 'triggered data change violation'],
    ['44000', 'WITH CHECK OPTION violation'],
    ['54000', 'program limit exceeded (index row size)'],
    ['54001', 'statement too complex'],
    ['54011', 'too many columns'],
    ['54023', 'too many arguments'],
  ])('%s (%s): the data itself was refused', (code) => {
    expect(isDataRejected({ code })).toBe(true);
  });
  it.each([
    // passing conditions: connection, rollback, resources, lock timeout / object in use, operator intervention, system
    '08006',
    '40001',
    '40P01',
    '53100',
    '53200',
    '53300',
    '55P03',
    '55006',
    '55000',
    '57014',
    '57P01',
    '58030',
    // the same for every event (statement, schema, privilege, server): retried until a fix is deployed
    '25P02',
    '42P01',
    '42501',
    '0A000',
    'XX000',
    '26000',
    'P0001',
    // not SQLSTATEs
    '2',
    '22',
    '220030',
    'X22',
    'X21000',
    '',
    'ECONNRESET',
  ])('%j: not a data error', (code) => {
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
    'Query read timeout',
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
