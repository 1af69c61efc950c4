import { parse as parseQueryString } from 'node:querystring';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

export type BodyFormat = 'json' | 'form';

export interface ParsedBody {
  format: BodyFormat;
  /** Form fields of an x-www-form-urlencoded body (they take part in Zoho's signature). */
  formFields: Record<string, string>;
  /** The JSON document, parsed losslessly (numbers are LosslessNumber). */
  document: unknown;
}

/** Nesting deeper than this is refused before parsing (the lossless parser is recursive). Zoho records nest ~4 deep. */
export const MAX_JSON_DEPTH = 64;

export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  const type = String(contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === 'text/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  throw new DomainError(
    ErrorCode.UnsupportedMediaType,
    `Unsupported Content-Type "${type || '(none)'}": send application/json (Zoho's default payload) or application/x-www-form-urlencoded with a JSONString field`,
  );
}

/** Form fields as Zoho signs them: decoded, one value per key (the last wins when a key repeats). */
export function parseFormFields(body: Buffer): Record<string, string> {
  const parsed = parseQueryString(body.toString('utf8'));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? '');
  return out;
}

function decodeUtf8Strict(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new DomainError(ErrorCode.InvalidJson, `${what} is not valid UTF-8`);
  }
}

function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new DomainError(ErrorCode.InvalidJson, `Invalid JSON: nesting deeper than ${MAX_JSON_DEPTH} levels at position ${i}`);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/**
 * Parses JSON keeping every number's exact digits (Zoho ids exceed 2^53; amounts must stay exact).
 * A leading BOM is tolerated. Errors name the position. Duplicate keys with different values are refused:
 * the signature covers the bytes, and two readers must never disagree about what was signed.
 */
export function parseJsonLossless(text: string, what = 'body'): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim().length === 0) throw new DomainError(ErrorCode.InvalidJson, `Invalid JSON: the ${what} is empty`);
  checkDepth(source);
  try {
    return parseLossless(source);
  } catch (err) {
    throw new DomainError(ErrorCode.InvalidJson, `Invalid JSON in ${what}: ${(err as Error).message}`);
  }
}

export function parseZohoBody(body: Buffer, format: BodyFormat): ParsedBody {
  if (format === 'form') {
    const formFields = parseFormFields(body);
    const json = formFields.JSONString;
    if (json === undefined) {
      throw new DomainError(
        ErrorCode.InvalidEnvelope,
        'Form body has no JSONString field: configure the Zoho webhook with the default payload (JSON), or send the record JSON in JSONString',
        { field: 'JSONString' },
      );
    }
    return { format, formFields, document: parseJsonLossless(json, 'JSONString field') };
  }
  return { format, formFields: {}, document: parseJsonLossless(decodeUtf8Strict(body, 'The body'), 'body') };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isLosslessNumber(v);
}
