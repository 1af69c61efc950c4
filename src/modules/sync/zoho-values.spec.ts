import { describe, expect, it } from 'vitest';
import { addDecimal, bool, date, decimal, FieldError, id, indexedList, integer, isZero, list, subtractDecimal, text } from './zoho-values';

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
    for (const bad of [
      '1,5',
      '1,23',
      '1,2345',
      '12,34',
      ',123',
      '1,',
      '1,,234',
      '0,125',
      '-0,500',
      '1,234,56',
      '123,45,678',
      '1.234,56',
      '1,234e3',
      '1.5,00',
    ]) {
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

/** The error a call throws, so its class, name, field and message can all be checked. */
function thrown(fn: () => unknown): FieldError {
  try {
    fn();
  } catch (err) {
    return err as FieldError;
  }
  throw new Error('expected a FieldError, nothing was thrown');
}

describe('FieldError', () => {
  it('names the field in its message and carries it', () => {
    const err = thrown(() => decimal({ price: 'abc' }, 'price'));
    expect(err).toBeInstanceOf(FieldError);
    expect(err.name).toBe('FieldError');
    expect(err.field).toBe('price');
    expect(err.message).toBe('price: "abc" is not a number');
  });
});

describe('text', () => {
  it.each([
    [{ a: 'x' }, 'x'],
    [{ a: ' padded ' }, ' padded '],
    [{ a: '130426000002924000123' }, '130426000002924000123'],
    [{ a: true }, 'true'],
    [{ a: false }, 'false'],
    [{ a: '' }, null],
    [{ a: null }, null],
    [{}, null],
    [{ a: { x: '1' } }, null],
    [{ a: ['x'] }, null],
  ])('%j → %j', (rec, expected) => {
    expect(text(rec, 'a')).toBe(expected);
  });
});

describe('decimal', () => {
  it('null and blank are null; other non-strings are field errors that say what arrived', () => {
    expect(decimal({ a: null }, 'a')).toBeNull();
    expect(decimal({ a: '   ' }, 'a')).toBeNull();
    expect(() => decimal({ a: ['1'] }, 'a')).toThrow('a: expected a number, got an array');
    expect(() => decimal({ a: { x: 1 } }, 'a')).toThrow('a: expected a number, got object');
    expect(() => decimal({ a: true }, 'a')).toThrow('a: expected a number, got boolean');
  });

  it('accepts only a whole numeric string', () => {
    for (const bad of ['x1', '1x', '1 2', '--1', '1e', 'e5', '.', '1.2.3', '0x10', 'NaN', 'Infinity']) {
      expect(() => decimal({ a: bad }, 'a'), bad).toThrow(`a: "${bad}" is not a number`);
    }
    expect(decimal({ a: '.55' }, 'a')).toBe('.55');
    expect(decimal({ a: '5.' }, 'a')).toBe('5.');
    expect(decimal({ a: ' 7 ' }, 'a')).toBe('7');
  });

  it('shows at most 40 characters of a bad value', () => {
    const long = `${'x'.repeat(50)}`;
    expect(() => decimal({ a: long }, 'a')).toThrow(`a: "${'x'.repeat(40)}" is not a number`);
  });

  it('counts integer digits without leading zeros, and only leading ones', () => {
    expect(() => decimal({ a: `1${'0'.repeat(38)}` }, 'a')).toThrow('(more than 38 integer digits)');
    expect(decimal({ a: `${'0'.repeat(10)}1${'0'.repeat(37)}` }, 'a')).toBe(`${'0'.repeat(10)}1${'0'.repeat(37)}`);
  });

  it('keeps up to 38 decimal places as sent; beyond that only trailing zeros are dropped', () => {
    const places38 = `0.${'1'.repeat(37)}0`;
    expect(decimal({ a: places38 }, 'a')).toBe(places38);
    expect(decimal({ a: `1.${'1'.repeat(38)}0` }, 'a')).toBe(`1.${'1'.repeat(38)}`);
    expect(decimal({ a: `-1.${'0'.repeat(45)}` }, 'a')).toBe('-1');
    expect(decimal({ a: `+1.5${'0'.repeat(45)}` }, 'a')).toBe('1.5');
    expect(decimal({ a: `.5${'0'.repeat(45)}` }, 'a')).toBe('0.5');
    expect(() => decimal({ a: `1.${'1'.repeat(39)}` }, 'a')).toThrow(
      `a: "1.${'1'.repeat(38)}" is out of range (more than 38 decimal places)`,
    );
  });

  it('expands exponents exactly around the decimal point', () => {
    expect(decimal({ a: '10e1' }, 'a')).toBe('100');
    expect(decimal({ a: '101e0' }, 'a')).toBe('101');
    expect(decimal({ a: '1.500e0' }, 'a')).toBe('1.5');
    expect(decimal({ a: '1.05e1' }, 'a')).toBe('10.5');
    expect(decimal({ a: '0.5e0' }, 'a')).toBe('0.5');
    expect(decimal({ a: '-0.5e0' }, 'a')).toBe('-0.5');
    expect(decimal({ a: '5e-1' }, 'a')).toBe('0.5');
    expect(decimal({ a: '5e-3' }, 'a')).toBe('0.005');
    expect(decimal({ a: '-5e-3' }, 'a')).toBe('-0.005');
    expect(decimal({ a: '0.00120e2' }, 'a')).toBe('0.12');
    expect(decimal({ a: '1.2e+3' }, 'a')).toBe('1200');
    expect(decimal({ a: '-0e5' }, 'a')).toBe('0');
    expect(() => decimal({ a: '1e38' }, 'a')).toThrow('a: "1e38" is out of range (more than 38 integer digits)');
  });
});

describe('integer', () => {
  it('reads whole numbers within PostgreSQL integer range', () => {
    expect(integer({}, 'a')).toBeNull();
    expect(integer({ a: '' }, 'a')).toBeNull();
    expect(integer({ a: '0' }, 'a')).toBe(0);
    expect(integer({ a: '-7' }, 'a')).toBe(-7);
    expect(integer({ a: '1,234' }, 'a')).toBe(1234);
    expect(integer({ a: '3.0' }, 'a')).toBe(3);
    expect(integer({ a: '2147483647' }, 'a')).toBe(2147483647);
    expect(integer({ a: '-2147483647' }, 'a')).toBe(-2147483647);
    expect(() => integer({ a: '2147483648' }, 'a')).toThrow('a: 2147483648 is not an integer');
    expect(() => integer({ a: '-2147483648' }, 'a')).toThrow('a: -2147483648 is not an integer');
    expect(() => integer({ a: '1.5' }, 'a')).toThrow('a: 1.5 is not an integer');
  });
});

describe('bool', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['TRUE', true],
    [' Yes ', true],
    ['yes', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['no', false],
    [' NO ', false],
    [null, null],
    [undefined, null],
    ['', null],
  ])('%j → %j', (value, expected) => {
    expect(bool({ a: value }, 'a')).toBe(expected);
  });

  it('anything else is a field error showing at most 40 characters', () => {
    expect(() => bool({ a: 'maybe' }, 'a')).toThrow('a: "maybe" is not a boolean');
    expect(() => bool({ a: '2' }, 'a')).toThrow('a: "2" is not a boolean');
    expect(() => bool({ a: 'y'.repeat(50) }, 'a')).toThrow(`a: "${'y'.repeat(40)}" is not a boolean`);
  });
});

describe('date', () => {
  it('takes the date part of a date or timestamp, after trimming', () => {
    expect(date({}, 'a')).toBeNull();
    expect(date({ a: '' }, 'a')).toBeNull();
    expect(date({ a: ' 2024-06-05 ' }, 'a')).toBe('2024-06-05');
    expect(date({ a: '2024-06-05 10:00:00' }, 'a')).toBe('2024-06-05');
  });

  it('rejects anything else, showing at most 40 characters', () => {
    expect(() => date({ a: 'x2024-06-05' }, 'a')).toThrow('a: "x2024-06-05" is not a date');
    expect(() => date({ a: '05/06/2024' }, 'a')).toThrow('a: "05/06/2024" is not a date');
    expect(() => date({ a: `2024-13-01${'z'.repeat(40)}` }, 'a')).toThrow(`a: "2024-13-01${'z'.repeat(30)}" is not a date`);
  });
});

describe('id', () => {
  it.each([
    [{ a: '130426000002924000123' }, '130426000002924000123'],
    [{ a: ' 42 ' }, '42'],
    [{ a: '   ' }, null],
    [{ a: '' }, null],
    [{}, null],
    [{ a: 42 }, null],
    [{ a: { id: '1' } }, null],
  ])('%j → %j', (rec, expected) => {
    expect(id(rec as Record<string, unknown>, 'a')).toBe(expected);
  });
});

describe('indexedList', () => {
  it('keeps each object with its index in the list as sent', () => {
    expect(indexedList({}, 'a')).toEqual([]);
    expect(indexedList({ a: null }, 'a')).toEqual([]);
    expect(indexedList({ a: '' }, 'a')).toEqual([]);
    expect(indexedList({ a: [{ x: '1' }, null, 'text', ['nested'], 3, { y: '2' }] }, 'a')).toEqual([
      { entry: { x: '1' }, index: 0 },
      { entry: { y: '2' }, index: 5 },
    ]);
    expect(() => indexedList({ a: { x: 1 } }, 'a')).toThrow('a: expected a list');
    expect(() => indexedList({ a: 0 }, 'a')).toThrow(FieldError);
  });
});

describe('list', () => {
  it('keeps the object items of a list; absent or blank is empty', () => {
    expect(list({}, 'a')).toEqual([]);
    expect(list({ a: null }, 'a')).toEqual([]);
    expect(list({ a: '' }, 'a')).toEqual([]);
    expect(list({ a: [] }, 'a')).toEqual([]);
    expect(list({ a: [{ x: '1' }, null, 'text', ['nested'], 3, { y: '2' }] }, 'a')).toEqual([{ x: '1' }, { y: '2' }]);
  });

  it('anything else is a field error', () => {
    expect(() => list({ a: { x: 1 } }, 'a')).toThrow('a: expected a list');
    expect(() => list({ a: 'x' }, 'a')).toThrow('a: expected a list');
  });
});

describe('addDecimal / subtractDecimal', () => {
  it.each([
    ['1', '0.25', '1.25'],
    ['0.25', '1', '1.25'],
    ['0.01', '-0.06', '-0.05'],
    ['1', '-1', '0'],
    ['1.50', '-1.5', '0.00'],
    ['-.5', '.25', '-0.25'],
    ['+2', '3', '5'],
    ['1e2', '1', '101.000000'],
    ['2.5E-1', '0', '0.250000'],
    [null, null, '0'],
    ['', '7', '7'],
    ['99999999999999999999.99', '0.01', '100000000000000000000.00'],
  ])('%j + %j = %j', (a, b, expected) => {
    expect(addDecimal(a, b)).toBe(expected);
  });

  it.each([
    ['5', null, '5'],
    ['5', '', '5'],
    ['5', '0.5', '4.5'],
    ['0.5', '5', '-4.5'],
    [null, '-2', '2'],
  ])('%j - %j = %j', (a, b, expected) => {
    expect(subtractDecimal(a, b)).toBe(expected);
  });
});

describe('isZero', () => {
  it.each(['0', '-0', '00', '0.0', '0.00', '.0', '0.', '-0.000'])('%j is zero', (s) => {
    expect(isZero(s)).toBe(true);
  });

  it.each(['1', '10', '0.01', '-0.5', '100', '0.10', '1e0'])('%j is not zero', (s) => {
    expect(isZero(s)).toBe(false);
  });
});
