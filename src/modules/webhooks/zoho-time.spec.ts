import { describe, expect, it } from 'vitest';
import { parseZohoTimestamp } from './zoho-time';

describe('parseZohoTimestamp', () => {
  it.each([
    ['2024-06-05T02:30:08-0700', '2024-06-05T09:30:08.000Z'],
    ['2024-06-05T02:30:08+0530', '2024-06-04T21:00:08.000Z'],
    ['2024-06-05T02:30:08+05:30', '2024-06-04T21:00:08.000Z'],
    ['2024-06-05T02:30:08Z', '2024-06-05T02:30:08.000Z'],
    ['2024-06-05T02:30:08', '2024-06-05T02:30:08.000Z'],
    ['2024-06-05', '2024-06-05T00:00:00.000Z'],
    ['2024-06-05 02:30:08+0300', '2024-06-04T23:30:08.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(parseZohoTimestamp(input)).toBe(expected);
  });

  it.each(['', 'yesterday', '2024-13-01', '2024-02-30', '2024-06-05T25:00:00Z'])('rejects %j', (input) => {
    expect(parseZohoTimestamp(input)).toBeNull();
  });

  it('ignores non-strings', () => {
    expect(parseZohoTimestamp(12345)).toBeNull();
    expect(parseZohoTimestamp(undefined)).toBeNull();
  });
});
