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

export type FieldSpec = { [T in FieldType]: { column: string; type: T; from: FieldSource<T> } }[FieldType];

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

/** One field's value; a FieldError from a coercer propagates (the event is invalid, the field named). */
export function readField(spec: FieldSpec, record: ZohoRecord, parent: ZohoRecord = record): unknown {
  const { from } = spec;
  if (typeof from === 'function') return (from as (r: ZohoRecord, p: ZohoRecord) => unknown)(record, parent);
  const coerce = COERCE[spec.type] as (r: ZohoRecord, f: string) => unknown;
  if (typeof from === 'string') return coerce(record, from);
  for (const name of from) {
    const v = coerce(record, name);
    if (v !== null) return v;
  }
  return null;
}

/** The row for a record: one key per spec, in spec order (absent values are null, never undefined). */
export function mapFields(specs: readonly FieldSpec[], record: ZohoRecord, parent: ZohoRecord = record): Row {
  const row: Row = {};
  for (const spec of specs) row[spec.column] = readField(spec, record, parent);
  return row;
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
