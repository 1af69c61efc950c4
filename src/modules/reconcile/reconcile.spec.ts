import { describe, expect, it } from 'vitest';
import { buildAppConfig } from '../../config/app-config';
import { ConfigValidationError, validate } from '../../config/env.validation';
import { canonicalJson, zohoFilterTime } from './reconcile-entities';
import { runsLeftToday } from './reconcile.service';
import { backoffWithJitter } from './zoho-api.client';

const URL = 'postgres://u@db:5432/tds';
const CREDS = { ZOHO_CLIENT_ID: '1000.X', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_ORGANIZATION_ID: '20099887766' };
const problems = (env: Record<string, string>): string[] => {
  try {
    validate({ DATABASE_URL: URL, ...env });
    return [];
  } catch (err) {
    return (err as ConfigValidationError).problems;
  }
};

describe('reconciliation config', () => {
  it('is off until the four credentials are set, with the documented defaults', () => {
    const off = buildAppConfig(validate({ DATABASE_URL: URL })).reconcile;
    expect(off).toMatchObject({
      enabled: false,
      accountsUrl: 'https://accounts.zoho.com',
      apiDomain: null,
      api: 'books',
      moduleApis: { pricebooks: 'inventory', inventoryadjustments: 'inventory' },
      maxRequestsPerMinute: 60,
      dailyBudget: 500,
      cron: '0 * * * *',
      overlapMinutes: 10,
      alertMissedWarning: 10,
    });
    const on = buildAppConfig(
      validate({ DATABASE_URL: URL, ...CREDS, ZOHO_API: 'inventory', ZOHO_API_MODULES: 'invoices=books' }),
    ).reconcile;
    expect(on).toMatchObject({ enabled: true, api: 'inventory', moduleApis: { invoices: 'books' }, organizationId: '20099887766' });
  });

  it('refuses a partial set of credentials, naming what is missing', () => {
    const p = problems({ ZOHO_CLIENT_ID: '1000.X', ZOHO_REFRESH_TOKEN: 'r' });
    expect(p.join('\n')).toMatch(/ZOHO_CLIENT_SECRET, ZOHO_ORGANIZATION_ID: reconciliation needs all/);
  });

  it('allows http only to a loopback host (tokens never cross a network in clear)', () => {
    expect(problems({ ZOHO_ACCOUNTS_URL: 'https://accounts.zoho.eu' })).toEqual([]);
    expect(problems({ ZOHO_ACCOUNTS_URL: 'http://127.0.0.1:8080', ZOHO_API_DOMAIN: 'http://localhost:9' })).toEqual([]);
    expect(problems({ ZOHO_ACCOUNTS_URL: 'http://accounts.zoho.com' }).join()).toMatch(/ZOHO_ACCOUNTS_URL.*loopback/);
    expect(problems({ ZOHO_API_DOMAIN: 'http://10.0.0.5' }).join()).toMatch(/ZOHO_API_DOMAIN/);
    expect(problems({ ZOHO_API_DOMAIN: 'https://www.zohoapis.com/books' }).join()).toMatch(/ZOHO_API_DOMAIN/);
  });

  it('refuses a bad cron, API name, module map or organization id', () => {
    const p = problems({
      TDS_RECONCILE_CRON: 'hourly',
      ZOHO_API: 'crm',
      ZOHO_API_MODULES: 'pricebooks:inventory',
      ZOHO_ORGANIZATION_ID: 'acme',
    });
    expect(p.join('\n')).toMatch(/TDS_RECONCILE_CRON/);
    expect(p.join('\n')).toMatch(/ZOHO_API=/);
    expect(p.join('\n')).toMatch(/ZOHO_API_MODULES/);
    expect(p.join('\n')).toMatch(/ZOHO_ORGANIZATION_ID/);
  });
});

describe('reconciliation helpers', () => {
  it('backs off exponentially with jitter in the upper half, capped at 60 s', () => {
    expect(backoffWithJitter(1, 1000, () => 0)).toBe(500);
    expect(backoffWithJitter(1, 1000, () => 1)).toBe(1000);
    expect(backoffWithJitter(3, 1000, () => 0.5)).toBe(3000);
    expect(backoffWithJitter(20, 1000, () => 1)).toBe(60_000);
  });

  it('formats the list filter as Zoho documents it (offset without colon)', () => {
    expect(zohoFilterTime(Date.parse('2026-11-30T10:15:42.900Z'))).toBe('2026-11-30T10:15:42+0000');
  });

  it('hashes content, not spelling: key order does not count, digits do', () => {
    expect(canonicalJson({ b: '1.0', a: [{ y: 1, x: null }] })).toBe(canonicalJson({ a: [{ x: null, y: 1 }], b: '1.0' }));
    expect(canonicalJson({ a: '1.0' })).not.toBe(canonicalJson({ a: '1.00' }));
  });

  it('spreads the day over the runs still due (this one included)', () => {
    const now = new Date('2026-12-01T05:30:00Z');
    const dayLeft = Date.parse('2026-12-02T00:00:00Z') - now.getTime();
    expect(runsLeftToday('0 * * * *', now, dayLeft)).toBe(19); // 06:00 … 23:00 plus this one
    expect(runsLeftToday('0 0 1 1 *', now, dayLeft)).toBe(1);
    expect(runsLeftToday('*/15 * * * *', now, dayLeft)).toBe(1 + 1 + 4 * 18); // this one, 05:45, then 06:00 … 23:45
  });
});
