// Type-driven conversion between Terraform values on the wire (msgpack, JSON) and the JS Value model.
// Decoding: any msgpack extension is an unknown (ext 0 plain, ext 12 refined); numbers are normalised losslessly.
// Encoding: every object attribute of the type is written (null when absent) and unknowns become go-cty's d4 00 00.
import { decode, encode, ExtData } from '@msgpack/msgpack';
import type { CtyType } from './cty-types.js';
import { parseJsonLossless, type JsonValue } from './json-lossless.js';
import { normalizeNumber, numberToWire } from './numbers.js';
import { TypedValue, UNKNOWN, type ObjectValue, type Value } from './values.js';

/** go-cty writes an unknown as fixext1, type 0, one zero byte; refinements are never sent back. */
const WIRE_UNKNOWN = new ExtData(0, Uint8Array.of(0));
const utf8 = new TextDecoder();

export class ValueTypeError extends TypeError {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(path.length ? `${message} at ${formatPath(path)}` : message);
  }
}

export function decodeMsgpackValue(bytes: Uint8Array, type: CtyType): Value {
  return fromWire(decode(bytes, { useBigInt64: true }), type, [], false);
}

export function encodeMsgpackValue(value: Value, type: CtyType): Uint8Array {
  return encode(toWire(value, type, []), { useBigInt64: true });
}

/** A JSON DynamicValue or state: decoded losslessly, then shaped by the type (missing attributes become null). */
export function decodeJsonValue(bytes: Uint8Array | string, type: CtyType): Value {
  const text = typeof bytes === 'string' ? bytes : utf8.decode(bytes);
  return fromJsonTree(parseJsonLossless(text), type);
}

export function fromJsonTree(tree: JsonValue, type: CtyType): Value {
  return fromWire(tree, type, [], true);
}

function fromWire(raw: unknown, type: CtyType, path: (string | number)[], json: boolean): Value {
  if (raw instanceof ExtData) return UNKNOWN;
  if (raw === null || raw === undefined) return null;
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof raw !== 'string') throw new ValueTypeError(path, `expected a string, got ${describe(raw)}`);
        return raw;
      case 'bool':
        if (typeof raw !== 'boolean') throw new ValueTypeError(path, `expected a bool, got ${describe(raw)}`);
        return raw;
      case 'number':
        if (typeof raw !== 'number' && typeof raw !== 'bigint' && typeof raw !== 'string') {
          throw new ValueTypeError(path, `expected a number, got ${describe(raw)}`);
        }
        return normalizeNumber(raw);
      case 'dynamic': {
        // msgpack: [type JSON as bin, value]; JSON (state files): {"value": v, "type": t}.
        const [typeJson, inner] = json
          ? [JSON.stringify((raw as { type: unknown }).type), (raw as { value: unknown }).value]
          : [utf8.decode((raw as [Uint8Array, unknown])[0]), (raw as [Uint8Array, unknown])[1]];
        const innerType = JSON.parse(typeJson) as CtyType;
        return new TypedValue(innerType, fromWire(inner, innerType, path, json));
      }
    }
  }
  const [kind, arg] = type;
  if (kind === 'list' || kind === 'set' || kind === 'tuple') {
    if (!Array.isArray(raw)) throw new ValueTypeError(path, `expected a ${kind}, got ${describe(raw)}`);
    return raw.map((item, i) => fromWire(item, kind === 'tuple' ? (arg as readonly CtyType[])[i]! : (arg as CtyType), [...path, i], json));
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ValueTypeError(path, `expected a ${kind}, got ${describe(raw)}`);
  const source = raw as Record<string, unknown>;
  const out: ObjectValue = {};
  if (kind === 'map') {
    for (const key of Object.keys(source)) out[key] = fromWire(source[key], arg as CtyType, [...path, key], json);
  } else {
    const attributes = arg as { readonly [name: string]: CtyType };
    for (const name of Object.keys(attributes)) out[name] = fromWire(source[name], attributes[name]!, [...path, name], json);
  }
  return out;
}

function toWire(value: Value | undefined, type: CtyType, path: (string | number)[]): unknown {
  if (value === UNKNOWN) return WIRE_UNKNOWN;
  if (value === null || value === undefined) return null;
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof value !== 'string') throw new ValueTypeError(path, `expected a string, got ${describe(value)}`);
        return value;
      case 'bool':
        if (typeof value !== 'boolean') throw new ValueTypeError(path, `expected a bool, got ${describe(value)}`);
        return value;
      case 'number':
        if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'string') {
          throw new ValueTypeError(path, `expected a number, got ${describe(value)}`);
        }
        return numberToWire(typeof value === 'string' ? normalizeNumber(value) : value);
      case 'dynamic': {
        const typed = value instanceof TypedValue ? value : new TypedValue(inferType(value), value);
        if (typed.value === null || typed.value === UNKNOWN) return toWire(typed.value, 'dynamic', path);
        return [Buffer.from(JSON.stringify(typed.type), 'utf8'), toWire(typed.value, typed.type, path)];
      }
    }
  }
  const [kind, arg] = type;
  if (kind === 'list' || kind === 'set' || kind === 'tuple') {
    if (!Array.isArray(value)) throw new ValueTypeError(path, `expected a ${kind}, got ${describe(value)}`);
    return value.map((item, i) => toWire(item, kind === 'tuple' ? (arg as readonly CtyType[])[i]! : (arg as CtyType), [...path, i]));
  }
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof TypedValue) {
    throw new ValueTypeError(path, `expected a ${kind}, got ${describe(value)}`);
  }
  const out: Record<string, unknown> = {};
  if (kind === 'map') {
    for (const key of Object.keys(value)) out[key] = toWire(value[key], arg as CtyType, [...path, key]);
  } else {
    const attributes = arg as { readonly [name: string]: CtyType };
    for (const name of Object.keys(attributes)) out[name] = toWire(value[name], attributes[name]!, [...path, name]);
  }
  return out;
}

/** The type a plain JS value would have in HCL, used when a dynamic attribute gets an untyped value. */
export function inferType(value: Value): CtyType {
  if (value === null || value === UNKNOWN) return 'dynamic';
  if (value instanceof TypedValue) return value.type;
  switch (typeof value) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': case 'bigint': return 'number';
  }
  if (Array.isArray(value)) return ['tuple', value.map(inferType)];
  return ['object', Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inferType(v)]))];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof TypedValue) return 'a typed (dynamic) value';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(String(value))}`;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((step) => (typeof step === 'number' ? `[${step}]` : /^[A-Za-z_][\w-]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`)).join('');
}
