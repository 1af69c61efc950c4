import { parseZohoTimestamp } from '../../common/zoho/zoho-time';

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

const DECIMAL = /^([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;
/**
 * A comma is read only as a thousands separator, in a complete grouping: Western ("1,234", "12,345,678.90") or
 * Indian lakh/crore ("12,34,567.00" — Zoho serves Indian orgs and formats their amounts this way). Accepting
 * the Indian form adds no ambiguity: it always has two or more commas, which a decimal comma never has. The
 * first group never starts with 0, so "0,125" (a European 0.125) is not read as 125. No comma after the decimal
 * point or together with an exponent. Anything else ("1,5", "1,23", "1,2345", "123,45,678") is a field error:
 * a European decimal comma must never be mis-read as a thousands separator.
 */
const GROUPED = /^[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d?(?:,\d{2})+,\d{3})(?:\.\d*)?$/;
/**
 * Bounds of the expanded (plain-digit) form. The ERP numeric columns are unconstrained `numeric` (no precision or
 * scale, see migrations/1764300000002-CreateErpTables.ts), so PostgreSQL would store "1e400" as 401 digits; these
 * bounds keep every value within numeric(76,38), the widest that ERP readers commonly map (38 digits each side of
 * the point — far beyond any real Zoho amount, quantity or rate).
 * - More than 38 integer digits (leading zeros not counted) → field error "out of range".
 * - More than 38 decimal places (trailing zeros not counted) → field error as well, not rounded: "1e-400" or a
 *   40-place fraction is not a figure Zoho produces, and rounding it (to 0) would store a value Zoho never sent.
 */
const MAX_INTEGER_DIGITS = 38;
const MAX_SCALE = 38;

/** Text as sent; numbers (exact digit strings) stay as they are; blank → null. */
export function text(rec: ZohoRecord, field: string): string | null {
  const v = rec[field];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'boolean') return String(v);
  return null; // objects/arrays are not text
}

/**
 * Exact decimal as a string for a numeric column, always in plain digits (an exponent is expanded exactly).
 * Accepts numeric strings (numbers arrive as their exact digits), thousands separators as in GROUPED; blank → null.
 * Out-of-bounds values (MAX_INTEGER_DIGITS, MAX_SCALE) are field errors.
 */
export function decimal(rec: ZohoRecord, field: string): string | null {
  const v = rec[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new FieldError(field, `expected a number, got ${Array.isArray(v) ? 'an array' : typeof v}`);
  let s = v.trim();
  if (s === '') return null;
  const shown = `"${v.slice(0, 40)}"`;
  if (s.includes(',')) {
    if (!GROUPED.test(s)) throw new FieldError(field, `${shown} is not a number (a comma is accepted only as a thousands separator)`);
    s = s.replace(/,/g, '');
  }
  const m = DECIMAL.exec(s);
  if (!m) throw new FieldError(field, `${shown} is not a number`);
  const [, sign, mantissa, exponent] = m;
  const [intPart, frac = ''] = mantissa.split('.');
  if (exponent === undefined) {
    if (intPart.replace(/^0+/, '').length > MAX_INTEGER_DIGITS)
      throw new FieldError(field, `${shown} is out of range (more than ${MAX_INTEGER_DIGITS} integer digits)`);
    if (frac.length <= MAX_SCALE) return s;
    const trimmed = frac.replace(/0+$/, '');
    if (trimmed.length > MAX_SCALE) throw new FieldError(field, `${shown} is out of range (more than ${MAX_SCALE} decimal places)`);
    return `${sign === '-' ? '-' : ''}${intPart || '0'}${trimmed ? `.${trimmed}` : ''}`;
  }
  // Exponent form: significant digits D with the point after `point` of them (point may be ≤ 0 or > D.length).
  // Bounds are checked before any string is built, so "1e400000" costs nothing. Trailing zeros are dropped.
  const all = intPart + frac;
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  if (digits === '') return '0';
  const point = intPart.length - lead + Number(exponent); // ±Infinity for absurd exponents: rejected below
  if (point > MAX_INTEGER_DIGITS) throw new FieldError(field, `${shown} is out of range (more than ${MAX_INTEGER_DIGITS} integer digits)`);
  if (digits.length - point > MAX_SCALE) throw new FieldError(field, `${shown} is out of range (more than ${MAX_SCALE} decimal places)`);
  const neg = sign === '-' ? '-' : '';
  if (point >= digits.length) return `${neg}${digits}${'0'.repeat(point - digits.length)}`;
  if (point <= 0) return `${neg}0.${'0'.repeat(-point)}${digits}`;
  return `${neg}${digits.slice(0, point)}.${digits.slice(point)}`;
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

/** The objects of a list field, each with its index in the list as sent (raw is read back from the stored record by it). */
export function indexedList(rec: ZohoRecord, field: string): { entry: ZohoRecord; index: number }[] {
  const v = rec[field];
  if (v === undefined || v === null || v === '') return [];
  if (!Array.isArray(v)) throw new FieldError(field, 'expected a list');
  const out: { entry: ZohoRecord; index: number }[] = [];
  v.forEach((x: unknown, index) => {
    if (typeof x === 'object' && x !== null && !Array.isArray(x)) out.push({ entry: x as ZohoRecord, index });
  });
  return out;
}

/** The objects of a list field (anything else in the list is ignored). */
export function list(rec: ZohoRecord, field: string): ZohoRecord[] {
  return indexedList(rec, field).map((x) => x.entry);
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
