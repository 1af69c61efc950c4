import { isLosslessNumber, stringify } from 'lossless-json';

const NUL = /\u0000/g;

/**
 * A losslessly parsed Zoho record → plain values for the handlers: every JSON number becomes the string of its
 * exact digits (ids above 2^53, amounts like "12.50"), NUL characters are removed from strings and keys
 * (PostgreSQL text and jsonb cannot hold them).
 */
export function toSyncRecord(value: unknown): unknown {
  if (isLosslessNumber(value)) return value.value;
  if (typeof value === 'string') return value.includes('\u0000') ? value.replace(NUL, '') : value;
  if (Array.isArray(value)) return value.map(toSyncRecord);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k.includes('\u0000') ? k.replace(NUL, '') : k] = toSyncRecord(v);
    return out;
  }
  return value;
}

function stripNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replace(NUL, '') : value;
  if (isLosslessNumber(value)) return value;
  if (Array.isArray(value)) return value.map(stripNul);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k.includes('\u0000') ? k.replace(NUL, '') : k] = stripNul(v);
    return out;
  }
  return value;
}

/** The record as JSON text with exact numbers and without NUL characters, ready for a `::jsonb` cast. */
export function recordJsonOf(value: unknown): string {
  return stringify(stripNul(value)) ?? 'null';
}
