import { isIP } from 'node:net';
import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

/**
 * TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto the service believes
 * (docs/decisions/0018-processes-and-deployment-kit.md). Each entry is an IP address, a CIDR range, or one of the
 * names Fastify's trustProxy knows (loopback, linklocal, uniquelocal). Empty: no proxy is trusted, the address of
 * the TCP peer is the client's, and X-Forwarded-For is ignored (any client could write it).
 */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why one entry is not usable, or undefined when it is. */
export function trustedProxyProblem(entry: string): string | undefined {
  if (NAMED_RANGES.has(entry)) return undefined;
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return `"${entry}" is not an IP address or CIDR range`;
  if (prefix === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"${entry}": the prefix length must be 0-${max}`;
  return undefined;
}

export function parseTrustedProxies(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

@ValidatorConstraint({ name: 'trustedProxies' })
export class TrustedProxiesConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseTrustedProxies(value).every((e) => trustedProxyProblem(e) === undefined);
  }

  defaultMessage(args?: ValidationArguments): string {
    if (typeof args?.value !== 'string') return 'TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges';
    const problems = parseTrustedProxies(args.value)
      .map(trustedProxyProblem)
      .filter((p): p is string => p !== undefined);
    return `TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8): ${problems.join('; ')}`;
  }
}
