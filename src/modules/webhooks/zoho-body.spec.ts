import { describe, expect, it } from 'vitest';
import { parseZohoBody } from './zoho-body';

describe('parseZohoBody', () => {
  it('refuses invalid UTF-8 before any parse; tolerates a BOM; keeps numbers exact', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
    expect(() => parseZohoBody(bytes, 'json')).toThrow('The body is not valid UTF-8');
    expect(parseZohoBody(Buffer.from('\ufeff{"a":"ü","id":130426000002924000123}'), 'json').document).toEqual({
      a: 'ü',
      id: '130426000002924000123',
    });
  });
});

describe("parseZohoBody(…, 'native')", () => {
  const texts = [
    '{"contact":{"contact_id":"460000000026049","last_modified_time":"2026-11-30T10:00:00+0300"}}',
    '{"contact":{"contact_id":130426000002924000123}}',
    '{"a":[1,2.50,-0,1e5],"b":{"c":null,"d":true}}',
    '\ufeff{"a":"ü"}',
    '{"a":01}',
    '{"a":1,}',
    '{"a":"x"} trailing',
    '{"a":-}',
    '',
    '   ',
    `{"deep":${'['.repeat(64)}${']'.repeat(64)}}`,
    `{"deep":${'['.repeat(70)}${']'.repeat(70)}}`,
    `{"s":"${'['.repeat(100)}"}`,
  ];
  const outcome = (text: string, numbers: 'exact' | 'native') => {
    try {
      return { doc: parseZohoBody(Buffer.from(text), 'json', numbers).document };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  it.each(texts.map((t) => [t.slice(0, 60), t]))('accepts and refuses as the exact parse does: %s', (_label, text) => {
    const exact = outcome(text, 'exact');
    const native = outcome(text, 'native');
    if ('error' in exact) expect(native).toEqual(exact);
    else {
      expect(native).not.toHaveProperty('error');
      expect(native.doc).toEqual(JSON.parse(text.replace(/^\ufeff/, '')));
    }
  });

  it('refuses nesting deeper than the limit even when the native parse would take it', () => {
    expect(outcome(`{"deep":${'['.repeat(70)}${']'.repeat(70)}}`, 'native')).toEqual({
      error: expect.stringContaining('nesting deeper than 64 levels'),
    });
  });
});
