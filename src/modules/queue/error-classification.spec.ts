import { describe, expect, it } from 'vitest';
import { classifyError } from './error-classification';

const pgError = (code: string, message = `pg ${code}`) => Object.assign(new Error(message), { code });

describe('classifyError', () => {
  it.each([
    ['22P02', 'invalid input syntax for type numeric'],
    ['22003', 'numeric field overflow'],
    ['23505', 'duplicate key value violates unique constraint'],
    ['23502', 'null value in column violates not-null constraint'],
    ['21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time'],
    ['54000', 'index row size 4016 exceeds btree version 4 maximum 2704 for index "products_sku_idx"'],
    ['54001', 'stack depth limit exceeded'],
    ['27000', 'tuple to be updated was already modified by an operation triggered by the current command'],
    ['44000', 'new row violates check option for view'],
  ])('a refused datum (%s) is permanent', (code, message) => {
    expect(classifyError(pgError(code, message))).toEqual({ kind: 'permanent', code, message });
  });

  it.each(['08006', '08000', '53100', '53200', '53300', '57P01', '57P03', '40001', '40P01', '25006', '57014', 'ECONNREFUSED'])(
    'an unavailable database (%s) is transient',
    (code) => {
      expect(classifyError(pgError(code))).toEqual({ kind: 'transient', code, message: `pg ${code}` });
    },
  );

  // 55P03 lock timeout, 55006 object in use, 58xxx system errors pass; 42xxx, 0A000, XX000, 26000 (a prepared
  // statement gone) are the same for every event: retried until a deploy, a migration or a grant fixes them.
  it.each([
    '55P03',
    '55006',
    '58000',
    '58030',
    '42P01',
    '42501',
    '24000',
    '26000',
    '2',
    'X22',
    'X21000',
    '0A000',
    'XX000',
    'P0001',
    '32000',
  ])('any other code (%s) is transient', (code) => {
    expect(classifyError(pgError(code))).toEqual({ kind: 'transient', code, message: `pg ${code}` });
  });

  it('a connection lost mid-query is transient even when its code would say permanent', () => {
    expect(classifyError(pgError('23505', 'Connection terminated unexpectedly'))).toEqual({
      kind: 'transient',
      code: '23505',
      message: 'Connection terminated unexpectedly',
    });
  });

  it('errors without a string code get the code ERROR', () => {
    expect(classifyError(new TypeError('x is undefined'))).toEqual({ kind: 'transient', code: 'ERROR', message: 'x is undefined' });
    expect(classifyError(Object.assign(new Error('numeric code'), { code: 23505 }))).toEqual({
      kind: 'transient',
      code: 'ERROR',
      message: 'numeric code',
    });
  });

  it('non-Error values are described by their string form', () => {
    expect(classifyError('boom')).toEqual({ kind: 'transient', code: 'ERROR', message: 'boom' });
    expect(classifyError(undefined)).toEqual({ kind: 'transient', code: 'ERROR', message: 'undefined' });
    expect(classifyError(null)).toEqual({ kind: 'transient', code: 'ERROR', message: 'null' });
    expect(classifyError({ code: '23505' })).toEqual({ kind: 'permanent', code: '23505', message: '[object Object]' });
  });
});
