import { describe, expect, it } from 'vitest';
import { FieldError } from '../zoho-values';
import { stockSnapshot, stockTotal } from './stock-snapshot';

const T = '2026-11-27T07:00:00.000Z';

describe('stockSnapshot', () => {
  it('reads locations[] with each entry named by its index in the record (raw is read from there)', () => {
    const item = {
      stock_on_hand: '',
      locations: [
        null,
        { location_name: 'no id' },
        { location_id: ' 11 ', location_name: 'Basra', location_stock_on_hand: '7', location_available_stock: '6' },
        {
          location_id: '12',
          location_name: '',
          location_stock_on_hand: '3.5',
          location_available_stock: '',
          location_actual_available_stock: '2',
        },
      ],
      warehouses: [{ warehouse_id: '99', warehouse_stock_on_hand: '1' }],
    };
    expect(stockSnapshot(item, 'I', T, 'E')).toEqual({
      rows: [
        {
          zoho_item_id: 'I',
          warehouse_id: '11',
          warehouse_name: 'Basra',
          stock_on_hand: '7',
          available_stock: '6',
          zoho_modified_at: T,
          event_id: 'E',
          source: 'locations',
          source_index: 2,
        },
        {
          zoho_item_id: 'I',
          warehouse_id: '12',
          warehouse_name: null,
          stock_on_hand: '3.5',
          available_stock: '2',
          zoho_modified_at: T,
          event_id: 'E',
          source: 'locations',
          source_index: 3,
        },
      ],
      total: '10.5',
    });
  });

  it('falls back to warehouses[] only when no location has an id', () => {
    const item = {
      locations: [{ location_name: 'no id', location_stock_on_hand: '5' }],
      warehouses: [
        'junk',
        {
          warehouse_id: '21',
          warehouse_name: 'Main',
          warehouse_stock_on_hand: '30.00',
          warehouse_available_stock: '',
          warehouse_actual_available_stock: '29',
        },
        { warehouse_name: 'no id', warehouse_stock_on_hand: '1' },
        { warehouse_id: '22', warehouse_name: 'Erbil', warehouse_stock_on_hand: '12.00', warehouse_available_stock: '11' },
      ],
    };
    const snap = stockSnapshot(item, 'I', null, 'E');
    expect(snap.rows).toEqual([
      {
        zoho_item_id: 'I',
        warehouse_id: '21',
        warehouse_name: 'Main',
        stock_on_hand: '30.00',
        available_stock: '29',
        zoho_modified_at: null,
        event_id: 'E',
        source: 'warehouses',
        source_index: 1,
      },
      {
        zoho_item_id: 'I',
        warehouse_id: '22',
        warehouse_name: 'Erbil',
        stock_on_hand: '12.00',
        available_stock: '11',
        zoho_modified_at: null,
        event_id: 'E',
        source: 'warehouses',
        source_index: 3,
      },
    ]);
    expect(snap.total).toBe('42.00');
  });

  it('a location listed twice is one row: the last entry wins, and the total counts it once', () => {
    const item = {
      locations: [
        { location_id: '11', location_name: 'Basra (old)', location_stock_on_hand: '', location_available_stock: '1' },
        { location_id: '12', location_name: 'Mosul', location_stock_on_hand: '3' },
        { location_id: ' 11 ', location_name: 'Basra', location_stock_on_hand: '7', location_available_stock: '6' },
      ],
    };
    const snap = stockSnapshot(item, 'I', T, 'E');
    expect(snap.rows.map((r) => [r.warehouse_id, r.warehouse_name, r.stock_on_hand, r.available_stock, r.source_index])).toEqual([
      ['11', 'Basra', '7', '6', 2],
      ['12', 'Mosul', '3', null, 1],
    ]);
    // The first entry's blank figure is replaced, so the total is known: 7 + 3.
    expect(snap.total).toBe('10');
    const warehouses = {
      warehouses: [
        { warehouse_id: '21', warehouse_stock_on_hand: '5' },
        { warehouse_id: '21', warehouse_stock_on_hand: '' },
      ],
    };
    expect(stockSnapshot(warehouses, 'I', null, 'E').rows.map((r) => [r.warehouse_id, r.stock_on_hand, r.source_index])).toEqual([
      ['21', null, 1],
    ]);
    expect(stockTotal(warehouses)).toBeNull();
  });

  it("the item's own total wins; with none, any unknown figure (or no warehouse) makes the total unknown", () => {
    expect(stockTotal({ stock_on_hand: '42', warehouses: [{ warehouse_id: '1', warehouse_stock_on_hand: '5' }] })).toBe('42');
    expect(
      stockTotal({
        warehouses: [
          { warehouse_id: '1', warehouse_stock_on_hand: '5' },
          { warehouse_id: '2', warehouse_stock_on_hand: '' },
        ],
      }),
    ).toBeNull();
    expect(
      stockTotal({
        warehouses: [
          { warehouse_id: '1', warehouse_stock_on_hand: '5' },
          { warehouse_id: '2', warehouse_stock_on_hand: '-2' },
        ],
      }),
    ).toBe('3');
    expect(stockTotal({})).toBeNull();
    expect(stockTotal({ stock_on_hand: '' })).toBeNull();
    expect(stockTotal({ stock_on_hand: '0' })).toBe('0');
    expect(stockSnapshot({}, 'I', null, 'E')).toEqual({ rows: [], total: null });
  });

  it('a figure that is not a number is a field error', () => {
    expect(() => stockSnapshot({ locations: [{ location_id: '1', location_stock_on_hand: 'lots' }] }, 'I', null, 'E')).toThrow(FieldError);
    expect(() => stockTotal({ warehouses: [{ warehouse_id: '1', warehouse_available_stock: 'x' }] })).toThrow(/warehouse_available_stock/);
    expect(() => stockTotal({ locations: {} })).toThrow(/locations: expected a list/);
  });
});
