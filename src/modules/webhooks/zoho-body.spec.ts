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
