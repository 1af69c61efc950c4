import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJsonExact } from './exact-json';

// The nesting limit is about depth: how many containers are open at once, not how many there are.
describe('parseJsonExact: the depth limit counts nesting, not brackets', () => {
  it('parses 100 sibling empty arrays with a limit of 64', () => {
    const text = `[${Array.from({ length: 100 }, () => '[]').join(',')}]`;
    expect(parseJsonExact(text, 64)).toEqual(Array.from({ length: 100 }, () => []));
  });

  it('parses an invoice-like document with 70 line items (objects) with a limit of 64', () => {
    const lines = Array.from({ length: 70 }, (_, i) => `{"line_item_id":${4600000000000 + i},"quantity":2.00,"tags":[]}`);
    const doc = parseJsonExact(`{"invoice":{"invoice_id":1,"line_items":[${lines.join(',')}]}}`, 64) as {
      invoice: { line_items: { line_item_id: string; quantity: string }[] };
    };
    expect(doc.invoice.line_items).toHaveLength(70);
    expect(doc.invoice.line_items[69]).toEqual({ line_item_id: '4600000000069', quantity: '2.00', tags: [] });
  });

  it('a wide document is fine with a small limit too; only real depth counts', () => {
    const wide = `{"a":[${Array.from({ length: 10 }, () => '{"b":[]}').join(',')}]}`;
    // {"a":[{"b":[]}, …]} is four levels deep however many elements the list has.
    expect(() => parseJsonExact(wide, 4)).not.toThrow();
    expect(() => parseJsonExact('{"a":[{"b":[[]]}]}', 4)).toThrow(JsonSyntaxError);
  });

  it('the limit is exact: depth 64 parses, depth 65 is refused', () => {
    expect(() => parseJsonExact(`${'['.repeat(64)}${']'.repeat(64)}`, 64)).not.toThrow();
    expect(() => parseJsonExact(`${'['.repeat(65)}${']'.repeat(65)}`, 64)).toThrow(/nesting deeper than 64/);
  });

  it('brackets inside strings do not count', () => {
    expect(parseJsonExact(`{"s":"${'['.repeat(200)}"}`, 2)).toEqual({ s: '['.repeat(200) });
  });
});
