import { isUtf8 } from 'node:buffer';
import { parse as parseQueryString } from 'node:querystring';
import { isPlainObject, parseJsonExact } from '../../common/json/exact-json';

export { isPlainObject };
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';

export type BodyFormat = 'json' | 'form';

export interface ParsedBody {
  format: BodyFormat;
  /** Form fields of an x-www-form-urlencoded body (they take part in Zoho's signature). */
  formFields: Record<string, string>;
  /** The JSON document; numbers as the parse was asked for (exact: strings of their exact digits). */
  document: unknown;
  /** The JSON text the document came from (the body, or the JSONString field). */
  jsonText: string;
}

/** Nesting deeper than this is refused (Zoho records nest ~4 deep). */
export const MAX_JSON_DEPTH = 64;

export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  const type = String(contentType ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type === 'application/json' || type === 'text/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  throw new DomainError(
    ErrorCode.UnsupportedMediaType,
    `Unsupported Content-Type "${type || '(none)'}": send application/json (Zoho's default payload) or application/x-www-form-urlencoded with a JSONString field`,
  );
}

/** Form fields as Zoho signs them: decoded, in order, repeats kept (the receiver refuses a repeated name). */
export function parseFormPairs(body: Buffer): [string, string][] {
  const parsed = parseQueryString(body.toString('utf8'));
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(parsed)) {
    if (Array.isArray(v)) for (const one of v) out.push([k, one]);
    else out.push([k, v ?? '']);
  }
  return out;
}

/** Form fields, one value per name (the last one; repeats were refused before this is read). */
export function parseFormFields(body: Buffer): Record<string, string> {
  return Object.fromEntries(parseFormPairs(body));
}

/** The path of the first object key holding U+0000, if any (keys are where jsonb and JavaScript would disagree). */
export function nulKeyPath(value: unknown, path = '$'): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulKeyPath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return `${path}.${JSON.stringify(k)}`;
      const found = nulKeyPath(v, `${path}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}

function decodeUtf8Strict(bytes: Buffer, what: string): string {
  // Native validation, then a plain decode (a BOM stays as U+FEFF; the JSON readers skip it).
  if (!isUtf8(bytes)) throw new DomainError(ErrorCode.InvalidJson, `${what} is not valid UTF-8`);
  return bytes.toString('utf8');
}

/**
 * How numbers come out of the parse:
 * - 'exact': every number as a string of its exact digits (Zoho ids exceed 2^53; amounts must stay exact);
 * - 'native': JavaScript numbers, from the native JSON.parse alone (half the CPU on a Zoho body). For a reader that
 *   looks at a few fields and parses again with 'exact' when one it reads is a number (WebhooksService).
 * Both accept and refuse the same texts, with the same messages.
 */
export type JsonNumbers = 'exact' | 'native';

/** Whether `text` holds at most `max` opening brackets (so it cannot nest deeper than `max`). */
function bracketsAtMost(text: string, max: number): boolean {
  let n = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) if (++n > max) return false;
  }
  return true;
}

/**
 * Parses JSON (numbers as `numbers` says, exact by default). A leading BOM is tolerated; nesting is limited to
 * MAX_JSON_DEPTH; errors name the position.
 */
export function parseJsonText(text: string, what = 'body', numbers: JsonNumbers = 'exact'): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim().length === 0) throw new DomainError(ErrorCode.InvalidJson, `Invalid JSON: the ${what} is empty`);
  if (numbers === 'native' && bracketsAtMost(source, MAX_JSON_DEPTH)) {
    try {
      return JSON.parse(source);
    } catch {
      // refused: the exact parser below refuses it too, with the message the receiver has always given
    }
  }
  try {
    return parseJsonExact(source, MAX_JSON_DEPTH);
  } catch (err) {
    throw new DomainError(ErrorCode.InvalidJson, `Invalid JSON in ${what}: ${(err as Error).message}`);
  }
}

/**
 * The JSON text for PostgreSQL when the raw body cannot be cast to jsonb as is: the BOM removed and `\u0000`
 * escapes dropped (jsonb and text cannot hold NUL). Everything else is kept byte for byte.
 */
export function jsonTextForDatabase(jsonText: string): string {
  const text = jsonText.charCodeAt(0) === 0xfeff ? jsonText.slice(1) : jsonText;
  if (!text.includes('\\u0000')) return text;
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!inString) {
      if (c === 34) inString = true;
    } else if (c === 34) {
      inString = false;
    } else if (c === 92) {
      if (text.startsWith('u0000', i + 1)) {
        out += text.slice(last, i);
        last = i + 6;
      }
      i++; // skip the escaped character
    }
  }
  return out + text.slice(last);
}

/**
 * \u0000 is dropped from string values for PostgreSQL (jsonb cannot hold it), but a key that held one would become
 * another key there ("item\u0000" → a second "item", the last one winning): the record checked here would not be
 * the record stored. Such a key is refused.
 */
function refuseNulKeys(parsed: ParsedBody): ParsedBody {
  if (!parsed.jsonText.includes('\\u0000')) return parsed;
  const path = nulKeyPath(parsed.document);
  if (path) {
    throw new DomainError(ErrorCode.InvalidEnvelope, `The JSON key ${path} holds \\u0000, which cannot be stored: remove it`, {
      field: path,
    });
  }
  return parsed;
}

export function parseZohoBody(body: Buffer, format: BodyFormat, numbers: JsonNumbers = 'exact'): ParsedBody {
  return refuseNulKeys(parseZohoBodyText(body, format, numbers));
}

function parseZohoBodyText(body: Buffer, format: BodyFormat, numbers: JsonNumbers): ParsedBody {
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
    return { format, formFields, jsonText: json, document: parseJsonText(json, 'JSONString field', numbers) };
  }
  const jsonText = decodeUtf8Strict(body, 'The body');
  return { format, formFields: {}, jsonText, document: parseJsonText(jsonText, 'body', numbers) };
}
