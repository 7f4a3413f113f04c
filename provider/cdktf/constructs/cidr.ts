// The little IPv4 CIDR maths the constructs need at synth time: parse a block and carve equal subnets out of it.
// (provider/ never imports api/, so this does not reuse api/src/networking/cidr.ts.)

/** A parsed IPv4 CIDR block: its network address as an unsigned 32-bit integer and its prefix length. */
export interface Cidr {
  network: number;
  prefix: number;
}

/** Parses `a.b.c.d/n`; throws when it is malformed or not a network address (host bits set). */
export function parseCidr(text: string): Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : NaN;
  if (!m || octets.some((o) => o > 255) || prefix > 32)
    throw new Error(`"${text}" is not an IPv4 CIDR such as 10.0.0.0/16`);
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const network = address - (address % blockSize(prefix));
  if (network !== address)
    throw new Error(`"${text}" is not a network address: did you mean ${formatCidr({ network, prefix })}?`);
  return { network, prefix };
}

/** `a.b.c.d/n` for a parsed block. */
export function formatCidr(c: Cidr): string {
  const o = [24, 16, 8, 0].map((shift) => Math.floor(c.network / 2 ** shift) % 256);
  return `${o.join('.')}/${c.prefix}`;
}

/** How many addresses a block of this prefix length spans. */
export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** How many subnets of `prefix` fit in `outer` (0 when the subnets would be larger than the block). */
export function capacity(outer: Cidr, prefix: number): number {
  return prefix < outer.prefix ? 0 : 2 ** (prefix - outer.prefix);
}

/**
 * The first `count` subnets of length `prefix` inside `outer`, in address order. Throws, naming the numbers, when
 * they do not fit: `10.0.0.0/24 cannot hold 8 subnets of /26: it has room for 4`.
 */
export function carve(outer: Cidr, count: number, prefix: number): Cidr[] {
  const room = capacity(outer, prefix);
  if (count > room)
    throw new Error(
      `${formatCidr(outer)} cannot hold ${count} subnet${count === 1 ? '' : 's'} of /${prefix}: it has room for ${room}`,
    );
  return Array.from({ length: count }, (_, i) => ({ network: outer.network + i * blockSize(prefix), prefix }));
}

/** The shortest prefix, i.e. the largest subnets, that still fits `count` subnets in a block of `outerPrefix`. */
export function largestFit(outerPrefix: number, count: number): number {
  return outerPrefix + Math.ceil(Math.log2(Math.max(count, 1)));
}
