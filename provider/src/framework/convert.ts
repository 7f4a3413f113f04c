// Between Terraform values and API JSON, driven by the generated attribute list.
import { UNKNOWN, type ObjectValue, type Value } from '../runtime/index.js';
import type { TfAttribute } from './schema-types.js';

/** API JSON -> state values: only the schema's attributes; numbers and maps pass through. */
export function fromApi(attributes: TfAttribute[], body: Record<string, unknown>): ObjectValue {
  const out: ObjectValue = {};
  for (const a of attributes) out[a.name] = (body[a.name] ?? null) as Value;
  return out;
}

const known = (v: Value | undefined) => v !== UNKNOWN && v !== undefined;

/** Terraform numbers may arrive as bigint or exact decimal strings; the API speaks JSON numbers. */
export function toJson(v: Value): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x as Value)]));
  return v;
}

/** The create body: every settable attribute with a known, non-null value. */
export function createBody(
  attributes: TfAttribute[],
  planned: ObjectValue,
  skip: string[] = [],
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const a of attributes) {
    if (!(a.required || a.optional) || skip.includes(a.name)) continue;
    const v = planned[a.name];
    if (known(v) && v !== null) body[a.name] = toJson(v!);
  }
  return body;
}

/** The PATCH body: settable, mutable attributes whose planned value differs from the prior state. */
export function patchBody(
  attributes: TfAttribute[],
  prior: ObjectValue,
  planned: ObjectValue,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const a of attributes) {
    if (!(a.required || a.optional) || a.forceNew) continue;
    const v = planned[a.name];
    if (!known(v) || equal(v!, prior[a.name] ?? null)) continue;
    const before = prior[a.name];
    // The API merge-patches objects (RFC 7386): keys the plan drops must be sent as null to go away.
    if (isMap(v) && isMap(before)) {
      const patch: Record<string, unknown> = Object.fromEntries(
        Object.keys(before)
          .filter((k) => !(k in v))
          .map((k) => [k, null]),
      );
      body[a.name] = { ...patch, ...(toJson(v) as object) };
    } else body[a.name] = v === null ? null : toJson(v!);
  }
  return body;
}

const isMap = (v: Value | undefined): v is ObjectValue =>
  v !== null && v !== undefined && v !== UNKNOWN && typeof v === 'object' && !Array.isArray(v);

export function equal(a: Value, b: Value): boolean {
  return JSON.stringify(toJson(a), sortKeys) === JSON.stringify(toJson(b), sortKeys);
}

function sortKeys(_k: string, v: unknown) {
  if (v && typeof v === 'object' && !Array.isArray(v))
    return Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)));
  return v;
}
