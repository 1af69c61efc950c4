import { parseZohoTimestamp } from '../webhooks/zoho-time';

/** A field that can never map: the event goes to dead letter with this message. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'FieldError';
  }
}

export type ZohoRecord = Record<string, unknown>;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const MAX_EXPONENT = 1000; // PostgreSQL numeric tops out near 1e131072; Zoho amounts are nowhere near this

/** Text as sent; numbers (exact digit strings) stay as they are; blank → null. */
export function text(rec: ZohoRecord, field: string): string | null {
  const v = rec[field];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'boolean') return String(v);
  return null; // objects/arrays are not text
}

/** Exact decimal as a string for a numeric column. Accepts numbers, numeric strings, "1,234.50"; blank → null. */
export function decimal(rec: ZohoRecord, field: string): string | null {
  const v = rec[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new FieldError(field, `expected a number, got ${Array.isArray(v) ? 'an array' : typeof v}`);
  const s = v.trim().replace(/,/g, '');
  if (s === '') return null;
  if (!DECIMAL.test(s)) throw new FieldError(field, `"${v.slice(0, 40)}" is not a number`);
  const exp = /[eE]([+-]?\d+)$/.exec(s);
  if (exp && Math.abs(Number(exp[1])) > MAX_EXPONENT) throw new FieldError(field, `${v.slice(0, 40)} is out of range`);
  return s;
}

export function integer(rec: ZohoRecord, field: string): number | null {
  const d = decimal(rec, field);
  if (d === null) return null;
  const n = Number(d);
  if (!Number.isInteger(n) || Math.abs(n) > 2_147_483_647) throw new FieldError(field, `${d} is not an integer`);
  return n;
}

export function bool(rec: ZohoRecord, field: string): boolean | null {
  const v = rec[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', '1', 'yes'].includes(s)) return true;
  if (['false', '0', 'no'].includes(s)) return false;
  throw new FieldError(field, `"${String(v).slice(0, 40)}" is not a boolean`);
}

/** A calendar date (YYYY-MM-DD); a full timestamp keeps its own date part. Blank → null. */
export function date(rec: ZohoRecord, field: string): string | null {
  const v = text(rec, field);
  if (v === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(v.trim());
  if (!m || !parseZohoTimestamp(m[1])) throw new FieldError(field, `"${v.slice(0, 40)}" is not a date`);
  return m[1];
}

/** A Zoho id: exact text (never through a JS number). */
export function id(rec: ZohoRecord, field: string): string | null {
  const v = rec[field];
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return null;
}

export function list(rec: ZohoRecord, field: string): ZohoRecord[] {
  const v = rec[field];
  if (v === undefined || v === null || v === '') return [];
  if (!Array.isArray(v)) throw new FieldError(field, 'expected a list');
  return v.filter((x): x is ZohoRecord => typeof x === 'object' && x !== null && !Array.isArray(x));
}

/** Adds a numeric string to another, exactly enough for quantities (scaled BigInt arithmetic). */
export function addDecimal(a: string | null, b: string | null): string {
  const parse = (s: string | null): [bigint, number] => {
    if (!s) return [0n, 0];
    const x = Number(s);
    if (/[eE]/.test(s)) return parse(x.toFixed(6));
    const neg = s.startsWith('-');
    const [i, f = ''] = s.replace(/^[+-]/, '').split('.');
    return [BigInt(`${neg ? '-' : ''}${i || '0'}${f}`), f.length];
  };
  const [av, as] = parse(a);
  const [bv, bs] = parse(b);
  const scale = Math.max(as, bs);
  const sum = av * 10n ** BigInt(scale - as) + bv * 10n ** BigInt(scale - bs);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, '0');
  const out = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return `${neg ? '-' : ''}${out}`;
}

export function subtractDecimal(a: string | null, b: string | null): string {
  if (!b) return addDecimal(a, '0');
  return addDecimal(a, b.startsWith('-') ? b.slice(1) : `-${b}`);
}

export function isZero(s: string): boolean {
  return /^-?0*\.?0*$/.test(s);
}
