import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('parseZohoTimestamp: details', () => {
  it.each([
    [' 2024-06-05T02:30:08Z ', '2024-06-05T02:30:08.000Z'],
    ['2024-06-05T02:30Z', '2024-06-05T02:30:00.000Z'],
    ['2024-06-05T02:30+05:30', '2024-06-04T21:00:00.000Z'],
    ['2024-06-05T02:30:08.5Z', '2024-06-05T02:30:08.500Z'],
    ['2024-06-05T02:30:08.12Z', '2024-06-05T02:30:08.120Z'],
    ['2024-06-05T02:30:08.123456789-0700', '2024-06-05T09:30:08.123Z'],
    ['2024-06-05T02:30:08 +0530', '2024-06-04T21:00:08.000Z'],
    ['2024-06-05T23:59:59Z', '2024-06-05T23:59:59.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
    ['2024-12-31T23:59:59.999+23:59', '2024-12-31T00:00:59.999Z'],
    ['2024-01-01T00:00:00-23:59', '2024-01-01T23:59:00.000Z'],
    ['2024-01-01T00:30:00+01:30', '2023-12-31T23:00:00.000Z'],
    // years below 100 stay what they say (Date.UTC alone would read 0050 as 1950)
    ['0050-03-01T00:00:00Z', '0050-03-01T00:00:00.000Z'],
    ['0000-02-29', '0000-02-29T00:00:00.000Z'],
  ])('%j → %s', (input, expected) => {
    expect(parseZohoTimestamp(input)).toBe(expected);
  });

  it.each([
    'x2024-06-05',
    '2024-06-05x',
    '2024-06-05T02:30:08Zjunk',
    '2024-06-05T02:30:08.1234567890Z',
    '2024-06-05T02:30:08.Z',
    '2024-06-05T02',
    '2024-06-05T24:00:00Z',
    '2024-06-05T02:30:08+99:99',
    '2023-02-29',
    '2024-04-31',
    '2024-00-10',
    '2024-06-00',
    '2024-01-32',
    '2024-06-31',
    '1900-02-29',
    '2100-02-29T00:00:00Z',
    '2024-06-05T23:60:00Z',
    '2024-06-05T23:59:60Z',
    '2024-06-05T02:30:08+2400',
    '2024-06-05T02:30:08-05:60',
  ])('rejects %j', (input) => {
    expect(parseZohoTimestamp(input)).toBeNull();
  });

  // Takes effect in forked workers (npm test); Stryker's thread workers get the zone from vitest.unit.config.mts.
  describe('under a machine time zone other than UTC', () => {
    const saved = process.env.TZ;
    beforeAll(() => {
      process.env.TZ = 'Asia/Kolkata';
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it('reads a timestamp without an offset, and a bare date, as UTC', () => {
      expect(parseZohoTimestamp('2024-06-05')).toBe('2024-06-05T00:00:00.000Z');
      expect(parseZohoTimestamp('2024-06-05T02:30:08')).toBe('2024-06-05T02:30:08.000Z');
    });
  });
});
