// Terraform values from JSON (DynamicValue.json and the raw state of UpgradeResourceState), shaped by their type.
// JSON has no unknowns; numbers stay exact (json-lossless.ts); dynamic values are {"value": v, "type": t} as in state files.
import type { CtyType } from './cty-types.js';
import { parseJsonLossless, type JsonValue } from './json-lossless.js';
import { normalizeNumber } from './numbers.js';
import { ValueTypeError } from './value-shape.js';
import { TypedValue, type ObjectValue, type Value } from './values.js';

export function decodeJsonValue(bytes: Uint8Array | string, type: CtyType): Value {
  return fromJsonTree(parseJsonLossless(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')), type);
}

/** Shapes a parsed JSON tree to the type: missing object attributes become null, unknown ones are dropped. */
export function fromJsonTree(tree: JsonValue | undefined, type: CtyType, path: (string | number)[] = []): Value {
  if (tree === null || tree === undefined) return null;
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof tree !== 'string') throw new ValueTypeError(path, 'expected a string');
        return tree;
      case 'bool':
        if (typeof tree !== 'boolean') throw new ValueTypeError(path, 'expected a bool');
        return tree;
      case 'number':
        // The lossless parser has already normalised JSON numbers; only text (a number stored as a string) needs it.
        if (typeof tree === 'string') return normalizeNumber(tree);
        if (typeof tree !== 'number' && typeof tree !== 'bigint') throw new ValueTypeError(path, 'expected a number');
        return tree;
      case 'dynamic': {
        const { value, type: inner } = tree as { value?: JsonValue; type?: JsonValue };
        const innerType = JSON.parse(JSON.stringify(inner ?? 'dynamic')) as CtyType;
        return new TypedValue(innerType, fromJsonTree(value, innerType, path));
      }
    }
  }
  const [kind, arg] = type;
  if (kind === 'list' || kind === 'set' || kind === 'tuple') {
    if (!Array.isArray(tree)) throw new ValueTypeError(path, `expected a ${kind}`);
    return tree.map((item, i) =>
      fromJsonTree(item, kind === 'tuple' ? ((arg as readonly CtyType[])[i] ?? 'dynamic') : (arg as CtyType), [
        ...path,
        i,
      ]),
    );
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) throw new ValueTypeError(path, `expected a ${kind}`);
  const out: ObjectValue = {};
  if (kind === 'map') {
    for (const key of Object.keys(tree)) out[key] = fromJsonTree(tree[key], arg as CtyType, [...path, key]);
  } else {
    for (const [name, t] of Object.entries(arg as Record<string, CtyType>))
      out[name] = fromJsonTree(tree[name], t, [...path, name]);
  }
  return out;
}
