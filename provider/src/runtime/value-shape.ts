// Helpers shared by the value codecs: the error that names where a value has the wrong shape, and type inference.
import type { CtyType } from './cty-types.js';
import { TypedValue, UNKNOWN, type Value } from './values.js';

export class ValueTypeError extends TypeError {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(path.length ? `${message} at ${formatPath(path)}` : message);
  }
}

/** The type a plain JS value would have in HCL, used when a dynamic attribute gets an untyped value. */
export function inferType(value: Value): CtyType {
  if (value === null || value === UNKNOWN) return 'dynamic';
  if (value instanceof TypedValue) return value.type;
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'number';
  }
  if (Array.isArray(value)) return ['tuple', value.map(inferType)];
  return ['object', Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inferType(v)]))];
}

/** `.tags["a b"][0]`-style rendering of a value path, for messages. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((step) =>
      typeof step === 'number'
        ? `[${step}]`
        : /^[A-Za-z_][\w-]*$/.test(step)
          ? `.${step}`
          : `[${JSON.stringify(step)}]`,
    )
    .join('');
}
