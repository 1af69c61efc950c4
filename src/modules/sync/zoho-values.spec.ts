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
