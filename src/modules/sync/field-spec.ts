import { bool, date, decimal, id, integer, text, type ZohoRecord } from './zoho-values';

/**
 * One spec per ERP column: the column, its type and where its value comes from. The SQL column list, the parameter
 * types and the mapping are all derived from the same array, so a mapped key cannot miss its column and a column
 * cannot be forgotten by the mapping.
 */
export type FieldType = 'text' | 'id' | 'numeric' | 'integer' | 'boolean' | 'date';

/** What each type's value is in JS (numerics stay exact decimal strings). */
export interface FieldValue {
  text: string;
  id: string;
  numeric: string;
  integer: number;
  boolean: boolean;
  date: string;
}

/**
 * Where a value comes from: a Zoho field name (read with the type's coercer), several names (the first one present
 * wins), or a function of the record (and, for a line, of its document) that coerces itself.
 */
export type FieldSource<T extends FieldType> =
  string | readonly string[] | ((record: ZohoRecord, parent: ZohoRecord) => FieldValue[T] | null);

/**
 * `keys` (function sources only): the record keys the function reads. When the record has none of them the field
 * counts as not sent (see absentMask); a function source without `keys` always counts as sent.
 */
export type FieldSpec = { [T in FieldType]: { column: string; type: T; from: FieldSource<T>; keys?: readonly string[] } }[FieldType];

export type Row = Record<string, unknown>;

/** The PostgreSQL array type a column's values are sent as (one array per column, read with unnest()). */
export const PG_ARRAY_TYPE: Record<FieldType, string> = {
  text: 'text[]',
  id: 'text[]',
  numeric: 'numeric[]',
  integer: 'int[]',
  boolean: 'bool[]',
  date: 'date[]',
};

/** The coercer a named source is read with (zoho-values.ts: never trust payload types). */
const COERCE: { [T in FieldType]: (record: ZohoRecord, field: string) => FieldValue[T] | null } = {
  text,
  id,
  numeric: decimal,
  integer,
  boolean: bool,
  date,
};

type Reader = (record: ZohoRecord, parent: ZohoRecord) => unknown;

/** A spec's reader, made once: the coercer and the names are bound, nothing is looked up per record. */
function readerOf(spec: FieldSpec): Reader {
  const { from } = spec;
  if (typeof from === 'function') return from as Reader;
  const coerce = COERCE[spec.type] as (r: ZohoRecord, f: string) => unknown;
  if (typeof from === 'string') return (record) => coerce(record, from);
  const names = [...from];
  return (record) => {
    for (const name of names) {
      const v = coerce(record, name);
      if (v !== null) return v;
    }
    return null;
  };
}

const readers = new WeakMap<FieldSpec, Reader>();

/** One field's value; a FieldError from a coercer propagates (the event is invalid, the field named). */
export function readField(spec: FieldSpec, record: ZohoRecord, parent: ZohoRecord = record): unknown {
  let read = readers.get(spec);
  if (!read) readers.set(spec, (read = readerOf(spec)));
  return read(record, parent);
}

const mappers = new WeakMap<readonly FieldSpec[], (record: ZohoRecord, parent: ZohoRecord) => Row>();

/**
 * The row mapper of a spec list, made once per list: an object literal with the columns as fixed keys, so every row
 * of a definition shares one shape and is built in one step (rows are made for every record of every batch, and
 * adding keys one by one measured ~40 µs more worker CPU per 5-line invoice). Column names are checked identifiers
 * (checkFields), and JSON.stringify quotes them.
 */
function compileMapper(specs: readonly FieldSpec[]): (record: ZohoRecord, parent: ZohoRecord) => Row {
  const read = specs.map(readerOf);
  const entries = specs.map((spec, i) => `${JSON.stringify(spec.column)}: read[${i}](record, parent)`).join(', ');
  return new Function('read', `return (record, parent) => ({ ${entries} });`)(read) as (record: ZohoRecord, parent: ZohoRecord) => Row;
}

/** The row for a record: one key per spec, in spec order (absent values are null, never undefined). */
export function mapFields(specs: readonly FieldSpec[], record: ZohoRecord, parent: ZohoRecord = record): Row {
  let map = mappers.get(specs);
  if (!map) mappers.set(specs, (map = compileMapper(specs)));
  return map(record, parent);
}

/** Fails at load time when two specs name one column (the INSERT would name it twice). */
export function checkFields(owner: string, specs: readonly FieldSpec[], reserved: readonly string[] = []): readonly FieldSpec[] {
  const seen = new Set(reserved);
  for (const { column } of specs) {
    if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new Error(`${owner}: column '${column}' is not a plain snake_case identifier`);
    if (seen.has(column)) throw new Error(`${owner}: column '${column}' is declared twice`);
    seen.add(column);
  }
  return specs;
}

const sourceKeys = new WeakMap<readonly FieldSpec[], (readonly string[] | null)[]>();
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Which fields the record does not send at all (none of their source keys is in it), as opposed to sending them as
 * null or "": one character per spec, '1' = not sent, '0' = sent; null when every field is sent (the common case).
 * An update keeps the stored value of a field not sent (docs/decisions/0006: a missing key is not a cleared value).
 */
export function absentMask(specs: readonly FieldSpec[], record: ZohoRecord): string | null {
  let keys = sourceKeys.get(specs);
  if (!keys) {
    keys = specs.map((s) => (typeof s.from === 'string' ? [s.from] : typeof s.from === 'function' ? (s.keys ?? null) : [...s.from]));
    sourceKeys.set(specs, keys);
  }
  let mask: string | null = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const absent = k !== null && !k.some((name) => hasOwn.call(record, name));
    if (absent) mask = (mask ?? '0'.repeat(i)) + '1';
    else if (mask !== null) mask += '0';
  }
  return mask;
}
