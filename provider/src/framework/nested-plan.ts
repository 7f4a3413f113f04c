// Plan modification for nested attributes: a field the configuration leaves unset inside a nested object plans the
// API's default (the spec's `default`), so the apply's result (the API fills that default) matches the plan, and a
// field removed from the configuration goes back to its default instead of keeping the prior value.
import { UNKNOWN, type ObjectValue, type Value } from '../runtime/index.js';
import { defaultValue } from './convert.js';
import type { TfAttribute } from './schema-types.js';

const isObject = (v: Value | undefined): v is ObjectValue =>
  v !== null && v !== undefined && v !== UNKNOWN && typeof v === 'object' && !Array.isArray(v);

/**
 * The planned value of a settable nested attribute with its unset fields planned: list and single objects are paired
 * with their configuration (Terraform pairs list elements by index); a set's elements, which Terraform pairs by
 * value, with themselves (a field still null in the proposal is one neither the configuration nor the prior set).
 */
export function planNested(a: TfAttribute, planned: Value, config: Value | undefined): Value {
  if (!a.nested || planned === null || planned === UNKNOWN) return planned;
  if (a.nested.nesting === 'single') return planObject(a.nested.attributes, planned, config);
  if (!Array.isArray(planned)) return planned;
  const configured = Array.isArray(config) ? config : undefined;
  return planned.map((item, i) =>
    planObject(a.nested!.attributes, item, a.nested!.nesting === 'set' ? item : configured?.[i]),
  );
}

function planObject(attributes: TfAttribute[], planned: Value, config: Value | undefined): Value {
  if (!isObject(planned)) return planned;
  const configured = isObject(config) ? config : undefined;
  const out: ObjectValue = { ...planned };
  for (const n of attributes) {
    if (!(n.required || n.optional)) continue;
    const c = configured ? configured[n.name] : undefined;
    if (n.computed && configured && c === null) {
      // Unset in the configuration: the API's default, or (with none) whatever the API picks.
      out[n.name] = defaultValue(n) ?? (planned[n.name] === null ? UNKNOWN : planned[n.name]!);
    }
    if (n.nested) out[n.name] = planNested(n, out[n.name] ?? null, c ?? undefined);
  }
  return out;
}
