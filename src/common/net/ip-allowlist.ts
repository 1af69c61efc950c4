import { BlockList, isIP } from 'node:net';

/**
 * A list of IP addresses and CIDR ranges (IPv4 and IPv6; an IPv4-mapped IPv6 address such as ::ffff:10.0.0.1
 * matches the IPv4 ranges). Empty = no restriction is configured (`configured` false); the caller decides what that means.
 */
export class IpAllowlist {
  private readonly list = new BlockList();
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bitsText, extra] = entry.split('/');
      const family = isIP(address);
      const max = family === 4 ? 32 : 128;
      const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
      if (!family || extra !== undefined || !(bits >= 0 && bits <= max)) {
        throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.168.1.7, fd00::/8)`);
      }
      this.list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
    }
    this.entries = Object.freeze([...entries]);
  }

  get configured(): boolean {
    return this.entries.length > 0;
  }

  allows(ip: string | undefined): boolean {
    if (!ip) return false;
    const family = isIP(ip);
    if (!family) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped) return this.list.check(mapped[1], 'ipv4');
    return this.list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }
}
