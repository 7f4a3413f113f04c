// IPv4 CIDR arithmetic on unsigned 32-bit integers (no library: the rules are few and must be exact).
export interface Cidr {
  network: number;
  prefix: number;
  size: number;
  text: string;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export const intToIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Parses `a.b.c.d/n`; returns an error message (Kubernetes style) when it is not a network address. */
export function parseCidr(text: string, minPrefix = 0, maxPrefix = 32): Cidr | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const ip = m ? ipToInt(m[1]!) : undefined;
  if (!m || ip === undefined || Number(m[2]) > 32) return 'must be an IPv4 CIDR such as 10.0.0.0/16';
  const prefix = Number(m[2]);
  if (prefix < minPrefix || prefix > maxPrefix) return `must have a prefix length from /${minPrefix} to /${maxPrefix}`;
  const size = 2 ** (32 - prefix);
  const network = ip - (ip % size);
  if (network !== ip) return `must be a network address: ${intToIp(network)}/${prefix}`;
  return { network, prefix, size, text: `${intToIp(network)}/${prefix}` };
}

export const contains = (outer: Cidr, inner: Cidr) =>
  inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;

export const overlaps = (a: Cidr, b: Cidr) => a.network < b.network + b.size && b.network < a.network + a.size;

/** Addresses reserved in every subnet: the network address, the next three (router, DNS, future) and broadcast. */
export const RESERVED_PER_SUBNET = 5;

/** The first assignable address not in `used`, or undefined when the subnet is full. */
export function firstFree(c: Cidr, used: Set<number>): number | undefined {
  for (let ip = c.network + 4; ip < c.network + c.size - 1; ip++) if (!used.has(ip)) return ip;
  return undefined;
}
