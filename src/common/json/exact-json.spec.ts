import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJsonExact } from './exact-json';

describe('parseJsonExact', () => {
  it('turns every number into its exact digits and leaves strings alone', () => {
    expect(parseJsonExact('{"id":130426000002924000123,"r":12.50,"e":-1.5e-3,"s":"12","n":null,"b":true,"a":[0,1]}')).toEqual({
      id: '130426000002924000123',
      r: '12.50',
      e: '-1.5e-3',
      s: '12',
      n: null,
      b: true,
      a: ['0', '1'],
    });
  });

  it('does not touch digits inside strings, including escaped quotes', () => {
    expect(parseJsonExact('{"a":"x\\"1 2\\" 3","b":"\\\\","c":4}')).toEqual({ a: 'x"1 2" 3', b: '\\', c: '4' });
  });

  it.each(['{"a":01}', '{"a":1.}', '{"a":-}', '{"a":1 2}', '{"a":+1}', '{"a":.5}', '[1,]', '{"a":1,}', '', '{', 'tru'])(
    'rejects %j like JSON.parse would',
    (text) => {
      expect(() => parseJsonExact(text)).toThrow(JsonSyntaxError);
    },
  );

  it('reports positions of the original text', () => {
    expect(() => parseJsonExact('{"a": 1, "b": tru}')).toThrow(/position|Unexpected/);
  });

  it('limits nesting', () => {
    expect(() => parseJsonExact('['.repeat(65) + ']'.repeat(65))).toThrow(/nesting deeper than 64/);
    expect(parseJsonExact('['.repeat(64) + ']'.repeat(64))).toBeTruthy();
  });

  it('last duplicate key wins, as in PostgreSQL jsonb', () => {
    expect(parseJsonExact('{"a":1,"a":2}')).toEqual({ a: '2' });
  });
});
