import { describe, expect, it } from 'vitest';
import { DocumentRecordHandler, mapDocument, RecordTypeDispatch } from './document-sync-handler';
import type { DocumentDefinition, RecordHandler } from './sync-handler';
import { SyncEntityType, type SyncEvent } from './sync.types';

const event = (record: Record<string, unknown>, over: Partial<SyncEvent> = {}): SyncEvent => ({
  id: '7',
  entityType: SyncEntityType.Price,
  eventKind: 'updated',
  recordType: 'doc',
  entityId: 'D1',
  record,
  zohoModifiedAt: '2026-11-27T07:00:00.000Z',
  receivedAt: '2026-11-27T08:00:00.000Z',
  ...over,
});

const def = (lines: DocumentDefinition['lines']): DocumentDefinition => ({
  type: SyncEntityType.Price,
  recordType: 'doc',
  table: 'erp.docs',
  key: 'zoho_doc_id',
  fields: [{ column: 'name', type: 'text', from: 'name' }],
  lines,
});

describe('mapDocument', () => {
  it('maps the fields and the envelope columns; a delete carries only its version', () => {
    const d = def(undefined);
    expect(mapDocument(d, event({ name: 'n', extra: 'ignored' }))).toEqual({
      event: expect.anything(),
      row: { name: 'n', zoho_doc_id: 'D1', zoho_modified_at: '2026-11-27T07:00:00.000Z', event_id: '7', absent: null },
      lines: [],
    });
    // a field the record does not send is marked (the upsert keeps its stored value)
    expect(mapDocument(d, event({ extra: 'x' })).row.absent).toBe('1');
    expect(mapDocument(d, event({}, { eventKind: 'deleted', zohoModifiedAt: null })).row.version).toBe('2026-11-27T08:00:00.000Z');
    expect(mapDocument({ ...d, timestamped: false }, event({}, { eventKind: 'deleted', zohoModifiedAt: null })).row.version).toBe(
      'infinity',
    );
  });

  it("document lines: keyed by line id else position, the last repeated key wins, raw's index is the index as sent", () => {
    const d = def({
      table: 'erp.doc_lines',
      parentKey: 'zoho_doc_id',
      source: 'line_items',
      key: { column: 'zoho_line_item_id', from: 'line_item_id', whenMissing: 'position' },
      position: 'source',
      fields: [{ column: 'qty', type: 'numeric', from: 'q' }],
    });
    const { lines } = mapDocument(
      d,
      event({ line_items: [null, { line_item_id: 'A', q: '1' }, { q: '2' }, { line_item_id: 'A', q: '3' }] }),
    );
    expect(lines?.map((l) => [l.zoho_line_item_id, l.position, l.qty, l.source_index])).toEqual([
      ['A', 3, '3', 3],
      ['pos-2', 2, '2', 2],
    ]);
    expect(lines?.[0]).toMatchObject({ zoho_doc_id: 'D1', zoho_modified_at: '2026-11-27T07:00:00.000Z', event_id: '7' });
    // no line list sent at all: null (the stored lines stay); an empty list: no lines
    expect(mapDocument(d, event({})).lines).toBeNull();
    expect(mapDocument(d, event({ line_items: [] })).lines).toEqual([]);
  });

  it('price-list items: an entry without a key is left out; positions are 1..n over the kept entries', () => {
    const d = def({
      table: 'erp.items',
      parentKey: 'zoho_doc_id',
      source: 'items',
      key: { column: 'zoho_item_id', from: 'item_id', whenMissing: 'skip' },
      position: 'kept',
      fields: [{ column: 'rate', type: 'numeric', from: ['pricebook_rate', 'rate'] }],
    });
    const { lines } = mapDocument(
      d,
      event({ items: [{ rate: '1' }, { item_id: 'X', rate: '2' }, { item_id: 'Y', pricebook_rate: '3' }, { item_id: 'X', rate: '4' }] }),
    );
    expect(lines?.map((l) => [l.zoho_item_id, l.position, l.rate, l.source_index])).toEqual([
      ['X', 1, '4', 3],
      ['Y', 2, '3', 2],
    ]);
    // an entry left out is still validated: a bad value makes the event invalid
    expect(() => mapDocument(d, event({ items: [{ rate: 'bad' }] }))).toThrow(/rate: "bad" is not a number/);
  });

  it('a definition naming a column twice, or a column the pipeline writes, does not load', () => {
    expect(() => new DocumentRecordHandler({ ...def(undefined), fields: [{ column: 'raw', type: 'text', from: 'raw' }] })).toThrow(
      /'raw' is declared twice/,
    );
    expect(() => new DocumentRecordHandler({ ...def(undefined), fields: [{ column: 'zoho_doc_id', type: 'id', from: 'id' }] })).toThrow(
      /declared twice/,
    );
  });
});

describe('RecordTypeDispatch', () => {
  it('hands each record handler its own events and answers invalid for an unknown body key', async () => {
    const calls: string[][] = [];
    const handler = (recordType: string): RecordHandler => ({
      recordType,
      target: { table: `erp.${recordType}s`, key: `zoho_${recordType}_id` },
      statements: () => [],
      apply: async (_tx, events) => {
        calls.push(events.map((e) => e.id));
        return events.map((e) => ({ eventId: e.id, status: 'applied' as const }));
      },
    });
    const dispatch = new RecordTypeDispatch(SyncEntityType.Stock, [handler('a'), handler('b'), handler('c')]);
    const out = await dispatch.apply({} as never, [
      event({}, { id: '1', recordType: 'b' }),
      event({}, { id: '2', recordType: 'a' }),
      event({}, { id: '3', recordType: 'zzz' }),
      event({}, { id: '4', recordType: 'b' }),
    ]);
    expect(calls).toEqual([['2'], ['1', '4']]);
    expect(out).toEqual([
      { eventId: '2', status: 'applied' },
      { eventId: '1', status: 'applied' },
      { eventId: '4', status: 'applied' },
      { eventId: '3', status: 'invalid', error: "no stock handler for record type 'zzz'" },
    ]);
  });
});
