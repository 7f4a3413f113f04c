// Core's side of values for the harness: build msgpack requests from the schema the provider advertised, and check
// that every object the provider returns has exactly the schema's attributes. Independent of the runtime's codec.
import { decode, encode, ExtData } from '@msgpack/msgpack';

/** An unknown as go-cty writes it: fixext1, type 0, payload 0x00. */
export const UNKNOWN = new ExtData(0, Uint8Array.of(0));
/** A refined unknown "not null, starts with prefix" as Terraform 1.11 sends for "n-${...}". */
export const refinedUnknown = (prefix: string): ExtData =>
  new ExtData(12, Buffer.concat([Buffer.from([0x82, 0x01, 0xc2, 0x02, 0xa0 + prefix.length]), Buffer.from(prefix)])); // {1: false, 2: prefix}

export const mp = (value: unknown): Buffer => Buffer.from(encode(value, { useBigInt64: true }));
export const unmp = (bytes: Uint8Array): unknown => decode(bytes, { useBigInt64: true });
export const dv = (value: unknown): { msgpack: Buffer } => ({ msgpack: mp(value) });

export interface ProtoAttribute {
  name: string;
  type: Buffer;
  nested_type: { attributes: ProtoAttribute[]; nesting: string } | null;
  computed: boolean;
}
export interface ProtoBlock {
  attributes: ProtoAttribute[];
  block_types: { type_name: string; nesting: string; block: ProtoBlock }[];
}

/** A complete object for the block, as core sends it: every attribute (null if not given), [] for absent list blocks. */
export function coreObject(block: ProtoBlock, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of block.attributes) out[a.name] = values[a.name] ?? null;
  for (const b of block.block_types) {
    const given = values[b.type_name] as Record<string, unknown>[] | Record<string, unknown> | undefined;
    if (b.nesting === 'LIST' || b.nesting === 'SET')
      out[b.type_name] = ((given as Record<string, unknown>[] | undefined) ?? []).map((v) => coreObject(b.block, v));
    else if (b.nesting === 'MAP') out[b.type_name] = given ?? {};
    else out[b.type_name] = given === undefined ? null : coreObject(b.block, given as Record<string, unknown>);
  }
  return out;
}

/** Throws unless the decoded object holds exactly the block's attributes and blocks, recursively (like core's decoder). */
export function assertConforms(value: unknown, block: ProtoBlock, path = ''): void {
  if (value === null || value instanceof ExtData) return;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path || 'value'}: expected an object`);
  const obj = value as Record<string, unknown>;
  const expected = [...block.attributes.map((a) => a.name), ...block.block_types.map((b) => b.type_name)].sort();
  const actual = Object.keys(obj).sort();
  if (JSON.stringify(expected) !== JSON.stringify(actual)) {
    throw new Error(
      `${path || 'value'}: an object with ${expected.length} attributes is required (${actual.length} given): ${actual.join(',')}`,
    );
  }
  for (const a of block.attributes) {
    const v = obj[a.name];
    if (a.nested_type && v !== null && !(v instanceof ExtData)) {
      const inner: ProtoBlock = { attributes: a.nested_type.attributes, block_types: [] };
      const items =
        a.nested_type.nesting === 'SINGLE'
          ? [v]
          : a.nested_type.nesting === 'MAP'
            ? Object.values(v as object)
            : (v as unknown[]);
      items.forEach((item, i) => assertConforms(item, inner, `${path}.${a.name}[${i}]`));
    } else if (a.type.length) assertTyped(v, JSON.parse(a.type.toString()), `${path}.${a.name}`);
  }
  for (const b of block.block_types) {
    const v = obj[b.type_name];
    if ((b.nesting === 'LIST' || b.nesting === 'SET') && !Array.isArray(v))
      throw new Error(`${path}.${b.type_name}: a ${b.nesting} block must be an array, not ${String(v)}`);
    const items =
      b.nesting === 'LIST' || b.nesting === 'SET'
        ? (v as unknown[])
        : b.nesting === 'MAP'
          ? Object.values(v as object)
          : [v];
    items.forEach((item, i) => assertConforms(item, b.block, `${path}.${b.type_name}[${i}]`));
  }
}

function assertTyped(value: unknown, type: unknown, path: string): void {
  if (value === null || value instanceof ExtData || typeof type === 'string') return;
  const [kind, arg] = type as [string, unknown];
  if (kind === 'object')
    assertConforms(
      value,
      {
        attributes: Object.entries(arg as object).map(([name, t]) => ({
          name,
          type: Buffer.from(JSON.stringify(t)),
          nested_type: null,
          computed: false,
        })),
        block_types: [],
      },
      path,
    );
  else if (kind === 'list' || kind === 'set')
    (value as unknown[]).forEach((v, i) => assertTyped(v, arg, `${path}[${i}]`));
  else if (kind === 'map') Object.entries(value as object).forEach(([k, v]) => assertTyped(v, arg, `${path}.${k}`));
}

/** Paths of every value that is known in `planned`, with the value in `planned` and in `applied`. */
export function knownPairs(
  planned: unknown,
  applied: unknown,
  path = '',
): { path: string; planned: unknown; applied: unknown }[] {
  if (planned instanceof ExtData) return [];
  if (planned !== null && typeof planned === 'object' && !(planned instanceof Uint8Array)) {
    const keys = Array.isArray(planned) ? planned.map((_, i) => i) : Object.keys(planned);
    if (applied === null || typeof applied !== 'object') return [{ path, planned, applied }];
    return keys.flatMap((k) =>
      knownPairs(
        (planned as Record<string | number, unknown>)[k],
        (applied as Record<string | number, unknown>)[k],
        `${path}.${k}`,
      ),
    );
  }
  return [{ path, planned, applied }];
}
