/**
 * Zoho timestamps: `2016-06-05T02:30:08-0700` (offset without colon), `...+05:30`, `...Z`, or a bare date
 * `2016-06-05`. Returns ISO 8601 UTC, or null when absent or unparseable (the event then orders by arrival).
 */
const ZOHO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseZohoTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = ZOHO_TIME.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', tz] = m;
  let offset = 'Z';
  if (tz && tz !== 'Z') offset = tz.length === 5 ? `${tz.slice(0, 3)}:${tz.slice(3)}` : tz;
  const ms = frac ? `.${frac.padEnd(3, '0').slice(0, 3)}` : '';
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${offset}`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  // Reject calendar overflow that Date.parse would roll over (2024-02-31).
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  // Stryker disable next-line ConditionalExpression,LogicalOperator: either half alone catches a roll-over (it moves day and month)
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return null;
  // Stryker disable next-line ConditionalExpression: minute or second 60 never gets here (Date.parse refuses it; it accepts hour 24)
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return new Date(t).toISOString();
}
