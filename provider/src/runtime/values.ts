// The JavaScript shape of Terraform values that handlers see and return, with the UNKNOWN sentinel.
import type { CtyType } from './cty-types.js';

/** A value Terraform does not know yet ("known after apply"); appears only in config, proposed and planned values. */
export const UNKNOWN: unique symbol = Symbol.for('tfplugin.unknown');
export type Unknown = typeof UNKNOWN;

/**
 * number: a JS number when it holds the value exactly (every safe integer, and any decimal whose shortest
 * form round-trips, such as 0.1); a bigint for integers beyond 2^53; a decimal string only for numbers that a
 * float64 cannot hold (e.g. "0.10000000000000000001"), so that no digit Terraform sent is lost.
 */
export type NumberValue = number | bigint | string;

/** Lists, sets and tuples are arrays; maps and objects are plain objects; `dynamic` attributes hold a TypedValue. */
export type Value = null | Unknown | boolean | NumberValue | Value[] | ObjectValue | TypedValue;

export interface ObjectValue {
  [name: string]: Value;
}

/** A value together with its type, for attributes of type "dynamic" (the type travels on the wire with the value). */
export class TypedValue {
  constructor(
    readonly type: CtyType,
    readonly value: Value,
  ) {}
}

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** The path of the first unknown inside a value, or undefined when the value is wholly known. */
export function findUnknown(value: Value, path: (string | number)[] = []): (string | number)[] | undefined {
  if (value === UNKNOWN) return path;
  if (value === null || typeof value !== 'object') return undefined;
  if (value instanceof TypedValue) return findUnknown(value.value, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnknown(value[i]!, [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = findUnknown(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

export function isWhollyKnown(value: Value): boolean {
  return findUnknown(value) === undefined;
}
