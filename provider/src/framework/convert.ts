// Between Terraform values and API JSON, driven by the generated attribute list.
import { UNKNOWN, type ObjectValue, type Value } from '../runtime/index.js';
import type { TfAttribute } from './schema-types.js';

/**
 * API JSON -> state values: only the schema's attributes; numbers and maps pass through, JSON attributes as text,
 * nested objects with every attribute (a field the API leaves out is its default, as the API means it, else null).
 */
export function fromApi(attributes: TfAttribute[], body: Record<string, unknown>): ObjectValue {
  const out: ObjectValue = {};
  for (const a of attributes) out[a.name] = valueFromApi(a, body[a.name] ?? null);
  return out;
}

function valueFromApi(a: TfAttribute, v: unknown): Value {
  if (v === null) return null;
  if (a.json) return canonicalJson(v);
  if (!a.nested) return v as Value;
  const object = (o: unknown): Value => {
    if (o === null || typeof o !== 'object') return null;
    const out: ObjectValue = {};
    for (const n of a.nested!.attributes) {
      const x = (o as Record<string, unknown>)[n.name];
      const missing = x === undefined || (x === null && !n.nullable);
      out[n.name] = valueFromApi(n, missing ? (n.default ?? null) : x);
    }
    return out;
  };
  return a.nested.nesting === 'single' ? object(v) : Array.isArray(v) ? v.map(object) : null;
}

/** The value an unset optional+computed attribute plans: the API's default, in the attribute's Terraform shape. */
export function defaultValue(a: TfAttribute): Value | undefined {
  return a.default === undefined ? undefined : valueFromApi(a, a.default);
}

/**
 * A nested value as the API takes it: a null member of an object is left out (Terraform's null is "not set"), except
 * where the API takes null itself (a nullable field, which a merge patch then clears).
 */
function nestedToApi(a: TfAttribute, v: Value): unknown {
  if (v === null || !a.nested) return a.json && typeof v === 'string' ? JSON.parse(v) : toJson(v);
  const object = (o: Value): unknown => {
    if (o === null || typeof o !== 'object') return toJson(o);
    const out: Record<string, unknown> = {};
    for (const n of a.nested!.attributes) {
      const x = (o as ObjectValue)[n.name];
      if (x === undefined || x === UNKNOWN || (x === null && !n.nullable)) continue;
      out[n.name] = nestedToApi(n, x);
    }
    return out;
  };
  return a.nested.nesting === 'single' ? object(v) : (v as Value[]).map(object);
}

/** JSON as Terraform's jsonencode() writes it (keys sorted, no spaces), so an imported document matches one. */
export const canonicalJson = (v: unknown) => JSON.stringify(v, sortKeys);

/** Whether two JSON texts mean the same (key order and spacing aside). */
export function sameJson(a: Value | undefined, b: Value | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return a === b;
  }
}

/** The API value of an attribute: JSON attributes are parsed from their text, nested objects lose their nulls. */
function apiValue(a: TfAttribute, v: Value): unknown {
  return nestedToApi(a, v);
}

/** Whether an attribute's planned value changes nothing (JSON attributes compare by meaning, sets in any order). */
export function unchanged(a: TfAttribute, planned: Value, prior: Value): boolean {
  if (a.nested?.nesting === 'set' && Array.isArray(planned) && Array.isArray(prior))
    return equal(sortedSet(planned), sortedSet(prior));
  return a.json ? sameJson(planned, prior) : equal(planned, prior);
}

/** A set's elements in one canonical order: a set has none, so two orders of the same elements are equal. */
const sortedSet = (items: Value[]): Value[] =>
  items
    .map((v) => [JSON.stringify(toJson(v), sortKeys), v] as const)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([, v]) => v);

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
    if (known(v) && v !== null) body[a.name] = apiValue(a, v!);
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
    if (!known(v) || unchanged(a, v!, prior[a.name] ?? null)) continue;
    const before = prior[a.name];
    // Nested objects go whole (an array replaces the API's; an object merges into it, every field present).
    if (a.nested) {
      body[a.name] = nestedToApi(a, v!);
      continue;
    }
    // A JSON attribute is a document the API replaces whole: it is sent as written, its nulls meaning null (a
    // workflow's ResultPath), and members it no longer has are simply not in it.
    if (a.json && typeof v === 'string') {
      body[a.name] = JSON.parse(v);
      continue;
    }
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
