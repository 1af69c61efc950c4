import { describe, expect, it } from 'vitest';
import { isPlainObject, JsonSyntaxError, nestingTooDeepAt, parseJsonExact, uniqueKeyNumberToken } from './exact-json';

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

describe('parseJsonExact: number tokens', () => {
  it.each([
    ['9', '9'],
    ['-0', '-0'],
    ['1e5', '1e5'],
    ['1E5', '1E5'],
    ['1e+5', '1e+5'],
    ['2.5E-10', '2.5E-10'],
    ['1e10', '1e10'],
    ['0.000', '0.000'],
    ['12345678901234567890.123456789012345678901', '12345678901234567890.123456789012345678901'],
  ])('keeps %s as the string %j', (token, digits) => {
    expect(parseJsonExact(`{"v":${token}}`)).toEqual({ v: digits });
    expect(parseJsonExact(`[${token}]`)).toEqual([digits]);
    expect(parseJsonExact(token)).toBe(digits);
  });

  it('quotes numbers next to every kind of delimiter, and keeps text without numbers as it is', () => {
    expect(parseJsonExact(' [ 1 ,\n2\t,{"a":-3},[4]] ')).toEqual(['1', '2', { a: '-3' }, ['4']]);
    expect(parseJsonExact('{"a":"b","c":[true,false,null]}')).toEqual({ a: 'b', c: [true, false, null] });
    expect(parseJsonExact('"only a string"')).toBe('only a string');
  });

  it('reports an invalid number with the message JSON.parse gives for the original text', () => {
    let expected = '';
    try {
      JSON.parse('{"a":01}');
    } catch (err) {
      expected = (err as Error).message;
    }
    expect(expected).not.toBe('');
    expect(() => parseJsonExact('{"a":01}')).toThrow(expected);
  });

  it('raises a JsonSyntaxError (by name) carrying the JSON.parse message for other syntax errors', () => {
    const err = (() => {
      try {
        parseJsonExact('{"a": 1, "b": tru}');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(JsonSyntaxError);
    expect(err?.name).toBe('JsonSyntaxError');
    expect(err?.message).toMatch(/JSON/);
  });
});

describe('parseJsonExact: strings', () => {
  it('skips strings that end in an even run of backslashes, and digits after them are numbers again', () => {
    expect(parseJsonExact('["\\\\",1]')).toEqual(['\\', '1']);
    expect(parseJsonExact('["\\\\\\\\",1]')).toEqual(['\\\\', '1']);
    expect(parseJsonExact('["a\\\\\\"b",2]')).toEqual(['a\\"b', '2']);
  });

  it('treats brackets and digits inside strings as text', () => {
    expect(parseJsonExact(`{"k":"${'['.repeat(100)}123"}`)).toEqual({ k: `${'['.repeat(100)}123` });
  });

  it('reports an unterminated string as a syntax error (and does not loop)', () => {
    expect(() => parseJsonExact('{"a":"never closed')).toThrow(JsonSyntaxError);
    expect(() => parseJsonExact('"')).toThrow(JsonSyntaxError);
  });

  it('an empty string at the very start does not end the scan', () => {
    expect(() => parseJsonExact(`""${'['.repeat(65)}`)).toThrow('nesting deeper than 64 levels at position 66');
  });
});

describe('parseJsonExact: nesting limit', () => {
  it('counts objects as well as arrays, and names the position', () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    expect(() => parseJsonExact(deep(65))).toThrow('nesting deeper than 64 levels at position 320');
    expect(() => parseJsonExact('['.repeat(33) + '{"a":'.repeat(32))).toThrow('nesting deeper than 64 levels at position');
    expect(JSON.stringify(parseJsonExact(deep(64)))).toBe('{"a":'.repeat(64) + '"1"' + '}'.repeat(64));
  });

  it('counts depth, not brackets: closing arrays and objects lowers it', () => {
    const siblings = (open: string, close: string) => `[${`${open}${close},`.repeat(100)}${open}${close}]`;
    expect(parseJsonExact(siblings('[', ']'))).toHaveLength(101);
    expect(parseJsonExact(siblings('{', '}'))).toHaveLength(101);
    expect(parseJsonExact(`[${'[[]],'.repeat(50)}[]]`)).toHaveLength(51);
  });

  it('takes the limit as a parameter', () => {
    expect(() => parseJsonExact('[[1]]', 1)).toThrow('nesting deeper than 1 levels at position 1');
    expect(parseJsonExact('[[1]]', 2)).toEqual([['1']]);
  });
});

describe('nestingTooDeepAt', () => {
  it('names the bracket that opens one level too many, as parseJsonExact does', () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    expect(nestingTooDeepAt(deep(65), 64)).toBe(320);
    expect(nestingTooDeepAt(deep(64), 64)).toBeUndefined();
    expect(nestingTooDeepAt('['.repeat(100_000), 64)).toBe(64);
  });

  it('counts depth, not brackets, and skips brackets inside strings (escaped quotes included)', () => {
    expect(nestingTooDeepAt(`[${'[],'.repeat(1000)}[]]`, 2)).toBeUndefined();
    expect(nestingTooDeepAt(`{"a":"${'['.repeat(200)}","b":"\\"[[[["}`, 1)).toBeUndefined();
    expect(nestingTooDeepAt('["\\\\",[[1]]]', 2)).toBe(7);
  });
});

describe('isPlainObject', () => {
  it('is true for objects, including parsed ones and those without a prototype', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(parseJsonExact('{"a":1}'))).toBe(true);
  });

  it('is false for arrays, null and every other JSON value', () => {
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(parseJsonExact('[{"a":1}]'))).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(undefined)).toBe(false);
    expect(isPlainObject('{}')).toBe(false);
    expect(isPlainObject('')).toBe(false);
    expect(isPlainObject('12')).toBe(false);
    expect(isPlainObject(12)).toBe(false);
    expect(isPlainObject(true)).toBe(false);
  });
});

describe('uniqueKeyNumberToken', () => {
  const big = '130426000002924000123';
  it('reads the exact digits of a key written once, whatever the spacing', () => {
    expect(uniqueKeyNumberToken(`{"contact":{"contact_id":${big},"x":"y"}}`, 'contact_id')).toBe(big);
    expect(uniqueKeyNumberToken(`{"contact":{"contact_id" :\n\t ${big}}}`, 'contact_id')).toBe(big);
    expect(uniqueKeyNumberToken(`{"contact":{"contact_id"\r\n:\r\n${big}\r\n}}`, 'contact_id')).toBe(big);
    expect(uniqueKeyNumberToken('{"a":{"rate":-1.50e+3}}', 'rate')).toBe('-1.50e+3');
  });

  it('answers undefined whenever the text alone cannot prove which token the native parse read', () => {
    // written twice (a duplicate key, or the same name nested in a line): parse exactly instead
    expect(uniqueKeyNumberToken(`{"c":{"contact_id":1,"contact_id":${big}}}`, 'contact_id')).toBeUndefined();
    expect(uniqueKeyNumberToken(`{"c":{"persons":[{"contact_id":2}],"contact_id":${big}}}`, 'contact_id')).toBeUndefined();
    // a \\u escape could spell the same key another way (the last one wins in JSON.parse)
    expect(uniqueKeyNumberToken(`{"c":{"contact_id":${big},"contact\\u005fid":${big}9}}`, 'contact_id')).toBeUndefined();
    expect(uniqueKeyNumberToken(`{"c":{"name":"\\u0041","contact_id":${big}}}`, 'contact_id')).toBeUndefined();
    // not a number, or no such key
    expect(uniqueKeyNumberToken('{"c":{"contact_id":"12"}}', 'contact_id')).toBeUndefined();
    expect(uniqueKeyNumberToken('{"c":{"id":12}}', 'contact_id')).toBeUndefined();
    // a key name with characters that need escaping is never looked up
    expect(uniqueKeyNumberToken('{"a\\"b":1}', 'a"b')).toBeUndefined();
    // keys that another escape could spell differently: "a\/b" is "a/b"; "a\bc" would be a backspace, not a\bc
    expect(uniqueKeyNumberToken('{"a/b":1,"a\\/b":2}', 'a/b')).toBeUndefined();
    expect(uniqueKeyNumberToken('{"a\\bc":1}', 'a\\bc')).toBeUndefined();
  });

  it('is not fooled by the key name inside strings: as a value, or after an escaped quote in another key', () => {
    expect(uniqueKeyNumberToken(`{"note":"contact_id","c":{"contact_id":${big}}}`, 'contact_id')).toBe(big);
    expect(uniqueKeyNumberToken(`{"note":"see \\"contact_id\\": 5","c":{"contact_id":${big}}}`, 'contact_id')).toBe(big);
    expect(uniqueKeyNumberToken(`{"a\\"contact_id":5,"c":{"contact_id":${big}}}`, 'contact_id')).toBe(big);
    // the same document parsed exactly agrees
    const text = `{"note":"see \\"contact_id\\": 5","a\\"contact_id":5,"c":{"contact_id":${big}}}`;
    expect((parseJsonExact(text) as { c: { contact_id: string } }).c.contact_id).toBe(uniqueKeyNumberToken(text, 'contact_id'));
  });
});
