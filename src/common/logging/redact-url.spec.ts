import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url';

const KEY = 'S3cr3t-Key_value';

describe('redactUrl', () => {
  it.each([
    ['plain', `/webhooks/contacts?token=${KEY}`, '/webhooks/contacts?token=[redacted]'],
    ['percent-encoded name', `/webhooks/contacts?%74oken=${KEY}`, '/webhooks/contacts?%74oken=[redacted]'],
    ['fully encoded name', `/webhooks/contacts?%74%6F%6B%65%6E=${KEY}`, '/webhooks/contacts?%74%6F%6B%65%6E=[redacted]'],
    [
      'second occurrence',
      `/webhooks/contacts?token=x&event=created&token=${KEY}`,
      '/webhooks/contacts?token=[redacted]&event=created&token=[redacted]',
    ],
    ['upper case', `/queue/stats?TOKEN=${KEY}`, '/queue/stats?TOKEN=[redacted]'],
    ['encoded value', `/x?token=${encodeURIComponent(`${KEY}&=`)}`, '/x?token=[redacted]'],
    ['value holding a fragment', `/x?a=1&token=${KEY}#frag`, '/x?a=1&token=[redacted]'],
    ['other parameters kept', '/webhooks/contacts?event=created&organization_id=1', '/webhooks/contacts?event=created&organization_id=1'],
    ['no query', '/health', '/health'],
    ['name only', '/x?token', '/x?token'],
    ['broken percent escape in the name', `/x?%zztoken=${KEY}&%74oken=${KEY}`, '/x?%zztoken=' + KEY + '&%74oken=[redacted]'],
  ])('%s', (_name, input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each([
    'adminKey',
    'ADMINKEY',
    'admin_key',
    'admin-key',
    'x-admin-key',
    'X-Admin-Key',
    'x-api-key',
    'apiKey',
    'api-key',
    'api_key',
    'access_token',
    'refresh_token',
    'client_secret',
    'password',
    'secret',
    'signature',
    'key',
    '%61dminKey',
  ])('hides ?%s= (admin, API and OAuth secrets)', (name) => {
    expect(redactUrl(`/dashboard/audit?limit=5&${name}=${KEY}`)).toBe(`/dashboard/audit?limit=5&${name}=[redacted]`);
  });

  it('hides every value the controller would read as ?token= (URLSearchParams decoding)', () => {
    const urls = [`/a?%74oken=${KEY}`, `/a?tok%65n=${KEY}`, `/a?token=1&token=${KEY}`, `/a?x=1&%74%6fken=${KEY}&y=2`];
    for (const url of urls) {
      expect(new URLSearchParams(url.slice(url.indexOf('?') + 1)).getAll('token')).toContain(KEY);
      expect(redactUrl(url)).not.toContain(KEY);
    }
  });
});
