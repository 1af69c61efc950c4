import { describe, expect, it } from 'vitest';
import { addDecimal, bool, date, decimal, FieldError, integer, subtractDecimal, text } from './zoho-values';

describe('zoho value coercion', () => {
  it('decimal keeps exact digits and accepts numeric strings, thousands separators and blanks', () => {
    expect(decimal({ a: '12345678901234.5678' }, 'a')).toBe('12345678901234.5678');
    expect(decimal({ a: '1,234.50' }, 'a')).toBe('1234.50');
    expect(decimal({ a: '' }, 'a')).toBeNull();
    expect(decimal({}, 'a')).toBeNull();
    expect(decimal({ a: '-3' }, 'a')).toBe('-3');
    expect(() => decimal({ a: 'abc' }, 'a')).toThrow(FieldError);
    expect(() => decimal({ a: '1e400000' }, 'a')).toThrow(/out of range/);
    expect(() => decimal({ a: { x: 1 } }, 'a')).toThrow(/expected a number/);
  });

  it('decimal rejects values with more than 38 integer digits (e.g. "1e400") instead of storing hundreds of digits', () => {
    expect(() => decimal({ a: '1e400' }, 'a')).toThrow(FieldError);
    expect(() => decimal({ a: '1e400' }, 'a')).toThrow(/^a: "1e400" is out of range \(more than 38 integer digits\)$/);
    expect(() => decimal({ a: '-1e39' }, 'a')).toThrow(/out of range/);
    expect(() => decimal({ a: '1'.repeat(39) }, 'a')).toThrow(/out of range/);
    expect(() => decimal({ a: `${'9'.repeat(39)}.5` }, 'a')).toThrow(/out of range/);
    expect(() => decimal({ a: '1e99999999999999999999999' }, 'a')).toThrow(/out of range/);
    expect(() => integer({ a: '1e400' }, 'a')).toThrow(/out of range/);
    // the bound itself, and leading zeros that do not count
    expect(decimal({ a: '1e37' }, 'a')).toBe(`1${'0'.repeat(37)}`);
    expect(decimal({ a: '9'.repeat(38) }, 'a')).toBe('9'.repeat(38));
    expect(decimal({ a: `000${'9'.repeat(38)}.25` }, 'a')).toBe(`000${'9'.repeat(38)}.25`);
  });

  it('decimal rejects absurd scales (e.g. "1e-400") rather than rounding them, and expands exponents exactly', () => {
    expect(() => decimal({ a: '1e-400' }, 'a')).toThrow(FieldError);
    expect(() => decimal({ a: '1e-400' }, 'a')).toThrow(/^a: "1e-400" is out of range \(more than 38 decimal places\)$/);
    expect(() => decimal({ a: '1e-39' }, 'a')).toThrow(/more than 38 decimal places/);
    expect(() => decimal({ a: `0.${'0'.repeat(38)}1` }, 'a')).toThrow(/more than 38 decimal places/);
    expect(() => decimal({ a: '2.5e-99999999999999999999' }, 'a')).toThrow(/out of range/);
    expect(decimal({ a: '1e-38' }, 'a')).toBe(`0.${'0'.repeat(37)}1`);
    expect(decimal({ a: `1.${'0'.repeat(45)}` }, 'a')).toBe('1'); // only trailing zeros beyond the bound: same value
    expect(decimal({ a: '1.5e-7' }, 'a')).toBe('0.00000015');
    expect(decimal({ a: '-1.25E3' }, 'a')).toBe('-1250');
    expect(decimal({ a: '12.5e1' }, 'a')).toBe('125');
    expect(decimal({ a: '+0.0125e2' }, 'a')).toBe('1.25');
    expect(decimal({ a: '0e-400' }, 'a')).toBe('0');
    expect(decimal({ a: '1e5' }, 'a')).toBe('100000');
  });

  it('decimal accepts commas only as thousands separators in a proper (Western or Indian) grouping', () => {
    expect(decimal({ a: '1,234' }, 'a')).toBe('1234');
    expect(decimal({ a: '12,345,678.90' }, 'a')).toBe('12345678.90');
    expect(decimal({ a: '-1,000.5' }, 'a')).toBe('-1000.5');
    expect(decimal({ a: ' 999,999,999 ' }, 'a')).toBe('999999999');
    // Indian lakh/crore grouping (Zoho India)
    expect(decimal({ a: '12,34,567' }, 'a')).toBe('1234567');
    expect(decimal({ a: '1,00,00,000.00' }, 'a')).toBe('10000000.00');
    for (const bad of ['1,5', '1,23', '1,2345', '12,34', ',123', '1,', '1,,234', '0,125', '-0,500', '1,234,56', '123,45,678', '1.234,56', '1,234e3', '1.5,00']) {
      expect(() => decimal({ a: bad }, 'a'), bad).toThrow(FieldError);
      expect(() => decimal({ a: bad }, 'a'), bad).toThrow(/is not a number/);
    }
    expect(() => decimal({ a: '1,5' }, 'a')).toThrow('a: "1,5" is not a number (a comma is accepted only as a thousands separator)');
    expect(() => integer({ a: '1,5' }, 'a')).toThrow(FieldError);
  });

  it('integer, bool, date, text', () => {
    expect(integer({ a: '30' }, 'a')).toBe(30);
    expect(() => integer({ a: '1.5' }, 'a')).toThrow(FieldError);
    expect(bool({ a: true }, 'a')).toBe(true);
    expect(bool({ a: 'false' }, 'a')).toBe(false);
    expect(date({ a: '2024-06-05' }, 'a')).toBe('2024-06-05');
    expect(date({ a: '2024-06-05T02:30:08-0700' }, 'a')).toBe('2024-06-05');
    expect(() => date({ a: '2024-02-31' }, 'a')).toThrow(/not a date/);
    expect(text({ a: '  ' }, 'a')).toBeNull();
    expect(text({ a: 'شركة 🚀' }, 'a')).toBe('شركة 🚀');
  });

  it('adds and subtracts decimals exactly', () => {
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('10', '-12.5')).toBe('-2.5');
    expect(subtractDecimal('5', '7.25')).toBe('-2.25');
    expect(subtractDecimal('5', '-1')).toBe('6');
    expect(addDecimal(null, '3')).toBe('3');
  });
});
