import { describe, expect, it } from 'vitest';
import { IpAllowlist } from './ip-allowlist';

describe('IpAllowlist', () => {
  it('matches addresses and CIDR ranges, IPv4 and IPv6, IPv4-mapped addresses included', () => {
    const a = new IpAllowlist(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(a.configured).toBe(true);
    expect(a.allows('10.255.0.1')).toBe(true);
    expect(a.allows('::ffff:10.1.2.3')).toBe(true);
    expect(a.allows('192.168.1.7')).toBe(true);
    expect(a.allows('192.168.1.8')).toBe(false);
    expect(a.allows('11.0.0.1')).toBe(false);
    expect(a.allows('fd12::1')).toBe(true);
    expect(a.allows('fe80::1')).toBe(false);
    expect(a.allows(undefined)).toBe(false);
    expect(a.allows('not-an-ip')).toBe(false);
  });

  it('an empty list is not configured and allows nothing by itself', () => {
    const a = new IpAllowlist([]);
    expect(a.configured).toBe(false);
    expect(a.allows('127.0.0.1')).toBe(false);
  });

  it('refuses what is not an address or a range', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'localhost', '10.0.0.0/8/1', '::1/129', '10.0.0.0/x']) {
      expect(() => new IpAllowlist([bad]), bad).toThrow(/not an IP address or CIDR range/);
    }
  });
});
