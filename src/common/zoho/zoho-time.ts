/**
 * Zoho timestamps: `2016-06-05T02:30:08-0700` (offset without colon), `...+05:30`, `...Z`, or a bare date
 * `2016-06-05`. Returns ISO 8601 UTC, or null when absent or unparseable (the event then orders by arrival).
 */
const ZOHO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** 400 Gregorian years are exactly 146,097 days: Date.UTC reads years 0–99 as 1900–1999, so years are shifted by it. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1];
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/**
 * Computed from the fields (no Date.parse of a rebuilt string: this runs for every webhook, issue 15). Refuses what
 * is not a real time: month 13, 30 February, hour 24, minute or second 60, an offset beyond ±23:59.
 */
export function parseZohoTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = ZOHO_TIME.exec(value.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  // Fractions below a millisecond are cut (.123456789 → .123), as Date does.
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  const tz = m[8];
  if (tz !== undefined && tz !== 'Z') {
    const oh = Number(tz.slice(1, 3));
    const om = Number(tz.slice(-2));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (tz[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - FOUR_CENTURIES_MS - offsetMinutes * 60_000;
  return new Date(utc).toISOString();
}
