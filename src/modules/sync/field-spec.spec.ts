import { describe, expect, it } from 'vitest';
import { absentMask, checkFields, mapFields, PG_ARRAY_TYPE, readField, type FieldSpec } from './field-spec';
import { FieldError } from './zoho-values';

describe('field specs', () => {
  it('a named source is read with the coercer of its type', () => {
    const rec = { t: ' x ', i: ' 460000000026049 ', d: '1,234.50', n: '30', b: 'yes', dt: '2026-11-27T10:00:00+0300', blank: '' };
    expect(readField({ column: 'c', type: 'text', from: 't' }, rec)).toBe(' x ');
    expect(readField({ column: 'c', type: 'id', from: 'i' }, rec)).toBe('460000000026049');
    expect(readField({ column: 'c', type: 'numeric', from: 'd' }, rec)).toBe('1234.50');
    expect(readField({ column: 'c', type: 'integer', from: 'n' }, rec)).toBe(30);
    expect(readField({ column: 'c', type: 'boolean', from: 'b' }, rec)).toBe(true);
    expect(readField({ column: 'c', type: 'date', from: 'dt' }, rec)).toBe('2026-11-27');
    for (const type of ['text', 'id', 'numeric', 'integer', 'boolean', 'date'] as const) {
      expect(readField({ column: 'c', type, from: 'blank' } as FieldSpec, rec), type).toBeNull();
      expect(readField({ column: 'c', type, from: 'absent' } as FieldSpec, rec), type).toBeNull();
    }
    // an id is never read from a non-string, text never from an object
    expect(readField({ column: 'c', type: 'id', from: 'x' }, { x: true })).toBeNull();
    expect(readField({ column: 'c', type: 'text', from: 'x' }, { x: { a: '1' } })).toBeNull();
  });

  it('a bad value is a FieldError naming the field', () => {
    expect(() => readField({ column: 'total', type: 'numeric', from: 'amount' }, { amount: 'twelve' })).toThrow(FieldError);
    expect(() => readField({ column: 'total', type: 'numeric', from: 'amount' }, { amount: 'twelve' })).toThrow(
      /^amount: "twelve" is not a number$/,
    );
    expect(() => readField({ column: 'c', type: 'integer', from: 'n' }, { n: '1.5' })).toThrow(/n: 1.5 is not an integer/);
    expect(() => readField({ column: 'c', type: 'boolean', from: 'b' }, { b: 'maybe' })).toThrow(/not a boolean/);
    expect(() => readField({ column: 'c', type: 'date', from: 'd' }, { d: 'soon' })).toThrow(/not a date/);
  });

  it('several names: the first one present wins, in order; a bad earlier one is still an error', () => {
    const spec: FieldSpec = { column: 'name', type: 'text', from: ['name', 'item_name'] };
    expect(readField(spec, { name: 'a', item_name: 'b' })).toBe('a');
    expect(readField(spec, { name: '', item_name: 'b' })).toBe('b');
    expect(readField(spec, { item_name: 'b' })).toBe('b');
    expect(readField(spec, {})).toBeNull();
    const rate: FieldSpec = { column: 'rate', type: 'numeric', from: ['pricebook_rate', 'rate'] };
    expect(readField(rate, { pricebook_rate: '0', rate: '5' })).toBe('0');
    expect(() => readField(rate, { pricebook_rate: 'x', rate: '5' })).toThrow(/^pricebook_rate: /);
    expect(readField({ column: 'c', type: 'text', from: [] }, { a: 'x' })).toBeNull();
  });

  it('a function source gets the record and its parent (the record itself by default)', () => {
    const seen: unknown[] = [];
    const spec: FieldSpec = {
      column: 'c',
      type: 'text',
      from: (r, p) => {
        seen.push(r, p);
        return `${String(r.a)}/${String(p.a)}`;
      },
    };
    const line = { a: 'line' };
    const doc = { a: 'doc' };
    expect(readField(spec, line, doc)).toBe('line/doc');
    expect(readField(spec, line)).toBe('line/line');
    expect(seen).toEqual([line, doc, line, line]);
    expect(readField({ column: 'c', type: 'text', from: () => null }, line)).toBeNull();
  });

  it('mapFields gives one key per spec, in spec order, absent values as null', () => {
    const specs: FieldSpec[] = [
      { column: 'b_col', type: 'numeric', from: 'amount' },
      { column: 'a_col', type: 'text', from: 'missing' },
      { column: 'c_col', type: 'text', from: (_r, p) => (p.kind as string) ?? null },
    ];
    const row = mapFields(specs, { amount: '12.50' }, { kind: 'doc' });
    expect(row).toEqual({ b_col: '12.50', a_col: null, c_col: 'doc' });
    expect(Object.keys(row)).toEqual(['b_col', 'a_col', 'c_col']);
    expect(mapFields(specs, { amount: '1', kind: 'self' })).toEqual({ b_col: '1', a_col: null, c_col: 'self' });
    expect(mapFields([], { a: '1' })).toEqual({});
  });

  it('each type is sent as its PostgreSQL array type (ids are text)', () => {
    expect(PG_ARRAY_TYPE).toEqual({
      text: 'text[]',
      id: 'text[]',
      numeric: 'numeric[]',
      integer: 'int[]',
      boolean: 'bool[]',
      date: 'date[]',
    });
  });

  it('checkFields refuses a column named twice, a reserved column or a non-identifier, and returns the specs', () => {
    const specs: FieldSpec[] = [
      { column: 'a', type: 'text', from: 'a' },
      { column: 'b_2', type: 'numeric', from: 'b' },
      { column: '_c', type: 'text', from: 'c' },
    ];
    expect(checkFields('erp.t', specs)).toBe(specs);
    expect(checkFields('erp.t', specs, ['key'])).toBe(specs);
    expect(() => checkFields('erp.t', [...specs, { column: 'a', type: 'id', from: 'x' }])).toThrow("erp.t: column 'a' is declared twice");
    expect(() => checkFields('erp.t', specs, ['raw', 'b_2'])).toThrow("erp.t: column 'b_2' is declared twice");
    for (const bad of ['A', 'a-b', '1a', 'a b', 'a;drop', '', 'é', 'a\n']) {
      expect(() => checkFields('erp.t', [{ column: bad, type: 'text', from: 'x' }]), JSON.stringify(bad)).toThrow(
        `erp.t: column '${bad}' is not a plain snake_case identifier`,
      );
    }
  });

  it('absentMask: a field is not sent when none of its source keys is in the record (null and "" are sent)', () => {
    const specs: FieldSpec[] = [
      { column: 'a', type: 'text', from: 'a' },
      { column: 'b', type: 'numeric', from: ['b1', 'b2'] },
      { column: 'c', type: 'text', from: () => 'x' },
      { column: 'd', type: 'text', from: () => null, keys: ['d1', 'd2'] },
    ];
    expect(absentMask(specs, { a: null, b2: '', d2: 'y' })).toBeNull();
    expect(absentMask(specs, {})).toBe('1101');
    expect(absentMask(specs, { a: '' })).toBe('0101');
    expect(absentMask(specs, { a: 'x', b1: '1', d1: null })).toBeNull();
    expect(absentMask(specs, { b1: '1', d1: null })).toBe('1000');
    // a key inherited from the prototype is not a sent field
    expect(absentMask([{ column: 'a', type: 'text', from: 'toString' }], {})).toBe('1');
  });
});
