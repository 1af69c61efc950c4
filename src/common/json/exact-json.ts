/**
 * JSON parsing that keeps every number exact: each number token becomes a string holding its digits
 * ("130426000002924000123", "12.50"), so Zoho ids above 2^53 and amounts never pass through a JS number.
 *
 * One pass over the text wraps number tokens (outside strings) in quotes, then the native JSON.parse does the
 * rest — several times cheaper than a JavaScript JSON parser and no per-number objects to collect. The same pass
 * enforces a nesting limit. A syntax error is reported on the original text, so positions are the caller's.
 * Duplicate keys: the last one wins (as in JSON.parse and PostgreSQL's jsonb, so both readers agree).
 */
export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function isNumberChar(c: number): boolean {
  // 0-9 . - + e E
  return (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69;
}

function syntaxError(text: string, fallback: string): JsonSyntaxError {
  try {
    JSON.parse(text);
  } catch (err) {
    return new JsonSyntaxError((err as Error).message);
  }
  return new JsonSyntaxError(fallback);
}

export function parseJsonExact(text: string, maxDepth = 64): unknown {
  let out = '';
  let last = 0;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // string: jump to its closing quote — the next '"' not escaped by an odd run of backslashes (indexOf is native;
      // most of a Zoho body is strings). Unterminated: stop here, JSON.parse reports it.
      let q = i;
      for (;;) {
        q = text.indexOf('"', q + 1);
        if (q === -1) break;
        let backslashes = 0;
        for (let b = q - 1; text.charCodeAt(b) === 92; b--) backslashes++;
        if ((backslashes & 1) === 0) break;
      }
      i = q === -1 ? n : q;
    } else if (c === 123 || c === 91) {
      if (++depth > maxDepth) throw new JsonSyntaxError(`nesting deeper than ${maxDepth} levels at position ${i}`);
    } else if (c === 125 || c === 93) {
      depth--;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const token = text.slice(i, j);
      if (!NUMBER.test(token)) throw syntaxError(text, `invalid number "${token.slice(0, 40)}" at position ${i}`);
      out += text.slice(last, i) + '"' + token + '"';
      last = j;
      i = j - 1;
    }
  }
  const quoted = last === 0 ? text : out + text.slice(last);
  try {
    return JSON.parse(quoted);
  } catch {
    throw syntaxError(text, 'invalid JSON');
  }
}

/**
 * The position of the first bracket that opens level `maxDepth + 1` (brackets inside strings do not count), or
 * undefined when the text nests no deeper than that. For readers that parse with the native JSON.parse and then
 * walk the result recursively (class-transformer, JSON.stringify): a deep enough document overflows their stack.
 */
export function nestingTooDeepAt(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: skip to its closing quote, as parseJsonExact does (unterminated: the parser reports it)
      let q = i;
      for (;;) {
        q = text.indexOf('"', q + 1);
        if (q === -1) return undefined;
        let backslashes = 0;
        for (let b = q - 1; text.charCodeAt(b) === 92; b--) backslashes++;
        if ((backslashes & 1) === 0) break;
      }
      i = q;
    } else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return i;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isJsonSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * The exact digits of the number a JSON text holds under `key`, for a text the native JSON.parse has accepted and a
 * value it read there as a number — without parsing the text again. Answers only when that can be proved from the
 * text alone, else undefined (then parse with parseJsonExact):
 * - the key is written exactly once in the whole text, so it is the one the caller read whatever its path
 *   (an unescaped `"` followed by the key's characters, `"`, optional spaces and `:` is always an object key in
 *   valid JSON: a closing quote cannot be followed by a letter);
 * - the text holds no `\u` escape and the key holds no `\` or `/`: the key cannot be spelled another way (`\u…`,
 *   `\/`), so no second occurrence hides from the search;
 * - the token after the colon is a JSON number.
 * Duplicate keys (the last one wins in JSON.parse) are two occurrences, hence undefined.
 */
export function uniqueKeyNumberToken(text: string, key: string): string | undefined {
  if (/[\\/]/.test(key) || text.includes('\\u')) return undefined;
  const needle = `"${key}"`;
  let token: string | undefined;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
    // After a backslash the quote is escaped, inside a string (a key like "a\"invoice_id"): in valid JSON an even run of
    // backslashes cannot come before it, since the quote would close a string and be followed by a letter.
    if (text.charCodeAt(at - 1) === 92) continue;
    let i = at + needle.length;
    while (isJsonSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 58) continue; // a string value, not a key
    if (token !== undefined) return undefined; // written twice: which one the caller read is not known here
    i++;
    while (isJsonSpace(text.charCodeAt(i))) i++;
    let j = i;
    while (isNumberChar(text.charCodeAt(j))) j++;
    token = text.slice(i, j);
  }
  return token !== undefined && NUMBER.test(token) ? token : undefined;
}
