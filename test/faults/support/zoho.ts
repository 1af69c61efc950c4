/** Small Zoho-shaped bodies for the fault suite (exact bytes; ids as JSON strings or exact digits). */

export const WEBHOOK_KEY = 'fault-suite-key-0123456789';
export const ZOHO_SECRET = 'fault-suite-zoho-secret-abcdef';

/** Zoho's timestamp format (+0300, Baghdad) for minute `m` after a fixed base. */
export function zohoTime(minute: number): string {
  const base = Date.UTC(2026, 10, 28, 7, 0, 0); // 2026-11-28T10:00:00+0300
  const d = new Date(base + minute * 60_000 + 3 * 3600_000);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+0300`;
}

/** The same instant in UTC ISO form, as PostgreSQL returns it through to_char / Date. */
export function zohoTimeUtcIso(minute: number): string {
  return new Date(Date.UTC(2026, 10, 28, 7, 0, 0) + minute * 60_000).toISOString();
}

export function contactBody(id: string, name: string, minute: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    contact: {
      contact_id: id,
      contact_name: name,
      contact_type: 'customer',
      status: 'active',
      currency_code: 'IQD',
      credit_limit: '1500000.50',
      last_modified_time: zohoTime(minute),
      ...extra,
    },
  });
}

export const jsonHeaders = (key = WEBHOOK_KEY): Record<string, string> => ({ 'Content-Type': 'application/json', 'X-Webhook-Key': key });

/** Fisher–Yates with a seeded generator, so a failing order can be reproduced. */
export function shuffle<T>(items: T[], seed = 42): T[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
