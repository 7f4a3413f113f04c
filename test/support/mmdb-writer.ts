// A minimal MaxMind DB (MMDB 2.0) writer for tests only: an IPv6 tree (IPv4 under ::/96) with 24-bit records, a data
// section of maps, strings and unsigned integers, and the metadata block, as the MaxMind DB spec lays them out. It
// lets tests hand the edge a GeoIP2-Country-layout file (ATONIX_GEOIP_DB) with networks of their choosing.
import { isIPv4 } from 'node:net';

type Value = string | number | Value[] | { [k: string]: Value };

const control = (type: number, size: number): Buffer => {
  if (size >= 29) throw new Error('the test writer encodes sizes below 29 only');
  return type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
};

function encode(v: Value, uintType = 6): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v);
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof v === 'number') {
    const bytes: number[] = [];
    for (let n = BigInt(v); n > 0n; n >>= 8n) bytes.unshift(Number(n & 0xffn));
    return Buffer.concat([control(uintType, bytes.length), Buffer.from(bytes)]);
  }
  if (Array.isArray(v)) return Buffer.concat([control(11, v.length), ...v.map((x) => encode(x))]);
  const entries = Object.entries(v);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

/** The 128 bits of an address (an IPv4 one as ::a.b.c.d, where MMDB readers look for IPv4). */
function bits(address: string): number[] {
  let words: number[];
  if (isIPv4(address)) {
    const o = address.split('.').map(Number);
    words = [0, 0, 0, 0, 0, 0, (o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!];
  } else {
    const [head, tail] = address.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w, 16));
  }
  return words.flatMap((w) => Array.from({ length: 16 }, (_, i) => (w >> (15 - i)) & 1));
}

interface TreeNode {
  children: (TreeNode | number | undefined)[];
}

/** networks: `cidr` (`81.2.69.142/31`, `2001:218::/32`) to the record the reader returns. */
export function writeMmdb(networks: Record<string, Value>, databaseType = 'GeoIP2-Country'): Buffer {
  const root: TreeNode = { children: [undefined, undefined] };
  const data: Buffer[] = [];
  let dataSize = 0;
  for (const [cidr, record] of Object.entries(networks)) {
    const [address, len] = cidr.split('/') as [string, string];
    const prefix = Number(len) + (isIPv4(address) ? 96 : 0);
    const b = bits(address);
    let node = root;
    for (let i = 0; i < prefix - 1; i++) {
      const next = node.children[b[i]!];
      if (typeof next !== 'object') node.children[b[i]!] = { children: [undefined, undefined] };
      node = node.children[b[i]!] as TreeNode;
    }
    node.children[b[prefix - 1]!] = dataSize;
    const encoded = encode(record);
    data.push(encoded);
    dataSize += encoded.length;
  }
  const nodes: TreeNode[] = [];
  const number = new Map<TreeNode, number>();
  const visit = (n: TreeNode) => {
    number.set(n, nodes.push(n) - 1);
    for (const c of n.children) if (typeof c === 'object') visit(c);
  };
  visit(root);
  const count = nodes.length;
  const tree = Buffer.alloc(count * 6);
  nodes.forEach((n, i) =>
    n.children.forEach((c, side) => {
      const value = c === undefined ? count : typeof c === 'number' ? count + 16 + c : number.get(c)!;
      tree.writeUIntBE(value, i * 6 + side * 3, 3);
    }),
  );
  const metadata = encode({
    node_count: count,
    record_size: 24,
    ip_version: 6,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: 'AtonixCorp test database' },
  });
  const marker = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com')]);
  return Buffer.concat([tree, Buffer.alloc(16), ...data, marker, metadata]);
}
