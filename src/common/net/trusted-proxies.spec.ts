import { describe, expect, it } from 'vitest';
import { validate } from '../../config/env.validation';
import { buildAppConfig } from '../../config/app-config';
import { parseTrustedProxies, trustedProxyProblem } from './trusted-proxies';

describe('TRUSTED_PROXIES', () => {
  it('accepts IPv4/IPv6 addresses, CIDR ranges and the named ranges', () => {
    for (const ok of ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0', 'loopback', 'uniquelocal']) {
      expect(trustedProxyProblem(ok), ok).toBeUndefined();
    }
  });

  it('names each bad entry', () => {
    expect(trustedProxyProblem('nginx')).toBe('"nginx" is not an IP address or CIDR range');
    expect(trustedProxyProblem('10.0.0.0/33')).toBe('"10.0.0.0/33": the prefix length must be 0-32');
    expect(trustedProxyProblem('::1/129')).toBe('"::1/129": the prefix length must be 0-128');
    expect(trustedProxyProblem('1.2.3.4/8/9')).toBe('"1.2.3.4/8/9" is not an IP address or CIDR range');
    expect(trustedProxyProblem('300.1.1.1')).toBe('"300.1.1.1" is not an IP address or CIDR range');
  });

  it('a bad value stops the configuration with the key and the entry; unset means no proxy is trusted', () => {
    expect(() => validate({ TRUSTED_PROXIES: '127.0.0.1, proxy.local' })).toThrow(/TRUSTED_PROXIES=.*"proxy\.local" is not an IP address/);
    const none = buildAppConfig(validate({ DATABASE_URL: 'postgres://x@127.0.0.1/tds' }));
    expect(none.http.trustedProxies).toEqual([]);
    const two = buildAppConfig(validate({ DATABASE_URL: 'postgres://x@127.0.0.1/tds', TRUSTED_PROXIES: ' 127.0.0.1 ,10.0.0.0/8,' }));
    expect(two.http.trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(parseTrustedProxies(undefined)).toEqual([]);
  });
});
