import { plainToInstance } from 'class-transformer';
import { IsOptional, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors/domain-error';
import { IdParamPipe } from './id-param.pipe';
import { NoNul } from './no-nul.decorator';
import { NotBefore } from './not-before.decorator';
import { PageLimit } from './page-limit.decorator';
import { SingleQueryValuePipe } from './single-query-value.pipe';

class Probe {
  @IsOptional() @NoNul() q?: unknown;
  @IsOptional() from?: string;
  @IsOptional() @NotBefore('from') to?: string;
  @IsOptional() @PageLimit(200) limit?: unknown;
}

const messages = (plain: object) => validateSync(plainToInstance(Probe, plain)).flatMap((e) => Object.values(e.constraints ?? {}));

describe('shared validation', () => {
  it('NoNul refuses a string with a NUL anywhere, and leaves other values alone', () => {
    expect(messages({ q: 'a\u0000b' })).toEqual(['q must not contain a NUL character (\\u0000)']);
    expect(messages({ q: 'plain text' })).toEqual([]);
    expect(messages({ q: 42 })).toEqual([]);
  });

  it('NotBefore refuses a window ending before it starts; equal or one-sided windows pass', () => {
    expect(messages({ from: '2026-11-29T00:00:00Z', to: '2026-11-28T00:00:00Z' })).toEqual(['to must not be earlier than from']);
    expect(messages({ from: '2026-11-28T00:00:00Z', to: '2026-11-28T00:00:00Z' })).toEqual([]);
    expect(messages({ to: '2026-11-28T00:00:00Z' })).toEqual([]);
  });

  it.each(['1e1', '0x10', ' 5', '2.0', '-1', '0', '201', 1.5])('PageLimit refuses %j with one message', (limit) => {
    expect(messages({ limit })).toEqual(['limit must be an integer between 1 and 200']);
  });

  it('PageLimit takes digits and JSON integers', () => {
    expect(plainToInstance(Probe, { limit: '10' }).limit).toBe(10);
    expect(messages({ limit: '200' })).toEqual([]);
    expect(messages({ limit: 7 })).toEqual([]);
  });

  it('IdParamPipe: digits pass, anything else is INVALID_PARAMETER naming id', () => {
    const pipe = new IdParamPipe('an alert');
    expect(pipe.transform('42')).toBe('42');
    for (const id of ['abc', '1e3', '-1', '99999999999999999999']) {
      expect(() => pipe.transform(id)).toThrow(DomainError);
      expect(() => pipe.transform(id)).toThrow(/^Parameter "id" must be an alert id/);
    }
  });

  it('SingleQueryValuePipe refuses a repeated query parameter and ignores bodies', () => {
    const pipe = new SingleQueryValuePipe();
    expect(() => pipe.transform({ limit: ['1', '2'] }, { type: 'query' })).toThrow('Parameter "limit" is given more than once');
    expect(() => pipe.transform(['1', '2'], { type: 'query', data: 'limit' })).toThrow(/"limit" is given more than once/);
    expect(pipe.transform({ limit: '1' }, { type: 'query' })).toEqual({ limit: '1' });
    expect(pipe.transform({ ids: [1, 2] }, { type: 'body' })).toEqual({ ids: [1, 2] });
  });
});
